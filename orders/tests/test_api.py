"""The orders API: flows through the endpoints and who may use each one."""

from decimal import Decimal

import pytest
from rest_framework.test import APIClient

from listings.models import Listing
from notifications.models import Notification
from orders import services
from orders.models import CartItem, Favorite, Offer, Order
from recommender.tests.factories import ListingFactory, UserFactory

pytestmark = pytest.mark.django_db


def client_for(user=None):
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


@pytest.fixture
def world(seller, buyer):
    """A buyer with a favorite, a cart item, an offer and an order."""
    favorite_listing = ListingFactory(seller=seller, title="Favorite")
    cart_listing = ListingFactory(seller=seller, title="In cart")
    offer_listing = ListingFactory(seller=seller, title="Offered")
    bought_listing = ListingFactory(seller=seller, title="Bought")
    services.add_favorite(user=buyer, listing=favorite_listing)
    services.add_to_cart(user=buyer, session=None, listing=cart_listing)
    offer = services.make_offer(
        buyer=buyer, listing=offer_listing, amount=Decimal("30")
    )
    (order,) = services.checkout(buyer=buyer, listing_pks=[bought_listing.pk]).orders
    return {
        "favorite_listing": favorite_listing,
        "cart_listing": cart_listing,
        "offer": offer,
        "order": order,
        "notification": Notification.objects.filter(user=seller).first(),
    }


def test_checkout_endpoint_returns_orders(seller, buyer):
    listing = ListingFactory(seller=seller, title="Phone", price=Decimal("120"))
    sold = ListingFactory(seller=UserFactory(username="other"), title="Gone")
    Listing.objects.filter(pk=sold.pk).update(status=Listing.Status.SOLD)

    response = client_for(buyer).post(
        "/api/v1/checkout/", {"listings": [listing.pk, sold.pk]}, format="json"
    )

    assert response.status_code == 201
    body = response.json()
    (order,) = body["orders"]
    assert order["buyer"] == "buyer"
    assert order["seller"] == "seller"
    assert order["status"] == "arranged"
    assert order["items"][0]["title"] == "Phone"
    assert order["items"][0]["price"] == "120.00"
    assert body["unavailable"] == [
        {
            "listing": sold.pk,
            "reason": "sold",
            "message": f"Listing {sold.pk} ('Gone') is already sold.",
        }
    ]


def test_checkout_endpoint_says_already_sold(seller, buyer):
    listing = ListingFactory(seller=seller, title="Phone")
    services.checkout(buyer=UserFactory(username="first"), listing_pks=[listing.pk])

    response = client_for(buyer).post(
        "/api/v1/checkout/", {"listings": [listing.pk]}, format="json"
    )

    assert response.status_code == 409
    assert response.json() == {
        "detail": f"Listing {listing.pk} ('Phone') is already sold.",
        "unavailable": [
            {
                "listing": listing.pk,
                "reason": "sold",
                "message": f"Listing {listing.pk} ('Phone') is already sold.",
            }
        ],
    }


def test_checkout_endpoint_buys_cart_by_default(seller, buyer):
    listing = ListingFactory(seller=seller)
    services.add_to_cart(user=buyer, session=None, listing=listing)

    response = client_for(buyer).post("/api/v1/checkout/", {}, format="json")

    assert response.status_code == 201
    assert len(response.json()["orders"]) == 1


def test_checkout_endpoint_with_empty_cart(buyer):
    response = client_for(buyer).post("/api/v1/checkout/", {}, format="json")

    assert response.status_code == 400
    assert response.json() == {
        "listings": ["No listings to buy; add listings to the cart first."]
    }


def test_offer_flow_through_api(seller, buyer):
    listing = ListingFactory(seller=seller, price=Decimal("50"))
    buyer_client = client_for(buyer)
    seller_client = client_for(seller)

    created = buyer_client.post(
        "/api/v1/offers/", {"listing": listing.pk, "amount": "30"}, format="json"
    )
    assert created.status_code == 201
    offer_pk = created.json()["id"]
    countered = seller_client.post(
        f"/api/v1/offers/{offer_pk}/counter/", {"amount": "45"}, format="json"
    )
    assert countered.status_code == 200
    assert countered.json()["status"] == "countered"
    wrong_turn = seller_client.post(f"/api/v1/offers/{offer_pk}/accept/")
    assert wrong_turn.status_code == 409
    accepted = buyer_client.post(f"/api/v1/offers/{offer_pk}/accept/")

    assert accepted.status_code == 200
    assert accepted.json()["status"] == "accepted"
    assert accepted.json()["accepted_amount"] == "45.00"
    listing.refresh_from_db()
    assert listing.reserved_for == buyer


def test_order_complete_and_rate_through_api(seller, buyer):
    listing = ListingFactory(seller=seller)
    (order,) = services.checkout(buyer=buyer, listing_pks=[listing.pk]).orders
    buyer_client = client_for(buyer)

    early = buyer_client.post(
        f"/api/v1/orders/{order.pk}/rate/", {"score": 5}, format="json"
    )
    assert early.status_code == 409
    completed = client_for(seller).post(f"/api/v1/orders/{order.pk}/complete/")
    assert completed.status_code == 200
    assert completed.json()["status"] == "completed"
    rated = buyer_client.post(
        f"/api/v1/orders/{order.pk}/rate/",
        {"score": 5, "tags": ["punctual"], "comment": "Smooth"},
        format="json",
    )

    assert rated.status_code == 201
    assert rated.json()["score"] == 5
    assert rated.json()["tags"] == ["punctual"]
    bad_tag = buyer_client.post(
        f"/api/v1/orders/{order.pk}/rate/",
        {"score": 5, "tags": ["sneaky"]},
        format="json",
    )
    assert bad_tag.status_code == 400
    assert bad_tag.json() == {"tags": {"0": ['"sneaky" is not a valid choice.']}}


def test_orders_role_filter(seller, buyer):
    listing = ListingFactory(seller=seller)
    services.checkout(buyer=buyer, listing_pks=[listing.pk])

    buying = client_for(buyer).get("/api/v1/orders/", {"role": "buying"}).json()
    selling = client_for(buyer).get("/api/v1/orders/", {"role": "selling"}).json()
    seller_view = client_for(seller).get("/api/v1/orders/", {"role": "selling"})
    bad_role = client_for(buyer).get("/api/v1/orders/", {"role": "owner"})

    assert len(buying) == 1
    assert selling == []
    assert len(seller_view.json()) == 1
    assert bad_role.status_code == 400
    assert bad_role.json() == {
        "role": ["Role 'owner' is not valid; use buying or selling."]
    }


# Requests that must not reveal or change the buyer's rows; each is sent by
# a stranger and must get the given status.
STRANGER_REQUESTS = [
    ("get", "/api/v1/favorites/", 200),
    ("delete", "/api/v1/favorites/{favorite_listing}/", 404),
    ("get", "/api/v1/cart/", 200),
    ("delete", "/api/v1/cart/items/{cart_listing}/", 404),
    ("get", "/api/v1/offers/", 200),
    ("get", "/api/v1/offers/{offer}/", 404),
    ("post", "/api/v1/offers/{offer}/accept/", 404),
    ("post", "/api/v1/offers/{offer}/decline/", 404),
    ("post", "/api/v1/offers/{offer}/counter/", 404),
    ("post", "/api/v1/offers/{offer}/withdraw/", 404),
    ("get", "/api/v1/orders/", 200),
    ("get", "/api/v1/orders/{order}/", 404),
    ("post", "/api/v1/orders/{order}/complete/", 404),
    ("post", "/api/v1/orders/{order}/cancel/", 404),
    ("post", "/api/v1/orders/{order}/rate/", 404),
    ("get", "/api/v1/notifications/", 200),
    ("post", "/api/v1/notifications/{notification}/read/", 404),
]


def fill(url, world):
    return url.format(
        favorite_listing=world["favorite_listing"].pk,
        cart_listing=world["cart_listing"].pk,
        offer=world["offer"].pk,
        order=world["order"].pk,
        notification=world["notification"].pk,
    )


def assert_world_unchanged(world, buyer):
    assert Favorite.objects.filter(
        user=buyer, listing=world["favorite_listing"]
    ).exists()
    assert CartItem.objects.filter(
        cart__user=buyer, listing=world["cart_listing"]
    ).exists()
    assert Offer.objects.get(pk=world["offer"].pk).status == Offer.Status.PENDING
    assert Order.objects.get(pk=world["order"].pk).status == Order.Status.ARRANGED
    assert Notification.objects.get(pk=world["notification"].pk).read_at is None


@pytest.mark.parametrize(("method", "url", "expected"), STRANGER_REQUESTS)
def test_stranger_cannot_see_or_change(world, buyer, method, url, expected):
    stranger = client_for(UserFactory(username="stranger"))
    body = {"amount": "20", "score": 1}

    response = getattr(stranger, method)(fill(url, world), body, format="json")

    assert response.status_code == expected
    if expected == 200:
        assert response.json() == []
    assert_world_unchanged(world, buyer)


ANONYMOUS_REQUESTS = [
    (method, url)
    for method, url, _ in STRANGER_REQUESTS
    if not url.startswith("/api/v1/cart/")
] + [("post", "/api/v1/checkout/"), ("post", "/api/v1/favorites/")]


@pytest.mark.parametrize(("method", "url"), ANONYMOUS_REQUESTS)
def test_anonymous_requests_need_sign_in(world, buyer, method, url):
    response = getattr(client_for(), method)(fill(url, world), {}, format="json")

    assert response.status_code == 403
    assert response.json() == {
        "detail": "Authentication credentials were not provided."
    }
    assert_world_unchanged(world, buyer)


def test_anonymous_cart_is_empty_for_another_visitor(world):
    response = client_for().get("/api/v1/cart/")

    assert response.status_code == 200
    assert response.json() == []


def test_seller_sees_offer_but_cannot_withdraw(world, seller):
    offer = world["offer"]
    seller_client = client_for(seller)

    seen = seller_client.get(f"/api/v1/offers/{offer.pk}/")
    withdraw = seller_client.post(f"/api/v1/offers/{offer.pk}/withdraw/")

    assert seen.status_code == 200
    assert withdraw.status_code == 409
    assert withdraw.json() == {
        "detail": f"Only the buyer can withdraw offer {offer.pk}."
    }


def test_order_shows_party_by_current_name(seller, buyer):
    listing = ListingFactory(seller=seller, title="Speaker")
    services.checkout(buyer=buyer, listing_pks=[listing.pk])
    # Account deletion keeps the row and changes what str(user) returns;
    # a display name stands in for that here.
    type(seller).objects.filter(pk=seller.pk).update(display_name="Deleted user")

    (order,) = client_for(buyer).get("/api/v1/orders/").json()

    assert order["seller"] == "Deleted user"
    assert order["items"][0]["title"] == "Speaker"
