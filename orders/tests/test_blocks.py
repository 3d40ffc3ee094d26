"""A block, either way, stops carts, checkouts and offers between the two."""

from decimal import Decimal

import pytest
from rest_framework.test import APIClient

from listings.models import Listing
from moderation.tests.factories import BlockFactory
from orders import selectors, services
from orders.models import CartItem, Offer, Order
from orders.services.errors import Unavailability
from recommender.tests.factories import ListingFactory

pytestmark = pytest.mark.django_db

BLOCKED_TEXT = (
    "is from a seller you blocked or who blocked you; unblock them first if "
    "you blocked them"
)


@pytest.fixture(params=["buyer blocked seller", "seller blocked buyer"])
def blocked_pair(request, seller, buyer):
    if request.param == "buyer blocked seller":
        BlockFactory(blocker=buyer, blocked=seller)
    else:
        BlockFactory(blocker=seller, blocked=buyer)
    return seller, buyer


def client_for(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_add_to_cart_rejects_blocked_seller(blocked_pair):
    seller, buyer = blocked_pair
    listing = ListingFactory(seller=seller, title="Galaxy S23")

    response = client_for(buyer).post(
        "/api/v1/cart/items/", {"listing": listing.pk}, format="json"
    )

    assert response.status_code == 409
    assert response.json()["detail"] == (
        f"Listing {listing.pk} ('Galaxy S23') {BLOCKED_TEXT}."
    )
    assert CartItem.objects.count() == 0


def test_checkout_rejects_later_blocked_seller(seller, buyer):
    listing = ListingFactory(seller=seller, title="Galaxy S23")
    other = ListingFactory(title="iPad Air")
    services.add_to_cart(user=buyer, session=None, listing=listing)
    services.add_to_cart(user=buyer, session=None, listing=other)
    BlockFactory(blocker=seller, blocked=buyer)

    lines = selectors.cart_lines(user=buyer, session=None)
    result = services.checkout(buyer=buyer, listing_pks=[listing.pk, other.pk])

    assert [order.seller_id for order in result.orders] == [other.seller_id]
    assert [(item.listing_pk, item.reason) for item in result.unavailable] == [
        (listing.pk, Unavailability.BLOCKED)
    ]
    listing.refresh_from_db()
    assert listing.status == Listing.Status.ACTIVE
    assert Order.objects.filter(buyer=buyer).count() == 1
    assert [(line.listing.pk, line.unavailability) for line in lines] == [
        (listing.pk, Unavailability.BLOCKED),
        (other.pk, None),
    ]


def test_make_offer_rejects_blocked_seller(blocked_pair):
    seller, buyer = blocked_pair
    listing = ListingFactory(seller=seller, price=Decimal("300000"), currency="KRW")

    response = client_for(buyer).post(
        "/api/v1/offers/", {"listing": listing.pk, "amount": "250000"}, format="json"
    )

    assert response.status_code == 409
    assert response.json()["detail"] == (
        f"Cannot make an offer on listing {listing.pk}: you blocked its seller "
        "or its seller blocked you. Unblock them first if you blocked them."
    )
    assert Offer.objects.count() == 0
