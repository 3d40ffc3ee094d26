from decimal import Decimal

import pytest
from django.test import Client

from listings.models import Listing
from orders import services
from orders.models import Order, Rating
from recommender.tests.factories import ListingFactory, UserFactory

pytestmark = pytest.mark.django_db


def signed_in(user):
    client = Client()
    client.force_login(user)
    return client


def test_cart_page_lists_unavailable_reason(seller, buyer):
    listing = ListingFactory(seller=seller, title="Old router")
    services.add_to_cart(user=buyer, session=None, listing=listing)
    Listing.objects.filter(pk=listing.pk).update(status=Listing.Status.SOLD)

    response = signed_in(buyer).get("/cart/")

    assert response.status_code == 200
    assert "Old router" in response.text
    assert "Unavailable: This listing is already sold." in response.text


def test_anonymous_visitor_adds_through_page(seller):
    listing = ListingFactory(seller=seller, title="Camera")
    client = Client()

    response = client.post(f"/cart/add/{listing.pk}/")

    assert response.status_code == 302
    page = client.get("/cart/")
    assert "Camera" in page.text
    assert "Sign in</a> to check out" in page.text


def test_checkout_page_then_complete_and_rate(seller, buyer):
    listing = ListingFactory(seller=seller, title="Tablet")
    services.add_to_cart(user=buyer, session=None, listing=listing)
    client = signed_in(buyer)

    assert client.post("/cart/checkout/").status_code == 302
    order = Order.objects.get(buyer=buyer)
    assert "Tablet" in client.get("/orders/").text
    client.post(f"/orders/{order.pk}/", {"action": "complete"})
    client.post(
        f"/orders/{order.pk}/",
        {"action": "rate", "score": "4", "tags": ["punctual"], "comment": "Fine"},
    )

    order.refresh_from_db()
    assert order.status == Order.Status.COMPLETED
    rating = Rating.objects.get()
    assert (rating.score, rating.tags, rating.comment) == (4, ["punctual"], "Fine")
    page = client.get(f"/orders/{order.pk}/")
    assert "buyer gave 4 of 5 (punctual): Fine" in page.text


def test_order_page_shows_service_error(seller, buyer):
    listing = ListingFactory(seller=seller)
    (order,) = services.checkout(buyer=buyer, listing_pks=[listing.pk]).orders
    client = signed_in(buyer)

    response = client.post(
        f"/orders/{order.pk}/", {"action": "rate", "score": "5"}, follow=True
    )

    assert (
        f"Cannot rate order {order.pk} because it is arranged; rate it after "
        "it is completed." in response.text
    )


def test_order_page_of_others_is_not_found(seller, buyer):
    listing = ListingFactory(seller=seller)
    (order,) = services.checkout(buyer=buyer, listing_pks=[listing.pk]).orders
    stranger = signed_in(UserFactory(username="stranger"))

    assert stranger.get(f"/orders/{order.pk}/").status_code == 404
    assert (
        stranger.post(f"/orders/{order.pk}/", {"action": "cancel"}).status_code == 404
    )
    order.refresh_from_db()
    assert order.status == Order.Status.ARRANGED


@pytest.mark.parametrize("url", ["/orders/", "/offers/", "/favorites/"])
def test_pages_need_sign_in(url):
    response = Client().get(url)

    assert response.status_code == 302
    assert response.url == f"/accounts/login/?next={url}"


def test_favorites_and_offers_pages(seller, buyer):
    listing = ListingFactory(seller=seller, title="Drone")
    services.add_favorite(user=buyer, listing=listing)
    services.make_offer(buyer=buyer, listing=listing, amount=Decimal("30"))
    client = signed_in(buyer)

    assert "Drone" in client.get("/favorites/").text
    offers = client.get("/offers/").text
    assert "30.00 USD" in offers
    assert "Waiting for the seller" in offers


def test_order_page_rejects_non_numeric_score(seller, buyer):
    listing = ListingFactory(seller=seller)
    (order,) = services.checkout(buyer=buyer, listing_pks=[listing.pk]).orders
    services.complete_order(order=order, user=seller)

    response = signed_in(buyer).post(
        f"/orders/{order.pk}/", {"action": "rate", "score": "five"}, follow=True
    )

    assert "Score &#x27;five&#x27; is invalid; give a whole number from 1 to 5." in (
        response.text
    )
    assert Rating.objects.count() == 0
