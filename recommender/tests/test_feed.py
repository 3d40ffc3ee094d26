from pathlib import Path

import pytest
from django.urls import reverse

from listings.models import Listing
from recommender.models import Interaction, ListingEmbeddingSet, ModelVersion
from recommender.serving import clear_caches
from recommender.tasks import train_model_task
from recommender.tests.factories import ListingFactory, ProductFactory, UserFactory
from recommender.tests.scenarios import build_catalog

pytestmark = pytest.mark.django_db

TRAINING_EPOCHS = 20


def _buyer_linked_to(reviewer, username):
    buyer = UserFactory(username=username)
    reviewer.user = buyer
    reviewer.save()
    return buyer


def _feed(client, **params):
    response = client.get(reverse("feed"), params)
    assert response.status_code == 200, response.content
    return response.json()


def _listing_ids(page):
    return [item["listing"]["id"] for item in page["results"]]


@pytest.fixture
def catalog():
    return build_catalog()


@pytest.fixture
def trained(catalog, django_capture_on_commit_callbacks):
    # The embedding build is enqueued when the training transaction commits.
    with django_capture_on_commit_callbacks(execute=True):
        version_pk = train_model_task.delay("two_tower", None, TRAINING_EPOCHS).get()
    return ModelVersion.objects.get(pk=version_pk)


def test_anonymous_feed_is_popularity_without_sold(client, catalog):
    sold = catalog.listings["cameras"][0]
    sold.status = Listing.Status.SOLD
    sold.save()

    page = _feed(client, page_size=100)

    assert page["strategy"] == "popularity"
    assert page["model_version"] is None
    assert len(page["results"]) == 29
    assert sold.pk not in _listing_ids(page)


def test_feed_falls_back_to_popularity_without_model(client, catalog):
    buyer = _buyer_linked_to(catalog.reviewers["cameras"][0], "buyer")
    client.force_login(buyer)

    page = _feed(client)

    assert page["strategy"] == "popularity"
    assert ModelVersion.objects.count() == 0


def test_training_task_registers_promoted_version(trained):
    assert trained.kind == ModelVersion.Kind.TWO_TOWER
    assert trained.promoted_at is not None
    assert trained.snapshot.interaction_count == 3 * 12 * 8
    embedding_set = ListingEmbeddingSet.objects.get(model_version=trained)
    assert embedding_set.listing_count == 30


def test_personal_feeds_follow_each_buyers_taste(client, catalog, trained):
    camera_fan = _buyer_linked_to(catalog.reviewers["cameras"][0], "camera-fan")
    gamer = _buyer_linked_to(catalog.reviewers["consoles"][0], "gamer")
    camera_pks = {listing.pk for listing in catalog.listings["cameras"]}
    console_pks = {listing.pk for listing in catalog.listings["consoles"]}

    client.force_login(camera_fan)
    camera_page = _feed(client, page_size=3)
    client.force_login(gamer)
    gamer_page = _feed(client, page_size=3)
    client.logout()
    anonymous_page = _feed(client, page_size=3)

    assert camera_page["strategy"] == "two_tower"
    assert camera_page["model_version"] == trained.pk
    assert set(_listing_ids(camera_page)) <= camera_pks
    assert set(_listing_ids(gamer_page)) <= console_pks
    assert _listing_ids(anonymous_page) != _listing_ids(camera_page)
    assert _listing_ids(anonymous_page) != _listing_ids(gamer_page)
    assert camera_page["results"][0]["reason"].startswith("Similar to ")


def test_personal_feed_skips_sold_own_and_already_rated(client, catalog, trained):
    reviewer = catalog.reviewers["cameras"][0]
    buyer = _buyer_linked_to(reviewer, "buyer")
    rated = set(
        Interaction.objects.filter(reviewer=reviewer).values_list(
            "product_id", flat=True
        )
    )
    unrated = [
        listing
        for listing in catalog.listings["cameras"]
        if listing.product_id not in rated
    ]
    sold, own_product = unrated[0], ProductFactory(title="My own camera body")
    sold.status = Listing.Status.SOLD
    sold.save()
    own = ListingFactory(seller=buyer, product=own_product)

    client.force_login(buyer)
    page = _feed(client, page_size=100)

    listed = _listing_ids(page)
    assert sold.pk not in listed
    assert own.pk not in listed
    listed_products = set(
        Listing.objects.filter(pk__in=listed).values_list("product_id", flat=True)
    )
    assert listed_products.isdisjoint(rated)
    assert len(listed) == 30 - len(rated) - 1


def test_new_listing_is_ranked_without_rebuilding(
    client, catalog, trained, django_capture_on_commit_callbacks
):
    buyer = _buyer_linked_to(catalog.reviewers["cameras"][1], "buyer")
    sets_before = ListingEmbeddingSet.objects.count()
    with django_capture_on_commit_callbacks(execute=True):
        fresh = ListingFactory(
            product=ProductFactory(title="Brand-new listing of a mirrorless camera"),
            title="Mirrorless camera",
        )

    client.force_login(buyer)
    page = _feed(client, page_size=100)

    assert fresh.pk in _listing_ids(page)
    assert ListingEmbeddingSet.objects.count() == sets_before


def test_cursor_pages_cover_feed_once(client, catalog, trained):
    buyer = _buyer_linked_to(catalog.reviewers["headphones"][0], "buyer")
    client.force_login(buyer)
    full = _listing_ids(_feed(client, page_size=100))

    seen = []
    page = _feed(client, page_size=4)
    seen += _listing_ids(page)
    while page["next"]:
        response = client.get(page["next"])
        assert response.status_code == 200
        page = response.json()
        seen += _listing_ids(page)

    assert seen == full
    assert len(seen) == len(set(seen))


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"cursor": "not-a-cursor"}, "cursor"),
        ({"page_size": "0"}, "page_size"),
        ({"page_size": "101"}, "page_size"),
        ({"page_size": "ten"}, "page_size"),
    ],
)
def test_feed_rejects_bad_query(client, params, field):
    response = client.get(reverse("feed"), params)

    assert response.status_code == 400
    assert field in response.json()


def test_home_page_shows_cards(client, catalog):
    response = client.get(reverse("home"))

    assert response.status_code == 200
    content = response.content.decode()
    assert content.count('class="card"') == 24
    assert "Popular now" in content
    assert "Demo listing" in content


def test_home_page_rejects_tampered_cursor(client):
    response = client.get(reverse("home"), {"cursor": "tampered"})

    assert response.status_code == 400
    assert "This page link is invalid" in response.content.decode()


def test_missing_artifact_falls_back_to_popularity(client, catalog, trained):
    buyer = _buyer_linked_to(catalog.reviewers["cameras"][0], "buyer")
    Path(trained.artifact_path).unlink()
    # A fresh web process has nothing cached and must read the file.
    clear_caches()

    client.force_login(buyer)
    page = _feed(client)

    assert page["strategy"] == "popularity"
    assert len(page["results"]) == 20


def test_personal_cursor_without_personal_feed_is_rejected(client, catalog, trained):
    buyer = _buyer_linked_to(catalog.reviewers["cameras"][0], "buyer")
    client.force_login(buyer)
    personal = _feed(client, page_size=5)
    client.logout()

    response = client.get(personal["next"])

    assert response.status_code == 400
    assert "no longer available" in response.json()["cursor"][0]


def test_popularity_cursor_continues_popularity_after_sign_in(client, catalog, trained):
    anonymous = _feed(client, page_size=5)
    buyer = _buyer_linked_to(catalog.reviewers["cameras"][0], "buyer")
    client.force_login(buyer)

    response = client.get(anonymous["next"])

    assert response.status_code == 200
    assert response.json()["strategy"] == "popularity"
