from decimal import Decimal

import pytest

from listings.models import Listing
from notifications.models import Notification
from orders import services
from orders.models import Offer, Order, OrderItem
from orders.services import Unavailability
from orders.tests.factories import hold_listing
from recommender.models import Interaction
from recommender.tests.factories import ListingFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_checkout_snapshots_title_price_and_seller(seller, buyer):
    listing = ListingFactory(seller=seller, title="Pixel 7", price=Decimal("300"))

    result = services.checkout(buyer=buyer, listing_pks=[listing.pk])

    (order,) = result.orders
    assert result.unavailable == []
    assert order.buyer == buyer
    assert order.seller == seller
    assert order.status == Order.Status.ARRANGED
    assert order.payment_status == Order.PaymentStatus.NONE
    assert order.payment_reference == ""
    (item,) = order.items.all()
    assert (item.title, item.price, item.currency) == ("Pixel 7", Decimal("300"), "USD")
    listing.refresh_from_db()
    assert listing.status == Listing.Status.SOLD
    assert listing.reserved_for == buyer


def test_checkout_keeps_snapshot_after_listing_changes(seller, buyer):
    listing = ListingFactory(seller=seller, title="Pixel 7", price=Decimal("300"))
    (order,) = services.checkout(buyer=buyer, listing_pks=[listing.pk]).orders
    services.cancel_order(order=order, user=buyer)

    Listing.objects.filter(pk=listing.pk).update(title="Renamed", price=10)
    listing.delete()

    (item,) = Order.objects.get(pk=order.pk).items.all()
    assert item.listing_id is None
    assert (item.title, item.price) == ("Pixel 7", Decimal("300.00"))


def test_checkout_is_all_or_nothing_per_seller(buyer):
    camera_seller = UserFactory(username="camera-seller")
    phone_seller = UserFactory(username="phone-seller")
    camera = ListingFactory(seller=camera_seller, title="Camera")
    lens = ListingFactory(seller=camera_seller, title="Lens")
    phone = ListingFactory(seller=phone_seller, title="Phone")
    Listing.objects.filter(pk=lens.pk).update(status=Listing.Status.SOLD)

    result = services.checkout(buyer=buyer, listing_pks=[camera.pk, lens.pk, phone.pk])

    (order,) = result.orders
    assert order.seller == phone_seller
    assert [item.title for item in order.items.all()] == ["Phone"]
    assert [(item.listing_pk, item.reason) for item in result.unavailable] == [
        (lens.pk, Unavailability.SOLD)
    ]
    camera.refresh_from_db()
    assert camera.status == Listing.Status.ACTIVE


def test_checkout_makes_one_order_per_seller(buyer):
    first_seller = UserFactory(username="first-seller")
    second_seller = UserFactory(username="second-seller")
    listings = [
        ListingFactory(seller=first_seller),
        ListingFactory(seller=first_seller),
        ListingFactory(seller=second_seller),
    ]

    result = services.checkout(buyer=buyer, listing_pks=[x.pk for x in listings])

    assert len(result.orders) == 2
    counts = {order.seller_id: order.items.count() for order in result.orders}
    assert counts == {first_seller.pk: 2, second_seller.pk: 1}


@pytest.mark.parametrize(
    ("status", "reason", "text"),
    [
        (Listing.Status.SOLD, Unavailability.SOLD, "is already sold"),
        (Listing.Status.HIDDEN, Unavailability.HIDDEN, "is hidden by its seller"),
    ],
)
def test_checkout_rejects_unavailable_listing(seller, buyer, status, reason, text):
    listing = ListingFactory(seller=seller, title="Router", status=status)

    with pytest.raises(services.ListingsUnavailableError) as caught:
        services.checkout(buyer=buyer, listing_pks=[listing.pk])

    assert [item.reason for item in caught.value.unavailable] == [reason]
    assert str(caught.value) == f"Listing {listing.pk} ('Router') {text}."
    assert Order.objects.count() == 0


def test_checkout_rejects_listing_reserved_for_another(seller, buyer):
    listing = ListingFactory(seller=seller)
    hold_listing(listing, UserFactory(username="holder"))

    with pytest.raises(services.ListingsUnavailableError) as caught:
        services.checkout(buyer=buyer, listing_pks=[listing.pk])

    assert [item.reason for item in caught.value.unavailable] == [
        Unavailability.RESERVED
    ]


def test_checkout_rejects_own_and_missing_listings(seller):
    listing = ListingFactory(seller=seller)

    with pytest.raises(services.ListingsUnavailableError) as caught:
        services.checkout(buyer=seller, listing_pks=[listing.pk, 999999])

    reasons = {(item.listing_pk, item.reason) for item in caught.value.unavailable}
    assert reasons == {
        (listing.pk, Unavailability.OWN_LISTING),
        (999999, Unavailability.MISSING),
    }


def test_checkout_rejects_empty_request(buyer):
    with pytest.raises(services.InvalidInputError) as caught:
        services.checkout(buyer=buyer, listing_pks=[])

    assert caught.value.errors == {
        "listings": ["No listings to buy; add listings to the cart first."]
    }


def test_checkout_uses_accepted_offer_price(seller, buyer):
    listing = ListingFactory(seller=seller, price=Decimal("50.00"))
    offer = hold_listing(listing, buyer, amount=Decimal("42.00"))

    (order,) = services.checkout(buyer=buyer, listing_pks=[listing.pk]).orders

    (item,) = order.items.all()
    assert item.price == Decimal("42.00")
    assert item.offer == offer
    offer.refresh_from_db()
    assert offer.status == Offer.Status.PURCHASED


def test_checkout_records_purchase_and_notifies_seller(seller, buyer):
    listing = ListingFactory(seller=seller)

    (order,) = services.checkout(buyer=buyer, listing_pks=[listing.pk]).orders

    interaction = Interaction.objects.get(kind=Interaction.Kind.PURCHASE)
    assert interaction.user == buyer
    assert interaction.listing == listing
    assert interaction.product_id == listing.product_id
    assert interaction.source == Interaction.Source.SITE
    notification = Notification.objects.get(user=seller)
    assert notification.kind == Notification.Kind.ORDER_PLACED
    assert notification.data == {"order": order.pk}


def test_checkout_cart_empties_bought_items(seller, buyer):
    bought = ListingFactory(seller=seller)
    gone = ListingFactory(seller=UserFactory(username="other-seller"))
    services.add_to_cart(user=buyer, session=None, listing=bought)
    services.add_to_cart(user=buyer, session=None, listing=gone)
    Listing.objects.filter(pk=gone.pk).update(status=Listing.Status.SOLD)

    result = services.checkout_cart(buyer=buyer)

    assert len(result.orders) == 1
    remaining = list(buyer.cart.items.values_list("listing_id", flat=True))
    assert remaining == [gone.pk]


def test_cancel_makes_listing_active_again(seller, buyer):
    listing = ListingFactory(seller=seller)
    (order,) = services.checkout(buyer=buyer, listing_pks=[listing.pk]).orders

    services.cancel_order(order=order, user=seller)

    order.refresh_from_db()
    assert order.status == Order.Status.CANCELLED
    assert order.cancelled_by == seller
    assert order.cancelled_at is not None
    listing.refresh_from_db()
    assert listing.status == Listing.Status.ACTIVE
    assert listing.reserved_for is None
    assert OrderItem.objects.get(order=order).is_active is False
    # Relisted, it can be bought again.
    other = UserFactory(username="second-buyer")
    (again,) = services.checkout(buyer=other, listing_pks=[listing.pk]).orders
    assert again.buyer == other


def test_cancel_keeps_listing_changed_meanwhile(seller, buyer):
    listing = ListingFactory(seller=seller)
    (order,) = services.checkout(buyer=buyer, listing_pks=[listing.pk]).orders
    # Staff reassigned the sale in the admin after the order was placed.
    staff_buyer = UserFactory(username="staff-buyer")
    Listing.objects.filter(pk=listing.pk).update(reserved_for=staff_buyer)

    services.cancel_order(order=order, user=buyer)

    listing.refresh_from_db()
    assert listing.status == Listing.Status.SOLD
    assert listing.reserved_for == staff_buyer


def test_complete_then_cancel_is_rejected(seller, buyer):
    listing = ListingFactory(seller=seller)
    (order,) = services.checkout(buyer=buyer, listing_pks=[listing.pk]).orders
    services.complete_order(order=order, user=buyer)

    with pytest.raises(services.ConflictError) as caught:
        services.cancel_order(order=order, user=seller)

    assert str(caught.value) == (
        f"Cannot cancel order {order.pk} because it is completed; only an "
        "arranged order can change."
    )
    listing.refresh_from_db()
    assert listing.status == Listing.Status.SOLD


def test_only_parties_change_an_order(seller, buyer):
    listing = ListingFactory(seller=seller)
    (order,) = services.checkout(buyer=buyer, listing_pks=[listing.pk]).orders
    stranger = UserFactory(username="stranger")

    with pytest.raises(services.ConflictError):
        services.cancel_order(order=order, user=stranger)
    with pytest.raises(services.ConflictError):
        services.complete_order(order=order, user=stranger)

    order.refresh_from_db()
    assert order.status == Order.Status.ARRANGED
