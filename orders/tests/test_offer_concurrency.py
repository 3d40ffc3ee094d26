"""Offers, checkouts and ratings that race on PostgreSQL in real threads."""

from decimal import Decimal

import pytest

from listings.models import Listing
from orders import services
from orders.models import Offer, Order, OrderItem
from orders.services import compute_trust_score
from orders.tests.threads import run_in_threads
from recommender.tests.factories import ListingFactory, UserFactory


@pytest.mark.django_db(transaction=True)
def test_accepts_and_checkouts_race_on_one_listing():
    seller = UserFactory(username="seller")
    listing = ListingFactory(seller=seller, price=Decimal("50.00"))
    bidders = [UserFactory(username=f"bidder{i}") for i in range(5)]
    shoppers = [UserFactory(username=f"shopper{i}") for i in range(5)]
    offers = [
        services.make_offer(buyer=bidder, listing=listing, amount=Decimal("40"))
        for bidder in bidders
    ]
    outcomes = []

    def accept(offer):
        def attempt():
            try:
                services.accept_offer(offer=offer, user=seller)
                outcomes.append("accepted")
            except services.ConflictError:
                outcomes.append("conflict")

        return attempt

    def buy(shopper):
        def attempt():
            try:
                services.checkout(buyer=shopper, listing_pks=[listing.pk])
                outcomes.append("ordered")
            except services.ListingsUnavailableError:
                outcomes.append("unavailable")

        return attempt

    run_in_threads(
        [accept(offer) for offer in offers] + [buy(shopper) for shopper in shoppers]
    )

    # Exactly one request wins the listing: one acceptance or one order.
    assert len(outcomes) == 10
    assert outcomes.count("accepted") + outcomes.count("ordered") == 1
    listing.refresh_from_db()
    if outcomes.count("ordered") == 1:
        order = Order.objects.get()
        assert listing.status == Listing.Status.SOLD
        assert listing.reserved_for_id == order.buyer_id
        assert Offer.objects.filter(status=Offer.Status.ACCEPTED).count() == 0
    else:
        accepted = Offer.objects.get(status=Offer.Status.ACCEPTED)
        assert listing.status == Listing.Status.RESERVED
        assert listing.reserved_for_id == accepted.buyer_id
        assert OrderItem.objects.count() == 0


@pytest.mark.django_db(transaction=True)
def test_concurrent_ratings_keep_trust_score_exact():
    seller = UserFactory(username="seller")
    scores = [5, 4, 1, 5, 2, 5, 3, 4, 5, 1]
    orders = []
    for index in range(len(scores)):
        buyer = UserFactory(username=f"buyer{index}")
        listing = ListingFactory(seller=seller)
        (order,) = services.checkout(buyer=buyer, listing_pks=[listing.pk]).orders
        orders.append(services.complete_order(order=order, user=seller))

    def rate(order, score):
        def attempt():
            services.rate_order(order=order, rater=order.buyer, score=score)

        return attempt

    run_in_threads(
        [rate(order, score) for order, score in zip(orders, scores, strict=True)]
    )

    counts = {score: scores.count(score) for score in set(scores)}
    seller.refresh_from_db()
    assert seller.trust_score == compute_trust_score(counts)
    # 4 fives +2.0, 2 fours +0.4, a three 0, a two -0.5, 2 ones -2.0.
    assert seller.trust_score == Decimal("36.4")
