import datetime as dt

import pytest
from allauth.account.models import EmailAddress
from django.test import Client
from django.utils import timezone

from listings.models import Listing
from orders import services
from orders.models import Cart
from orders.services import CART_TOKEN_SESSION_KEY
from orders.tasks import delete_stale_anonymous_carts_task
from orders.tests.factories import hold_listing
from recommender.models import Interaction
from recommender.tests.factories import ListingFactory, UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "correct-horse-battery"
CART_URL = "/api/v1/cart/"
CART_ITEMS_URL = "/api/v1/cart/items/"


def add(client, listing):
    return client.post(CART_ITEMS_URL, {"listing": listing.pk})


def sign_in(client, user):
    """Sign in through the real sign-in page, with a verified address."""
    EmailAddress.objects.get_or_create(
        user=user,
        email=f"{user.username}@example.com",
        defaults={"verified": True, "primary": True},
    )
    response = client.post(
        "/accounts/login/", {"login": user.username, "password": PASSWORD}
    )
    assert response.status_code == 302, response.content
    return response


def cart_listing_pks(client):
    response = client.get(CART_URL)
    assert response.status_code == 200
    return [line["listing"]["id"] for line in response.json()]


def test_anonymous_cart_merges_at_sign_in(seller, buyer):
    first = ListingFactory(seller=seller)
    second = ListingFactory(seller=seller)
    client = Client()
    assert add(client, first).status_code == 201
    assert add(client, second).status_code == 201
    anonymous_session_key = client.session.session_key

    sign_in(client, buyer)

    assert client.session.session_key != anonymous_session_key
    assert CART_TOKEN_SESSION_KEY not in client.session
    assert cart_listing_pks(client) == [first.pk, second.pk]
    assert Cart.objects.filter(user__isnull=True).count() == 0
    kinds = list(
        Interaction.objects.filter(user=buyer).values_list("kind", "listing_id")
    )
    assert sorted(kinds) == sorted(
        [(Interaction.Kind.CART, first.pk), (Interaction.Kind.CART, second.pk)]
    )


def test_merge_skips_duplicates_and_own_listings(seller, buyer):
    shared = ListingFactory(seller=seller)
    new = ListingFactory(seller=seller)
    own = ListingFactory(seller=buyer)
    services.add_to_cart(user=buyer, session=None, listing=shared)
    client = Client()
    for listing in (shared, new, own):
        assert add(client, listing).status_code == 201

    sign_in(client, buyer)

    assert cart_listing_pks(client) == [shared.pk, new.pk]


def test_merge_leaves_other_visitors_cart(seller, buyer):
    mine = ListingFactory(seller=seller)
    theirs = ListingFactory(seller=seller)
    client = Client()
    other_visitor = Client()
    add(client, mine)
    add(other_visitor, theirs)

    sign_in(client, buyer)

    assert cart_listing_pks(client) == [mine.pk]
    assert cart_listing_pks(other_visitor) == [theirs.pk]
    assert Cart.objects.filter(user__isnull=True).count() == 1


def test_sign_in_without_anonymous_cart_keeps_user_cart(seller, buyer):
    listing = ListingFactory(seller=seller)
    services.add_to_cart(user=buyer, session=None, listing=listing)
    client = Client()

    sign_in(client, buyer)

    assert cart_listing_pks(client) == [listing.pk]


def test_sign_out_leaves_no_cart_behind(seller, buyer):
    listing = ListingFactory(seller=seller)
    client = Client()
    add(client, listing)
    sign_in(client, buyer)

    response = client.post("/accounts/logout/")

    assert response.status_code == 302
    assert CART_TOKEN_SESSION_KEY not in client.session
    assert cart_listing_pks(client) == []
    assert Cart.objects.filter(user__isnull=True).count() == 0
    # The account keeps its cart for the next sign-in.
    sign_in(client, buyer)
    assert cart_listing_pks(client) == [listing.pk]


def test_cart_shows_sold_and_reserved_as_unavailable(seller, buyer):
    sold = ListingFactory(seller=seller, title="Sold lens")
    reserved = ListingFactory(seller=seller, title="Reserved lens")
    available = ListingFactory(seller=seller, title="Free lens")
    for listing in (sold, reserved, available):
        services.add_to_cart(user=buyer, session=None, listing=listing)
    services.checkout(buyer=UserFactory(username="rival"), listing_pks=[sold.pk])
    hold_listing(reserved, UserFactory(username="holder"))
    client = Client()
    client.force_login(buyer)

    lines = client.get(CART_URL).json()

    summary = [
        (line["listing"]["title"], line["is_available"], line["unavailable_reason"])
        for line in lines
    ]
    assert summary == [
        ("Sold lens", False, "sold"),
        ("Reserved lens", False, "reserved"),
        ("Free lens", True, None),
    ]
    assert lines[0]["message"] == "This listing is already sold."
    assert lines[1]["message"] == "This listing is reserved for another buyer."
    assert lines[2]["message"] == ""


def test_cart_shows_held_listing_at_offer_price(seller, buyer):
    listing = ListingFactory(seller=seller)
    hold_listing(listing, buyer, amount="35.00")
    services.add_to_cart(user=buyer, session=None, listing=listing)
    client = Client()
    client.force_login(buyer)

    (line,) = client.get(CART_URL).json()

    assert line["is_available"] is True
    assert line["price"] == "35.00"


@pytest.mark.parametrize(
    ("status", "reason"),
    [(Listing.Status.SOLD, "sold"), (Listing.Status.RESERVED, "reserved")],
)
def test_add_rejects_unavailable_listing(seller, buyer, status, reason):
    listing = ListingFactory(seller=seller)
    if status == Listing.Status.RESERVED:
        hold_listing(listing, UserFactory(username="holder"))
    else:
        Listing.objects.filter(pk=listing.pk).update(status=status)
    client = Client()
    client.force_login(buyer)

    response = add(client, listing)

    assert response.status_code == 409
    assert response.json()["unavailable"][0]["reason"] == reason
    assert cart_listing_pks(client) == []


def test_add_rejects_own_listing(seller):
    listing = ListingFactory(seller=seller, title="Mine")
    client = Client()
    client.force_login(seller)

    response = add(client, listing)

    assert response.status_code == 409
    assert (
        response.json()["detail"]
        == f"Listing {listing.pk} ('Mine') is your own listing."
    )


def test_add_hidden_listing_is_not_found(seller, buyer):
    listing = ListingFactory(seller=seller, status=Listing.Status.HIDDEN)
    client = Client()
    client.force_login(buyer)

    response = add(client, listing)

    assert response.status_code == 404
    assert response.json()["detail"] == f"Listing {listing.pk} was not found."


def test_add_twice_keeps_one_item(seller, buyer):
    listing = ListingFactory(seller=seller)
    client = Client()
    client.force_login(buyer)

    assert add(client, listing).status_code == 201
    assert add(client, listing).status_code == 200

    assert cart_listing_pks(client) == [listing.pk]
    assert Interaction.objects.filter(kind=Interaction.Kind.CART).count() == 1


def test_remove_from_cart(seller, buyer):
    listing = ListingFactory(seller=seller)
    client = Client()
    client.force_login(buyer)
    add(client, listing)

    assert client.delete(f"{CART_ITEMS_URL}{listing.pk}/").status_code == 204
    assert client.delete(f"{CART_ITEMS_URL}{listing.pk}/").status_code == 404
    assert cart_listing_pks(client) == []


def test_stale_anonymous_carts_are_deleted(settings, seller, buyer):
    old_listing = ListingFactory(seller=seller)
    fresh_listing = ListingFactory(seller=seller)
    old_visitor = Client()
    fresh_visitor = Client()
    add(old_visitor, old_listing)
    add(fresh_visitor, fresh_listing)
    services.add_to_cart(user=buyer, session=None, listing=old_listing)
    stale_time = timezone.now() - dt.timedelta(seconds=settings.SESSION_COOKIE_AGE + 60)
    Cart.objects.exclude(items__listing=fresh_listing).update(updated_at=stale_time)

    deleted = delete_stale_anonymous_carts_task.delay().get()

    assert deleted == 1
    assert cart_listing_pks(old_visitor) == []
    assert cart_listing_pks(fresh_visitor) == [fresh_listing.pk]
    # A signed-in user's cart is never deleted for age.
    assert Cart.objects.get(user=buyer).items.count() == 1
