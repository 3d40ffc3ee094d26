"""What an account deletion does to favorites, carts, offers and orders."""

from decimal import Decimal

import pytest

from accounts.models import ERASED_USER_NAME
from accounts.services.erasure import erase_user
from listings.models import Listing
from notifications.models import Notification
from orders.models import Cart, Favorite, Offer, Order
from orders.services.carts import add_to_cart
from orders.services.checkout import checkout
from orders.tests.factories import FavoriteFactory, OfferFactory, hold_listing
from recommender.tests.factories import ListingFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_erasure_drops_favorites_cart_and_notifications(buyer):
    listing = ListingFactory()
    FavoriteFactory(user=buyer, listing=listing)
    add_to_cart(user=buyer, session=None, listing=listing)
    Notification.objects.create(
        user=buyer,
        listing=listing,
        kind=Notification.Kind.PRICE_DROP,
        message="Price dropped",
    )
    other = UserFactory()
    FavoriteFactory(user=other, listing=listing)

    erase_user(user=buyer)

    assert Favorite.objects.filter(user=buyer).count() == 0
    assert Cart.objects.filter(user=buyer).count() == 0
    assert Notification.objects.filter(user=buyer).count() == 0
    assert Favorite.objects.filter(user=other).count() == 1


def test_erasure_frees_held_listing(buyer):
    listing = ListingFactory()
    offer = hold_listing(listing, buyer, amount=Decimal("30.00"))
    pending = OfferFactory(buyer=buyer)

    erase_user(user=buyer)

    listing.refresh_from_db()
    offer.refresh_from_db()
    pending.refresh_from_db()
    assert listing.status == Listing.Status.ACTIVE
    assert listing.reserved_for_id is None
    assert offer.status == Offer.Status.WITHDRAWN
    assert pending.status == Offer.Status.WITHDRAWN


def test_order_stays_readable_for_seller(seller, buyer):
    listing = ListingFactory(seller=seller)
    result = checkout(buyer=buyer, listing_pks=[listing.pk])
    order = result.orders[0]

    erase_user(user=buyer)

    kept = Order.objects.get(pk=order.pk)
    assert kept.seller_id == seller.pk
    assert str(kept.buyer) == ERASED_USER_NAME
    assert [item.title for item in kept.items.all()] == [listing.title]
