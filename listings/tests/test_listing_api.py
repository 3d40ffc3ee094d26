import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from listings.models import Listing
from recommender.models import Interaction
from recommender.tests.factories import (
    CategoryFactory,
    InteractionFactory,
    ListingFactory,
    NeighbourhoodFactory,
    ProductFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

LISTINGS_URL = "/api/v1/listings/"


def detail_url(listing):
    return f"{LISTINGS_URL}{listing.pk}/"


@pytest.fixture
def seller():
    return UserFactory(username="seller")


@pytest.fixture
def seller_client(seller):
    client = APIClient()
    client.force_authenticate(seller)
    return client


@pytest.fixture
def other_client():
    client = APIClient()
    client.force_authenticate(UserFactory(username="other"))
    return client


def snapshot(listing):
    """Return the fields that a rejected write must leave unchanged."""
    listing.refresh_from_db()
    return {
        "title": listing.title,
        "description": listing.description,
        "price": listing.price,
        "currency": listing.currency,
        "status": listing.status,
        "reserved_for_id": listing.reserved_for_id,
        "bumped_at": listing.bumped_at,
        "updated_at": listing.updated_at,
    }


def test_create_listing_as_seller(seller, seller_client, settings):
    settings.MARKETPLACE_DEFAULT_CURRENCY = "KRW"
    category = CategoryFactory(name="Headphones", path="Electronics > Headphones")
    product = ProductFactory(parent_asin="B0SONY0001", category=category)
    NeighbourhoodFactory(name="Mangwon-dong", latitude=37.556, longitude=126.902)

    response = seller_client.post(
        LISTINGS_URL,
        {
            "title": "  Sony headphones, boxed  ",
            "description": "Used twice.",
            "price": "150000",
            "condition": "like_new",
            "parent_asin": "B0SONY0001",
            "neighbourhood": "Mangwon-dong",
        },
        format="json",
    )

    assert response.status_code == 201
    body = response.json()
    listing = Listing.objects.get(pk=body["id"])
    assert listing.seller == seller
    assert listing.title == "Sony headphones, boxed"
    assert listing.price == Decimal("150000")
    assert listing.currency == "KRW"
    assert listing.status == Listing.Status.ACTIVE
    assert listing.product == product
    assert listing.category == category
    assert body["price"] == "150000"
    assert body["category"] == category.pk
    assert body["category_path"] == "Electronics > Headphones"
    assert body["neighbourhood"] == "Mangwon-dong"
    assert body["is_own"] is True


def test_listing_response_has_no_coordinates(seller_client):
    listing = ListingFactory(
        neighbourhood=NeighbourhoodFactory(
            name="Seogyo-dong", latitude=37.5537, longitude=126.9196
        )
    )

    body = seller_client.get(detail_url(listing)).json()

    assert body["neighbourhood"] == "Seogyo-dong"
    assert "37.5537" not in str(body)
    assert "126.9196" not in str(body)
    assert "latitude" not in str(body)
    assert "longitude" not in str(body)


def test_create_requires_sign_in():
    response = APIClient().post(
        LISTINGS_URL,
        {"title": "Phone", "price": "10.00", "condition": "good"},
        format="json",
    )

    assert response.status_code == 403
    assert Listing.objects.count() == 0


def test_create_rejects_unknown_fields(seller_client):
    response = seller_client.post(
        LISTINGS_URL,
        {"title": "Phone", "price": "10.00", "condition": "good", "colour": "red"},
        format="json",
    )

    assert response.status_code == 400
    assert response.json()["colour"][0].startswith("Unknown field 'colour'")
    assert Listing.objects.count() == 0


def test_create_rejects_unknown_condition(seller_client):
    response = seller_client.post(
        LISTINGS_URL,
        {"title": "Phone", "price": "10.00", "condition": "mint"},
        format="json",
    )

    assert response.status_code == 400
    assert response.json() == {
        "condition": [
            "Condition 'mint' is not valid; use one of new, like_new, good, "
            "fair, for_parts."
        ]
    }


def test_edit_keeps_bump_time(seller, seller_client):
    bumped_at = timezone.now() - dt.timedelta(hours=30)
    listing = ListingFactory(seller=seller, bumped_at=bumped_at)

    response = seller_client.patch(
        detail_url(listing),
        {"title": "Lower price", "price": "45.50", "description": "Scratch."},
        format="json",
    )

    assert response.status_code == 200
    listing.refresh_from_db()
    assert listing.title == "Lower price"
    assert listing.price == Decimal("45.50")
    assert listing.description == "Scratch."
    assert listing.bumped_at == bumped_at
    assert response.json()["price"] == "45.50"


def test_edit_rejects_status_field(seller, seller_client):
    listing = ListingFactory(seller=seller)
    before = snapshot(listing)

    response = seller_client.patch(
        detail_url(listing), {"status": "sold"}, format="json"
    )

    assert response.status_code == 400
    assert response.json()["status"] == [
        "The status cannot be changed by an edit; use the reserve, release, "
        "sell, hide and unhide actions of the listing."
    ]
    assert snapshot(listing) == before


def test_edit_of_currency_checks_old_price(seller, seller_client):
    listing = ListingFactory(seller=seller, price=Decimal("12.50"), currency="USD")
    before = snapshot(listing)

    response = seller_client.patch(
        detail_url(listing), {"currency": "KRW"}, format="json"
    )

    assert response.status_code == 400
    assert response.json() == {
        "price": ["Price 12.50 KRW has 1 decimal place; KRW prices are whole numbers."]
    }
    assert snapshot(listing) == before


def test_delete_listing_as_seller(seller, seller_client):
    listing = ListingFactory(seller=seller)

    response = seller_client.delete(detail_url(listing))

    assert response.status_code == 204
    assert not Listing.objects.filter(pk=listing.pk).exists()


def test_delete_listing_with_interactions(seller, seller_client):
    buyer = UserFactory(username="buyer")
    standalone = ListingFactory(seller=seller, product=None, title="충전기")
    of_product = ListingFactory(seller=seller)
    for listing in (standalone, of_product):
        InteractionFactory(
            user=buyer,
            reviewer=None,
            listing=listing,
            product=listing.product,
            kind=Interaction.Kind.VIEW,
            source=Interaction.Source.SITE,
            rating=None,
        )

    responses = [
        seller_client.delete(detail_url(listing))
        for listing in (standalone, of_product)
    ]

    assert [response.status_code for response in responses] == [204, 204]
    assert Listing.objects.filter(seller=seller).count() == 0
    remaining = Interaction.objects.get()
    assert remaining.listing_id is None
    assert remaining.product_id == of_product.product_id


def test_unknown_listing_is_404(seller_client):
    response = seller_client.get(f"{LISTINGS_URL}999999/")

    assert response.status_code == 404
    assert response.json() == {"detail": "Listing 999999 was not found."}


# Each write with a body that the seller could send successfully, and the
# status the listing needs for the seller's request to be allowed.
WRITES = [
    ("patch", "", {"title": "Changed"}, Listing.Status.ACTIVE),
    ("delete", "", None, Listing.Status.ACTIVE),
    ("post", "bump/", None, Listing.Status.ACTIVE),
    ("post", "reserve/", {"buyer": "buyer"}, Listing.Status.ACTIVE),
    ("post", "release/", None, Listing.Status.RESERVED),
    ("post", "sell/", None, Listing.Status.ACTIVE),
    ("post", "hide/", None, Listing.Status.ACTIVE),
    ("post", "unhide/", None, Listing.Status.HIDDEN),
]


def _listing_in_status(seller, status):
    buyer = UserFactory(username="buyer")
    return ListingFactory(
        seller=seller,
        status=status,
        reserved_for=buyer if status == Listing.Status.RESERVED else None,
        bumped_at=timezone.now() - dt.timedelta(days=3),
    )


@pytest.mark.parametrize(("method", "suffix", "body", "status"), WRITES)
def test_other_user_cannot_write(seller, other_client, method, suffix, body, status):
    listing = _listing_in_status(seller, status)
    before = snapshot(listing)

    response = getattr(other_client, method)(
        detail_url(listing) + suffix, body, format="json"
    )

    assert response.status_code == 404
    assert Listing.objects.filter(pk=listing.pk).exists()
    assert snapshot(listing) == before


@pytest.mark.parametrize(("method", "suffix", "body", "status"), WRITES)
def test_anonymous_cannot_write(seller, method, suffix, body, status):
    listing = _listing_in_status(seller, status)
    before = snapshot(listing)

    response = getattr(APIClient(), method)(
        detail_url(listing) + suffix, body, format="json"
    )

    assert response.status_code == 403
    assert Listing.objects.filter(pk=listing.pk).exists()
    assert snapshot(listing) == before


@pytest.mark.parametrize(("method", "suffix", "body", "status"), WRITES)
def test_seller_can_write(seller, seller_client, method, suffix, body, status):
    listing = _listing_in_status(seller, status)

    response = getattr(seller_client, method)(
        detail_url(listing) + suffix, body, format="json"
    )

    expected = 204 if method == "delete" else 200
    assert response.status_code == expected


def test_hidden_listing_visible_to_seller_only(seller, seller_client, other_client):
    listing = ListingFactory(seller=seller, status=Listing.Status.HIDDEN)

    assert seller_client.get(detail_url(listing)).status_code == 200
    assert other_client.get(detail_url(listing)).status_code == 404
    assert APIClient().get(detail_url(listing)).status_code == 404


def test_buyer_shown_to_parties_only(seller, seller_client):
    buyer = UserFactory(username="buyer")
    listing = ListingFactory(
        seller=seller, status=Listing.Status.RESERVED, reserved_for=buyer
    )
    buyer_client = APIClient()
    buyer_client.force_authenticate(buyer)
    stranger_client = APIClient()
    stranger_client.force_authenticate(UserFactory(username="stranger"))

    assert seller_client.get(detail_url(listing)).json()["reserved_for"] == "buyer"
    assert buyer_client.get(detail_url(listing)).json()["reserved_for"] == "buyer"
    assert stranger_client.get(detail_url(listing)).json()["reserved_for"] is None
    assert APIClient().get(detail_url(listing)).json()["reserved_for"] is None
