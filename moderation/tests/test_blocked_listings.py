"""Listings of blocked users stay out of browse, search and similar lists."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from rest_framework.test import APIClient

from listings import selectors
from moderation.tests.factories import BlockFactory
from recommender.tests.factories import (
    CategoryFactory,
    ListingFactory,
    ProductFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _trigram_extension():
    # The suite builds its tables without migrations, so the extension that
    # the listings search migration enables is created here.
    with connection.cursor() as cursor:
        cursor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")


@pytest.fixture
def viewer():
    return UserFactory(username="viewer")


@pytest.fixture
def client(viewer):
    client = APIClient()
    client.force_authenticate(viewer)
    return client


def listing_ids(response):
    assert response.status_code == 200, response.content
    return [item["id"] for item in response.json()["results"]]


def test_browse_hides_blocked_sellers(client, viewer):
    blocked = UserFactory(username="blocked")
    blocked_me = UserFactory(username="blocked-me")
    BlockFactory(blocker=viewer, blocked=blocked)
    BlockFactory(blocker=blocked_me, blocked=viewer)
    shown = ListingFactory(title="Pixel 8")
    ListingFactory(seller=blocked, title="Pixel 7")
    ListingFactory(seller=blocked_me, title="Pixel 6")

    assert listing_ids(client.get("/api/v1/listings/")) == [shown.pk]
    assert listing_ids(client.get("/api/v1/listings/", {"q": "pixel"})) == [shown.pk]


def test_anonymous_browse_shows_everyone(viewer):
    blocked = UserFactory(username="blocked")
    BlockFactory(blocker=viewer, blocked=blocked)
    first = ListingFactory(seller=blocked)
    second = ListingFactory()

    ids = listing_ids(APIClient().get("/api/v1/listings/"))

    assert sorted(ids) == sorted([first.pk, second.pk])


def test_similar_hides_blocked_sellers(viewer):
    blocked = UserFactory(username="blocked")
    BlockFactory(blocker=viewer, blocked=blocked)
    category = CategoryFactory(name="Phones")
    product = ProductFactory(category=category)
    listing = ListingFactory(product=product, category=category)
    same_product = ListingFactory(product=product, category=category)
    ListingFactory(product=product, category=category, seller=blocked)
    same_category = ListingFactory(category=category)
    ListingFactory(category=category, seller=blocked)

    similar = selectors.similar_listings(listing=listing, viewer=viewer)
    similar_anonymous = selectors.similar_listings(
        listing=listing, viewer=AnonymousUser()
    )

    assert [item.pk for item in similar] == [same_product.pk, same_category.pk]
    assert len(similar_anonymous) == 4


def test_blocker_listing_not_found_for_blocked(client, viewer):
    blocked_me = UserFactory(username="blocked-me")
    BlockFactory(blocker=blocked_me, blocked=viewer)
    listing = ListingFactory(seller=blocked_me)

    api = client.get(f"/api/v1/listings/{listing.pk}/")
    client.force_login(viewer)
    page = client.get(f"/listings/{listing.pk}/")

    assert api.status_code == 404
    assert api.json() == {"detail": f"Listing {listing.pk} was not found."}
    assert page.status_code == 404
    assert APIClient().get(f"/api/v1/listings/{listing.pk}/").status_code == 200


def test_blocked_user_listing_stays_reachable(client, viewer):
    blocked = UserFactory(username="blocked")
    BlockFactory(blocker=viewer, blocked=blocked)
    listing = ListingFactory(seller=blocked)

    response = client.get(f"/api/v1/listings/{listing.pk}/")

    assert response.status_code == 200
    assert response.json()["id"] == listing.pk
