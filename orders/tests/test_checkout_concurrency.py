"""Checkout races on PostgreSQL: real threads, one connection each."""

import random
from collections import defaultdict

import pytest

from listings.models import Listing
from orders import services
from orders.models import Order, OrderItem
from orders.services import Unavailability
from orders.tests.factories import hold_listing
from orders.tests.threads import run_in_threads
from recommender.tests.factories import ListingFactory, UserFactory


@pytest.mark.django_db(transaction=True)
def test_twenty_buyers_race_for_one_listing():
    listing = ListingFactory(seller=UserFactory(username="seller"))
    buyers = [UserFactory(username=f"buyer{i}") for i in range(20)]
    orders = {}
    rejections = {}

    def buy(buyer):
        def attempt():
            try:
                result = services.checkout(buyer=buyer, listing_pks=[listing.pk])
            except services.ListingsUnavailableError as error:
                rejections[buyer.pk] = error
            else:
                orders[buyer.pk] = result.orders

        return attempt

    run_in_threads([buy(buyer) for buyer in buyers])

    assert len(orders) == 1
    assert len(rejections) == 19
    (winner_pk,) = orders
    for error in rejections.values():
        assert [item.reason for item in error.unavailable] == [Unavailability.SOLD]
        assert (
            str(error) == f"Listing {listing.pk} ('{listing.title}') is already sold."
        )
    assert Order.objects.count() == 1
    assert Order.objects.get().buyer_id == winner_pk
    assert OrderItem.objects.filter(listing=listing).count() == 1
    listing.refresh_from_db()
    assert listing.status == Listing.Status.SOLD
    assert listing.reserved_for_id == winner_pk


@pytest.mark.django_db(transaction=True)
def test_fifty_buyers_with_random_carts():
    rng = random.Random(20261204)
    sellers = [UserFactory(username=f"seller{i}") for i in range(5)]
    listings = [ListingFactory(seller=sellers[i % 5]) for i in range(20)]
    buyers = [UserFactory(username=f"buyer{i}") for i in range(50)]
    # Three listings are held for one buyer each by an accepted offer.
    holders = {}
    for listing, buyer in zip(listings[:3], buyers[:3], strict=True):
        hold_listing(listing, buyer)
        holders[listing.pk] = buyer.pk
    carts = {
        buyer.pk: [listing.pk for listing in rng.sample(listings, rng.randint(1, 6))]
        for buyer in buyers
    }
    results = {}
    rejections = {}

    def buy(buyer):
        def attempt():
            try:
                results[buyer.pk] = services.checkout(
                    buyer=buyer, listing_pks=carts[buyer.pk]
                )
            except services.ListingsUnavailableError as error:
                rejections[buyer.pk] = error

        return attempt

    run_in_threads([buy(buyer) for buyer in buyers])

    assert len(results) + len(rejections) == 50
    items = list(OrderItem.objects.select_related("order", "listing"))
    sold_pks = [item.listing_id for item in items]
    assert sold_pks != []
    # No listing is sold twice.
    assert len(sold_pks) == len(set(sold_pks))
    for item in items:
        order = item.order
        # Only listings the buyer asked for, from the order's seller.
        assert item.listing_id in carts[order.buyer_id]
        assert item.listing.seller_id == order.seller_id
        # A held listing goes only to the buyer it is held for.
        if item.listing_id in holders:
            assert order.buyer_id == holders[item.listing_id]
        assert item.listing.status == Listing.Status.SOLD
        assert item.listing.reserved_for_id == order.buyer_id
    # All or nothing per seller: an order has every listing that its buyer
    # requested from that seller.
    requested = defaultdict(set)
    for buyer_pk, listing_pks in carts.items():
        for listing in listings:
            if listing.pk in listing_pks:
                requested[(buyer_pk, listing.seller_id)].add(listing.pk)
    for order in Order.objects.prefetch_related("items"):
        bought = {item.listing_id for item in order.items.all()}
        assert bought == requested[(order.buyer_id, order.seller_id)]
    # Listings that were not bought keep their status.
    for listing in Listing.objects.exclude(pk__in=sold_pks):
        expected = (
            Listing.Status.RESERVED if listing.pk in holders else Listing.Status.ACTIVE
        )
        assert listing.status == expected
    assert sum(len(result.orders) for result in results.values()) == len(
        Order.objects.all()
    )
