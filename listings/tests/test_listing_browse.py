import datetime as dt
from decimal import Decimal
from urllib.parse import parse_qs, urlsplit

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from listings import selectors
from listings.models import Listing
from recommender.tests.factories import (
    CategoryFactory,
    ListingFactory,
    SubcategoryFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

LISTINGS_URL = "/api/v1/listings/"


@pytest.fixture
def seller():
    return UserFactory(username="seller")


@pytest.fixture
def seller_client(seller):
    client = APIClient()
    client.force_authenticate(seller)
    return client


@pytest.fixture
def sixty_listings(seller):
    """Create 60 listings bumped 2 to 3 days ago, in groups of three ties."""
    start = timezone.now() - dt.timedelta(days=3)
    return [
        ListingFactory(seller=seller, bumped_at=start + dt.timedelta(minutes=n // 3))
        for n in range(60)
    ]


def fetch_ids(client, url, params=None):
    response = client.get(url, params)
    assert response.status_code == 200, response.content
    body = response.json()
    return [item["id"] for item in body["results"]], body["next"]


def browse_ids(params):
    ids, _ = fetch_ids(APIClient(), LISTINGS_URL, {"page_size": 100, **params})
    return ids


def test_scroll_shows_every_listing_once(sixty_listings):
    client = APIClient()
    seen = []
    pages = 0
    ids, next_url = fetch_ids(client, LISTINGS_URL, {"page_size": 7})
    while True:
        pages += 1
        assert len(ids) == (7 if next_url else 4)
        seen.extend(ids)
        if next_url is None:
            break
        ids, next_url = fetch_ids(client, next_url)

    assert pages == 9
    assert len(seen) == 60
    assert sorted(seen) == sorted(listing.pk for listing in sixty_listings)
    expected_order = list(
        Listing.objects.order_by("-bumped_at", "-pk").values_list("pk", flat=True)
    )
    assert seen == expected_order


def test_bump_during_scroll_keeps_order(sixty_listings, seller_client):
    client = APIClient()
    seen = []
    ids, next_url = fetch_ids(client, LISTINGS_URL, {"page_size": 7})
    seen.extend(ids)
    ids, next_url = fetch_ids(client, next_url)
    seen.extend(ids)
    unseen = [
        pk
        for pk in Listing.objects.order_by("-bumped_at", "-pk").values_list(
            "pk", flat=True
        )
        if pk not in seen
    ]
    bumped_seen = seen[3]
    bumped_unseen = unseen[10]
    for pk in (bumped_seen, bumped_unseen):
        response = seller_client.post(f"{LISTINGS_URL}{pk}/bump/")
        assert response.status_code == 200

    rest = []
    while next_url is not None:
        ids, next_url = fetch_ids(client, next_url)
        rest.extend(ids)

    assert len(rest) == len(set(rest))
    assert not set(rest) & set(seen)
    assert rest == [pk for pk in unseen if pk != bumped_unseen]
    assert browse_ids({})[:2] == [bumped_unseen, bumped_seen]


def test_cursor_of_other_ordering_rejected(sixty_listings):
    _, next_url = fetch_ids(APIClient(), LISTINGS_URL, {"page_size": 7})
    cursor = parse_qs(urlsplit(next_url).query)["cursor"][0]

    response = APIClient().get(LISTINGS_URL, {"cursor": cursor, "ordering": "price"})

    assert response.status_code == 400
    assert response.json() == {
        "cursor": [
            "The cursor belongs to ordering 'newest', not 'price'; request the "
            "first page without a cursor."
        ]
    }


def test_altered_cursor_rejected():
    response = APIClient().get(LISTINGS_URL, {"cursor": "made-up"})

    assert response.status_code == 400
    assert response.json() == {
        "cursor": ["The cursor is invalid; request the first page without a cursor."]
    }


def test_category_filter_includes_descendants():
    electronics = CategoryFactory(name="Electronics", path="Electronics")
    cameras = SubcategoryFactory(name="Cameras", parent=electronics)
    lenses = SubcategoryFactory(name="Lenses", parent=cameras)
    camera_bags = SubcategoryFactory(name="Cameras Bags", parent=electronics)
    in_cameras = ListingFactory(category=cameras)
    in_lenses = ListingFactory(category=lenses)
    in_bags = ListingFactory(category=camera_bags)
    in_electronics = ListingFactory(category=electronics)
    ListingFactory(category=None)

    assert sorted(browse_ids({"category": cameras.pk})) == sorted(
        [in_cameras.pk, in_lenses.pk]
    )
    assert browse_ids({"category": lenses.pk}) == [in_lenses.pk]
    assert sorted(browse_ids({"category": electronics.pk})) == sorted(
        [in_cameras.pk, in_lenses.pk, in_bags.pk, in_electronics.pk]
    )


def test_unknown_category_rejected():
    response = APIClient().get(LISTINGS_URL, {"category": 999999})

    assert response.status_code == 400
    assert response.json() == {
        "category": ['Invalid pk "999999" - object does not exist.']
    }


def test_price_range_is_inclusive(settings):
    settings.MARKETPLACE_DEFAULT_CURRENCY = "USD"
    prices = ["9.99", "10.00", "25.00", "50.00", "50.01"]
    listings = {
        price: ListingFactory(price=Decimal(price), currency="USD") for price in prices
    }
    ListingFactory(price=Decimal("30"), currency="KRW")

    ids = browse_ids({"min_price": "10", "max_price": "50"})

    assert sorted(ids) == sorted(
        listings[price].pk for price in ["10.00", "25.00", "50.00"]
    )


def test_price_range_in_named_currency():
    ListingFactory(price=Decimal("30.00"), currency="USD")
    won = ListingFactory(price=Decimal("30000"), currency="KRW")

    ids = browse_ids({"min_price": "20000", "currency": "KRW"})

    assert ids == [won.pk]


def test_min_price_above_max_price_rejected():
    response = APIClient().get(LISTINGS_URL, {"min_price": "50", "max_price": "10"})

    assert response.status_code == 400
    assert response.json() == {
        "max_price": ["max_price 10 is below min_price 50; swap them."]
    }


def test_condition_filter_matches_any_given():
    new = ListingFactory(condition=Listing.Condition.NEW)
    fair = ListingFactory(condition=Listing.Condition.FAIR)
    ListingFactory(condition=Listing.Condition.GOOD)

    assert browse_ids({"condition": "new"}) == [new.pk]
    assert sorted(browse_ids({"condition": ["new", "fair"]})) == sorted(
        [new.pk, fair.pk]
    )


def test_ordering_by_price_breaks_ties_by_id():
    prices = ["30.00", "10.00", "20.00", "10.00", "30.00"]
    listings = [ListingFactory(price=Decimal(price)) for price in prices]
    by_price = sorted(listings, key=lambda listing: (listing.price, listing.pk))

    assert browse_ids({"ordering": "price"}) == [item.pk for item in by_price]
    assert browse_ids({"ordering": "-price"}) == [
        item.pk for item in reversed(by_price)
    ]


def test_price_ordering_pages_without_repeats():
    listings = [ListingFactory(price=Decimal(10 + n % 4)) for n in range(15)]
    client = APIClient()
    seen = []
    ids, next_url = fetch_ids(
        client, LISTINGS_URL, {"ordering": "-price", "page_size": 4}
    )
    seen.extend(ids)
    while next_url:
        ids, next_url = fetch_ids(client, next_url)
        seen.extend(ids)

    expected = sorted(listings, key=lambda item: (item.price, item.pk), reverse=True)
    assert seen == [item.pk for item in expected]


def test_browse_shows_active_by_default(seller):
    active = ListingFactory(status=Listing.Status.ACTIVE)
    ListingFactory(status=Listing.Status.SOLD)
    ListingFactory(status=Listing.Status.HIDDEN)
    reserved = ListingFactory(
        status=Listing.Status.RESERVED, reserved_for=UserFactory(username="buyer")
    )

    assert browse_ids({}) == [active.pk]
    assert sorted(browse_ids({"status": ["active", "reserved"]})) == sorted(
        [active.pk, reserved.pk]
    )


def test_hidden_listed_for_seller_only(seller, seller_client):
    other = UserFactory(username="other")
    own = ListingFactory(seller=seller, status=Listing.Status.HIDDEN)
    others = ListingFactory(seller=other, status=Listing.Status.HIDDEN)
    other_client = APIClient()
    other_client.force_authenticate(other)

    own_ids, _ = fetch_ids(seller_client, LISTINGS_URL, {"status": "hidden"})
    other_ids, _ = fetch_ids(other_client, LISTINGS_URL, {"status": "hidden"})

    assert own_ids == [own.pk]
    assert other_ids == [others.pk]
    assert browse_ids({"status": "hidden"}) == []


def test_page_size_out_of_range_rejected():
    response = APIClient().get(LISTINGS_URL, {"page_size": 101})

    assert response.status_code == 400
    assert list(response.json()) == ["page_size"]


def test_selector_rejects_bad_page_size():
    with pytest.raises(ValueError, match="page_size=0 is out of range"):
        selectors.browse_listings(
            viewer=UserFactory(), filters=selectors.ListingFilters(), page_size=0
        )


def test_browse_query_count_is_constant(django_assert_num_queries):
    for _ in range(3):
        ListingFactory()
    with django_assert_num_queries(2):
        assert len(browse_ids({})) == 3
    for _ in range(12):
        ListingFactory()

    with django_assert_num_queries(2):
        assert len(browse_ids({})) == 15
