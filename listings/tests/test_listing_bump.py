import datetime as dt

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from listings.models import Listing
from recommender.tests.factories import ListingFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def seller():
    return UserFactory(username="seller")


@pytest.fixture
def seller_client(seller):
    client = APIClient()
    client.force_authenticate(seller)
    return client


def bump(client, listing):
    return client.post(f"/api/v1/listings/{listing.pk}/bump/")


def newest_first_pks():
    response = APIClient().get("/api/v1/listings/", {"page_size": 100})
    return [item["id"] for item in response.json()["results"]]


def test_bump_moves_listing_to_now(seller, seller_client):
    listing = ListingFactory(
        seller=seller, bumped_at=timezone.now() - dt.timedelta(days=2)
    )
    before = timezone.now()

    response = bump(seller_client, listing)

    assert response.status_code == 200
    listing.refresh_from_db()
    assert listing.bumped_at >= before
    assert response.json()["next_bump_at"] == (
        (listing.bumped_at + dt.timedelta(hours=24)).isoformat().replace("+00:00", "Z")
    )


def test_new_listing_cannot_be_bumped_at_once(seller, seller_client):
    listing = ListingFactory(seller=seller)

    response = bump(seller_client, listing)

    assert response.status_code == 429


def test_second_bump_within_a_day_rejected(seller, seller_client):
    listing = ListingFactory(
        seller=seller, bumped_at=timezone.now() - dt.timedelta(days=2)
    )
    bump(seller_client, listing)
    listing.refresh_from_db()
    first_bump = listing.bumped_at
    next_allowed = first_bump + dt.timedelta(hours=24)

    response = bump(seller_client, listing)

    assert response.status_code == 429
    body = response.json()
    assert body["next_bump_at"] == next_allowed.isoformat().replace("+00:00", "Z")
    assert body["detail"] == (
        f"Listing {listing.pk} was bumped at {first_bump.isoformat()}; a listing "
        "can be bumped once every 24 hours, so the next bump is allowed at "
        f"{next_allowed.isoformat()}."
    )
    retry_after = int(response.headers["Retry-After"])
    assert 0 < retry_after <= 24 * 3600
    listing.refresh_from_db()
    assert listing.bumped_at == first_bump


def test_bump_after_a_day_moves_listing_to_top(seller, seller_client):
    now = timezone.now()
    listing = ListingFactory(seller=seller, bumped_at=now - dt.timedelta(days=3))
    others = [
        ListingFactory(bumped_at=now - dt.timedelta(hours=hours)) for hours in (1, 2, 5)
    ]
    assert bump(seller_client, listing).status_code == 200
    assert bump(seller_client, listing).status_code == 429
    assert newest_first_pks()[0] == listing.pk
    # Move the listing and the other listings 25 hours back, as if a day
    # had passed since the first bump.
    for row in [listing, *others]:
        row.refresh_from_db()
        Listing.objects.filter(pk=row.pk).update(
            bumped_at=row.bumped_at - dt.timedelta(hours=25)
        )
    ListingFactory(bumped_at=timezone.now() - dt.timedelta(minutes=5))
    assert newest_first_pks()[0] != listing.pk

    response = bump(seller_client, listing)

    assert response.status_code == 200
    assert newest_first_pks()[0] == listing.pk


def test_edit_does_not_count_as_bump(seller, seller_client):
    listing = ListingFactory(
        seller=seller, bumped_at=timezone.now() - dt.timedelta(days=2)
    )
    seller_client.patch(
        f"/api/v1/listings/{listing.pk}/", {"price": "40.00"}, format="json"
    )

    response = bump(seller_client, listing)

    assert response.status_code == 200
