import threading
from decimal import Decimal

import pytest
from django.db import connection
from rest_framework.test import APIClient

from listings import services as listing_services
from notifications.models import Notification
from orders import selectors, services
from orders.models import Favorite
from orders.tests.factories import FavoriteFactory
from recommender.models import Interaction
from recommender.tests.factories import ListingFactory, UserFactory

JOIN_TIMEOUT_SECONDS = 120


@pytest.mark.django_db(transaction=True)
def test_favorite_count_under_concurrent_clicks(seller):
    listing = ListingFactory(seller=seller)
    users = [UserFactory(username=f"fan{i}") for i in range(10)]
    # Every user clicks twice at the same moment: 20 threads, 10 users.
    clicks = [user for user in users for _ in range(2)]
    barrier = threading.Barrier(len(clicks))
    created = []
    errors = []

    def click(user):
        try:
            barrier.wait()
            _, is_new = services.add_favorite(user=user, listing=listing)
            created.append(is_new)
        except Exception as error:  # reported by the assert below
            errors.append(repr(error))
        finally:
            connection.close()

    threads = [threading.Thread(target=click, args=(user,)) for user in clicks]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(JOIN_TIMEOUT_SECONDS)

    assert errors == []
    assert created.count(True) == 10
    assert created.count(False) == 10
    assert selectors.favorite_counts(listing_pks=[listing.pk]) == {listing.pk: 10}
    assert Favorite.objects.filter(listing=listing).count() == 10
    assert Interaction.objects.filter(kind=Interaction.Kind.FAVORITE).count() == 10


@pytest.mark.django_db
def test_favorite_add_list_remove_through_api(seller, buyer):
    first = ListingFactory(seller=seller, title="First")
    second = ListingFactory(seller=seller, title="Second")
    client = APIClient()
    client.force_authenticate(buyer)

    assert client.post("/api/v1/favorites/", {"listing": first.pk}).status_code == 201
    assert client.post("/api/v1/favorites/", {"listing": second.pk}).status_code == 201
    assert client.post("/api/v1/favorites/", {"listing": first.pk}).status_code == 200
    titles = [f["listing"]["title"] for f in client.get("/api/v1/favorites/").json()]
    assert titles == ["Second", "First"]

    assert client.delete(f"/api/v1/favorites/{first.pk}/").status_code == 204
    assert client.delete(f"/api/v1/favorites/{first.pk}/").status_code == 404
    titles = [f["listing"]["title"] for f in client.get("/api/v1/favorites/").json()]
    assert titles == ["Second"]


@pytest.mark.django_db
def test_favorite_counts_endpoint(seller):
    listing = ListingFactory(seller=seller)
    unliked = ListingFactory(seller=seller)
    FavoriteFactory(listing=listing)
    FavoriteFactory(listing=listing)

    response = APIClient().get(
        "/api/v1/favorites/counts/", {"listings": f"{listing.pk},{unliked.pk}"}
    )

    assert response.status_code == 200
    assert response.json() == {str(listing.pk): 2, str(unliked.pk): 0}


@pytest.mark.django_db
def test_favorite_counts_rejects_bad_ids():
    response = APIClient().get("/api/v1/favorites/counts/", {"listings": "1,abc"})

    assert response.status_code == 400
    assert response.json() == {
        "listings": ["Invalid listing ids ['abc']; give positive integers."]
    }


@pytest.mark.django_db
def test_favorite_own_listing_rejected(seller):
    listing = ListingFactory(seller=seller)
    client = APIClient()
    client.force_authenticate(seller)

    response = client.post("/api/v1/favorites/", {"listing": listing.pk})

    assert response.status_code == 400
    assert response.json() == {
        "listing": [
            f"Listing {listing.pk} is your own listing; favorite listings of "
            "other sellers."
        ]
    }
    assert Favorite.objects.count() == 0


@pytest.mark.django_db
def test_price_drop_notifies_everyone_who_favorited(seller):
    listing = ListingFactory(seller=seller, title="Lens", price=Decimal("50.00"))
    fans = [FavoriteFactory(listing=listing).user for _ in range(3)]
    bystander = UserFactory(username="bystander")

    listing_services.update_listing(listing=listing, price=Decimal("40.00"))

    notifications = Notification.objects.filter(kind=Notification.Kind.PRICE_DROP)
    assert sorted(n.user_id for n in notifications) == sorted(f.pk for f in fans)
    assert not Notification.objects.filter(user=bystander).exists()
    notification = notifications.first()
    assert notification.message == "Lens dropped from 50.00 to 40.00 USD."
    assert notification.listing == listing
    assert notification.data == {
        "listing": listing.pk,
        "old_price": "50.00",
        "new_price": "40.00",
        "currency": "USD",
    }


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("price", "currency"),
    [
        (Decimal("60.00"), "USD"),
        (Decimal("50.00"), "USD"),
        (Decimal("40.00"), "EUR"),
    ],
)
def test_no_notification_without_price_drop(seller, price, currency):
    listing = ListingFactory(seller=seller, price=Decimal("50.00"))
    FavoriteFactory(listing=listing)

    listing_services.update_listing(listing=listing, price=price, currency=currency)

    assert Notification.objects.count() == 0


@pytest.mark.django_db
def test_edit_without_price_change_sends_nothing(seller):
    listing = ListingFactory(seller=seller)
    FavoriteFactory(listing=listing)

    listing_services.update_listing(listing=listing, title="New title")

    assert Notification.objects.count() == 0
