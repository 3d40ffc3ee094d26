from decimal import Decimal

import pytest

from notifications.models import Notification
from orders import services
from recommender.tests.factories import ListingFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def records(seller, buyer):
    listing = ListingFactory(seller=seller)
    favorite, _ = services.add_favorite(user=buyer, listing=listing)
    item, _ = services.add_to_cart(user=buyer, session=None, listing=listing)
    offer = services.make_offer(buyer=buyer, listing=listing, amount=Decimal("30"))
    (order,) = services.checkout(buyer=buyer, listing_pks=[listing.pk]).orders
    services.complete_order(order=order, user=seller)
    rating = services.rate_order(order=order, rater=buyer, score=5)
    return {
        "orders/favorite": favorite,
        "orders/cart": item.cart,
        "orders/offer": offer,
        "orders/order": order,
        "orders/rating": rating,
        "notifications/notification": Notification.objects.first(),
    }


@pytest.mark.parametrize(
    "model",
    [
        "orders/favorite",
        "orders/cart",
        "orders/offer",
        "orders/order",
        "orders/rating",
        "notifications/notification",
    ],
)
def test_admin_pages_open(admin_client, records, model):
    changelist = admin_client.get(f"/admin/{model}/")
    change = admin_client.get(f"/admin/{model}/{records[model].pk}/change/")

    assert changelist.status_code == 200
    assert change.status_code == 200


def test_admin_order_page_shows_snapshot(admin_client, records):
    order = records["orders/order"]

    page = admin_client.get(f"/admin/orders/order/{order.pk}/change/").text

    item = order.items.get()
    assert item.title in page
    assert 'name="buyer"' not in page
    assert 'name="status"' not in page


def test_admin_cart_hides_session_token(admin_client, records):
    cart = records["orders/cart"]

    page = admin_client.get(f"/admin/orders/cart/{cart.pk}/change/").text

    assert 'name="session_token"' not in page
