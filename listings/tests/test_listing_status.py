import datetime as dt

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from listings import services
from listings.models import Listing
from recommender.tests.factories import ListingFactory, UserFactory

pytestmark = pytest.mark.django_db

ACTIVE = Listing.Status.ACTIVE
RESERVED = Listing.Status.RESERVED
SOLD = Listing.Status.SOLD
HIDDEN = Listing.Status.HIDDEN

# (status before, action, status after or None when rejected with 409)
TRANSITIONS = [
    (ACTIVE, "reserve", RESERVED),
    (ACTIVE, "release", None),
    (ACTIVE, "sell", SOLD),
    (ACTIVE, "hide", HIDDEN),
    (ACTIVE, "unhide", None),
    (RESERVED, "reserve", None),
    (RESERVED, "release", ACTIVE),
    (RESERVED, "sell", SOLD),
    (RESERVED, "hide", None),
    (RESERVED, "unhide", None),
    (SOLD, "reserve", None),
    (SOLD, "release", None),
    (SOLD, "sell", None),
    (SOLD, "hide", None),
    (SOLD, "unhide", None),
    (HIDDEN, "reserve", None),
    (HIDDEN, "release", None),
    (HIDDEN, "sell", SOLD),
    (HIDDEN, "hide", None),
    (HIDDEN, "unhide", ACTIVE),
]
ALLOWED_FROM = {
    "reserve": "active",
    "release": "reserved",
    "sell": "active, hidden, reserved",
    "hide": "active",
    "unhide": "hidden",
}


@pytest.fixture
def seller():
    return UserFactory(username="seller")


@pytest.fixture
def buyer():
    return UserFactory(username="buyer")


@pytest.fixture
def seller_client(seller):
    client = APIClient()
    client.force_authenticate(seller)
    return client


def make_listing(seller, buyer, status):
    return ListingFactory(
        seller=seller,
        status=status,
        reserved_for=buyer if status == RESERVED else None,
        bumped_at=timezone.now() - dt.timedelta(days=3),
    )


@pytest.mark.parametrize(("before", "action", "after"), TRANSITIONS)
def test_status_transition(seller, buyer, seller_client, before, action, after):
    listing = make_listing(seller, buyer, before)
    body = {"buyer": "buyer"} if action == "reserve" else None

    response = seller_client.post(
        f"/api/v1/listings/{listing.pk}/{action}/", body, format="json"
    )

    listing.refresh_from_db()
    if after is None:
        assert response.status_code == 409
        assert response.json() == {
            "detail": f"Cannot {action} listing {listing.pk} because it is "
            f"{before}; {action} is allowed only when the listing is "
            f"{ALLOWED_FROM[action]}.",
            "status": before,
        }
        assert listing.status == before
    else:
        assert response.status_code == 200
        assert response.json()["status"] == after
        assert listing.status == after


@pytest.mark.parametrize(
    ("before", "action", "buyer_after"),
    [
        (ACTIVE, "reserve", "buyer"),
        (RESERVED, "release", None),
        (RESERVED, "sell", "buyer"),
        (ACTIVE, "sell", None),
    ],
)
def test_transition_sets_buyer(
    seller, buyer, seller_client, before, action, buyer_after
):
    listing = make_listing(seller, buyer, before)
    body = {"buyer": "buyer"} if action == "reserve" else None

    response = seller_client.post(
        f"/api/v1/listings/{listing.pk}/{action}/", body, format="json"
    )

    assert response.status_code == 200
    listing.refresh_from_db()
    reserved_for = listing.reserved_for.username if listing.reserved_for else None
    assert reserved_for == buyer_after
    assert response.json()["reserved_for"] == buyer_after


@pytest.mark.parametrize(
    ("method", "suffix", "body"),
    [
        ("patch", "", {"title": "Back on sale"}),
        ("delete", "", None),
        ("post", "bump/", None),
    ],
)
def test_sold_listing_is_final(seller, seller_client, method, suffix, body):
    listing = make_listing(seller, None, SOLD)

    response = getattr(seller_client, method)(
        f"/api/v1/listings/{listing.pk}/{suffix}", body, format="json"
    )

    assert response.status_code == 409
    assert response.json()["status"] == "sold"
    listing.refresh_from_db()
    assert listing.status == SOLD
    assert listing.title != "Back on sale"


@pytest.mark.parametrize("status", [RESERVED, HIDDEN])
def test_only_active_listing_can_be_bumped(seller, buyer, seller_client, status):
    listing = make_listing(seller, buyer, status)

    response = seller_client.post(f"/api/v1/listings/{listing.pk}/bump/")

    assert response.status_code == 409
    assert response.json()["detail"] == (
        f"Cannot bump listing {listing.pk} because it is {status}; bump is "
        "allowed only when the listing is active."
    )


@pytest.mark.parametrize("status", [ACTIVE, RESERVED, HIDDEN])
def test_edit_allowed_unless_sold(seller, buyer, seller_client, status):
    listing = make_listing(seller, buyer, status)

    response = seller_client.patch(
        f"/api/v1/listings/{listing.pk}/", {"title": "New title"}, format="json"
    )

    assert response.status_code == 200
    listing.refresh_from_db()
    assert listing.title == "New title"
    assert listing.status == status


def test_reserve_for_seller_rejected(seller, seller_client):
    listing = make_listing(seller, None, ACTIVE)

    response = seller_client.post(
        f"/api/v1/listings/{listing.pk}/reserve/", {"buyer": "seller"}, format="json"
    )

    assert response.status_code == 400
    assert response.json() == {
        "buyer": [
            f"User 'seller' is the seller of listing {listing.pk}; reserve it "
            "for another user."
        ]
    }
    listing.refresh_from_db()
    assert listing.status == ACTIVE


def test_reserve_for_unknown_user_rejected(seller, seller_client):
    listing = make_listing(seller, None, ACTIVE)

    response = seller_client.post(
        f"/api/v1/listings/{listing.pk}/reserve/", {"buyer": "nobody"}, format="json"
    )

    assert response.status_code == 400
    assert response.json() == {
        "buyer": ["No user has the username 'nobody'; check the name."]
    }


def test_reserve_for_deactivated_user_rejected(seller, seller_client):
    UserFactory(username="gone", is_active=False)
    listing = make_listing(seller, None, ACTIVE)

    response = seller_client.post(
        f"/api/v1/listings/{listing.pk}/reserve/", {"buyer": "gone"}, format="json"
    )

    assert response.status_code == 400
    assert response.json() == {
        "buyer": ["User 'gone' is deactivated; reserve the listing for an active user."]
    }


def test_service_acts_on_current_status(seller, buyer):
    listing = make_listing(seller, buyer, ACTIVE)
    stale_copy = Listing.objects.get(pk=listing.pk)
    services.mark_listing_sold(listing=listing)

    with pytest.raises(services.ActionNotAllowedError) as caught:
        services.reserve_listing(listing=stale_copy, buyer=buyer)

    assert caught.value.status == SOLD
    listing.refresh_from_db()
    assert listing.status == SOLD
    assert listing.reserved_for is None


def test_unhide_does_not_bump(seller, buyer, seller_client):
    listing = make_listing(seller, buyer, HIDDEN)
    bumped_at = listing.bumped_at

    seller_client.post(f"/api/v1/listings/{listing.pk}/unhide/")

    listing.refresh_from_db()
    assert listing.status == ACTIVE
    assert listing.bumped_at == bumped_at
