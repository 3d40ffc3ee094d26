from decimal import Decimal

import pytest

from accounts.models import NEUTRAL_TRUST_SCORE
from orders import services
from orders.models import Rating
from orders.services import compute_trust_score
from orders.services.ratings import recompute_trust_score
from recommender.tests.factories import ListingFactory, UserFactory

pytestmark = pytest.mark.django_db


def place_order(seller, buyer):
    listing = ListingFactory(seller=seller)
    (order,) = services.checkout(buyer=buyer, listing_pks=[listing.pk]).orders
    return order


def completed_order(seller, buyer):
    order = place_order(seller, buyer)
    return services.complete_order(order=order, user=seller)


def test_both_parties_rate_once(seller, buyer):
    order = completed_order(seller, buyer)

    by_buyer = services.rate_order(
        order=order, rater=buyer, score=5, tags=["punctual", "friendly"]
    )
    by_seller = services.rate_order(order=order, rater=seller, score=4)

    assert (by_buyer.ratee, by_buyer.score, by_buyer.tags) == (
        seller,
        5,
        ["punctual", "friendly"],
    )
    assert (by_seller.ratee, by_seller.score) == (buyer, 4)
    with pytest.raises(services.ConflictError) as caught:
        services.rate_order(order=order, rater=buyer, score=1)
    assert str(caught.value) == (
        f"You already rated order {order.pk}; each party rates once."
    )
    assert Rating.objects.count() == 2


def test_rating_moves_trust_score(seller, buyer):
    order = completed_order(seller, buyer)

    services.rate_order(order=order, rater=buyer, score=5)
    services.rate_order(order=order, rater=seller, score=1)

    seller.refresh_from_db()
    buyer.refresh_from_db()
    assert seller.trust_score == Decimal("37.0")
    assert buyer.trust_score == Decimal("35.5")


def test_rating_before_completion_fails(seller, buyer):
    order = place_order(seller, buyer)

    with pytest.raises(services.ConflictError) as caught:
        services.rate_order(order=order, rater=buyer, score=5)

    assert str(caught.value) == (
        f"Cannot rate order {order.pk} because it is arranged; rate it after "
        "it is completed."
    )
    services.cancel_order(order=order, user=buyer)
    with pytest.raises(services.ConflictError):
        services.rate_order(order=order, rater=buyer, score=5)
    assert Rating.objects.count() == 0


def test_only_parties_rate(seller, buyer):
    order = completed_order(seller, buyer)

    with pytest.raises(services.ConflictError) as caught:
        services.rate_order(
            order=order, rater=UserFactory(username="stranger"), score=1
        )

    assert str(caught.value) == (
        f"Only the buyer or the seller can rate order {order.pk}."
    )
    seller.refresh_from_db()
    assert seller.trust_score == NEUTRAL_TRUST_SCORE


@pytest.mark.parametrize(
    ("score", "tags", "field", "message"),
    [
        (0, [], "score", "Score 0 is invalid; give a whole number from 1 to 5."),
        (True, [], "score", "Score True is invalid; give a whole number from 1 to 5."),
        (
            5,
            ["punctual", "sneaky"],
            "tags",
            "Unknown tags ['sneaky']; use any of as_described, fair_price, "
            "friendly, late, no_show, not_as_described, punctual, "
            "quick_replies, rude.",
        ),
        (
            5,
            ["punctual", "friendly", "late", "rude", "fair_price", "no_show"],
            "tags",
            "6 tags were given; the maximum is 5.",
        ),
    ],
)
def test_invalid_rating_rejected(seller, buyer, score, tags, field, message):
    order = completed_order(seller, buyer)

    with pytest.raises(services.InvalidInputError) as caught:
        services.rate_order(order=order, rater=buyer, score=score, tags=tags)

    assert caught.value.errors == {field: [message]}
    assert Rating.objects.count() == 0


@pytest.mark.parametrize(
    ("counts", "expected"),
    [
        ({}, Decimal("36.5")),
        ({5: 1}, Decimal("37.0")),
        ({5: 2, 4: 1, 3: 4}, Decimal("37.7")),
        ({2: 1, 1: 1}, Decimal("35.0")),
        ({1: 50}, Decimal("0.0")),
        ({5: 200}, Decimal("99.9")),
    ],
)
def test_trust_score_formula(counts, expected):
    assert compute_trust_score(counts) == expected


def test_trust_score_recomputed_from_all_ratings(seller):
    for score in (5, 5, 2):
        buyer = UserFactory()
        order = completed_order(seller, buyer)
        services.rate_order(order=order, rater=buyer, score=score)
    # A stale stored value is corrected by the next recomputation.
    type(seller).objects.filter(pk=seller.pk).update(trust_score=Decimal("80.0"))

    assert recompute_trust_score(user_pk=seller.pk) == Decimal("37.0")
    seller.refresh_from_db()
    assert seller.trust_score == Decimal("37.0")
