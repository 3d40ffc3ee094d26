"""Similar listings from the served Two-Tower index, with the fallbacks."""

import pytest
from django.contrib.auth.models import AnonymousUser
from rest_framework.test import APIClient

from listings import selectors
from listings.models import Listing
from moderation.tests.factories import BlockFactory
from recommender.similar import nearest_listing_pks
from recommender.tasks import build_listing_embeddings_task, train_model_task
from recommender.tests.factories import (
    CategoryFactory,
    ListingFactory,
    ProductFactory,
    UserFactory,
)
from recommender.tests.scenarios import build_catalog

pytestmark = pytest.mark.django_db


def group_of(catalog, pk):
    for group, listings in catalog.listings.items():
        if pk in {listing.pk for listing in listings}:
            return group
    return None


@pytest.fixture
def served_catalog():
    catalog = build_catalog()
    # Eager Celery: the training commits, then the index build runs.
    version_pk = train_model_task.delay("two_tower", None, 5).get()
    build_listing_embeddings_task.delay(version_pk).get()
    return catalog


def test_nearest_listings_come_from_the_same_group(served_catalog):
    camera = served_catalog.listings["cameras"][0]

    nearest = nearest_listing_pks(camera.pk, 5)

    assert len(nearest) == 5
    assert camera.pk not in nearest
    assert [group_of(served_catalog, pk) for pk in nearest] == ["cameras"] * 5


def test_related_endpoint_follows_index_order(served_catalog):
    camera = served_catalog.listings["cameras"][0]
    other_seller = UserFactory(username="other-seller")
    Listing.objects.filter(
        pk__in=[listing.pk for listing in served_catalog.listings["cameras"][1:]]
    ).update(seller=other_seller)
    nearest = nearest_listing_pks(camera.pk, selectors.SIMILAR_DEPTH)

    response = APIClient().get(f"/api/v1/listings/{camera.pk}/related/")

    assert response.status_code == 200
    body = response.json()
    similar = [item["id"] for item in body["similar"]]
    camera_pks = {listing.pk for listing in served_catalog.listings["cameras"][1:]}
    assert similar == [pk for pk in nearest if pk in camera_pks][:8]
    assert len(similar) == 8
    assert len(body["seller_listings"]) == 8
    assert {item["seller"] for item in body["seller_listings"]} == {"seller"}


def test_nearest_is_empty_without_a_served_model():
    listing = ListingFactory()

    assert nearest_listing_pks(listing.pk, 5) == []


def test_similar_listings_group_order():
    viewer = UserFactory(username="viewer")
    blocked = UserFactory(username="blocked")
    BlockFactory(blocker=viewer, blocked=blocked)
    category = CategoryFactory(name="Phones")
    product = ProductFactory(category=category)
    listing = ListingFactory(product=product, category=category)
    same_product = ListingFactory(product=product, category=category)
    near_first = ListingFactory(title="Pixel 8 Pro")
    near_second = ListingFactory(title="Pixel 7a")
    near_blocked = ListingFactory(title="Pixel 6", seller=blocked)
    near_sold = ListingFactory(title="Pixel 5", status=Listing.Status.SOLD)
    near_own = ListingFactory(title="Pixel 4", seller=listing.seller)
    same_category = ListingFactory(category=category)

    similar = selectors.similar_listings(
        listing=listing,
        viewer=viewer,
        nearest=[
            near_blocked.pk,
            near_first.pk,
            same_product.pk,
            near_sold.pk,
            near_own.pk,
            near_second.pk,
            near_first.pk,
        ],
    )
    anonymous = selectors.similar_listings(
        listing=listing, viewer=AnonymousUser(), nearest=[near_blocked.pk], limit=2
    )

    assert [item.pk for item in similar] == [
        same_product.pk,
        near_first.pk,
        near_second.pk,
        same_category.pk,
    ]
    assert [item.pk for item in anonymous] == [same_product.pk, near_blocked.pk]


def test_related_endpoint_hides_invisible_listings():
    viewer = UserFactory(username="viewer")
    client = APIClient()
    client.force_authenticate(viewer)
    hidden = ListingFactory(status=Listing.Status.HIDDEN)
    blocked = UserFactory(username="blocked")
    BlockFactory(blocker=viewer, blocked=blocked)
    of_blocked = ListingFactory(seller=blocked)
    ListingFactory(seller=blocked)

    missing = client.get(f"/api/v1/listings/{hidden.pk}/related/")
    of_blocked_response = client.get(f"/api/v1/listings/{of_blocked.pk}/related/")

    assert missing.status_code == 404
    assert missing.json() == {"detail": f"Listing {hidden.pk} was not found."}
    assert of_blocked_response.status_code == 200
    assert of_blocked_response.json() == {"similar": [], "seller_listings": []}
