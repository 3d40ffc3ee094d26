import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from listings.models import Listing
from notifications.models import Notification
from orders import services
from orders.models import Offer
from orders.tasks import release_expired_holds_task
from orders.tests.factories import OfferFactory
from recommender.models import Interaction
from recommender.tests.factories import ListingFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def listing(seller):
    return ListingFactory(seller=seller, title="Lens", price=Decimal("50.00"))


def test_make_offer_notifies_seller_and_records_interaction(seller, buyer, listing):
    offer = services.make_offer(buyer=buyer, listing=listing, amount=Decimal("40"))

    assert offer.status == Offer.Status.PENDING
    assert offer.amount == Decimal("40.00")
    assert offer.currency == "USD"
    notification = Notification.objects.get(user=seller)
    assert notification.kind == Notification.Kind.OFFER_RECEIVED
    assert notification.message == "buyer offers 40.00 USD for Lens."
    interaction = Interaction.objects.get(user=buyer)
    assert interaction.kind == Interaction.Kind.OFFER
    assert interaction.listing == listing


@pytest.mark.parametrize(
    ("amount", "message"),
    [
        (
            Decimal("60"),
            "Amount 60.00 USD is above the asking price of 50.00 USD; buy at "
            "the asking price instead.",
        ),
        (Decimal("0"), "Amount 0.00 is not positive; offer more than 0."),
        (
            Decimal("10.005"),
            "Amount 10.005 USD has 3 decimal places; USD allows at most 2 "
            "decimal places.",
        ),
    ],
)
def test_make_offer_rejects_bad_amount(buyer, listing, amount, message):
    with pytest.raises(services.InvalidInputError) as caught:
        services.make_offer(buyer=buyer, listing=listing, amount=amount)

    assert caught.value.errors == {"amount": [message]}
    assert Offer.objects.count() == 0


def test_offer_above_price_in_won(seller, buyer):
    listing = ListingFactory(seller=seller, price=Decimal("1200000"), currency="KRW")

    with pytest.raises(services.InvalidInputError) as caught:
        services.make_offer(buyer=buyer, listing=listing, amount=Decimal("1300000"))

    assert caught.value.errors == {
        "amount": [
            "Amount 1300000 KRW is above the asking price of 1200000 KRW; buy "
            "at the asking price instead."
        ]
    }


def test_make_offer_rejects_second_open_offer(buyer, listing):
    services.make_offer(buyer=buyer, listing=listing, amount=Decimal("40"))

    with pytest.raises(services.ConflictError) as caught:
        services.make_offer(buyer=buyer, listing=listing, amount=Decimal("45"))

    assert str(caught.value) == (
        f"You already have an open offer on listing {listing.pk}; withdraw it "
        "before making a new one."
    )
    assert Offer.objects.count() == 1


def test_make_offer_on_own_or_reserved_listing_fails(seller, buyer, listing):
    with pytest.raises(services.InvalidInputError):
        services.make_offer(buyer=seller, listing=listing, amount=Decimal("40"))
    Listing.objects.filter(pk=listing.pk).update(status=Listing.Status.SOLD)
    with pytest.raises(services.ConflictError) as caught:
        services.make_offer(buyer=buyer, listing=listing, amount=Decimal("40"))

    assert str(caught.value) == (
        f"Cannot make an offer on listing {listing.pk} because it is sold; "
        "offers are for active listings."
    )


def test_accept_reserves_listing_for_hold_hours(settings, seller, buyer, listing):
    settings.ORDERS_OFFER_HOLD_HOURS = 6
    offer = services.make_offer(buyer=buyer, listing=listing, amount=Decimal("40"))
    before = timezone.now()

    accepted = services.accept_offer(offer=offer, user=seller)

    assert accepted.status == Offer.Status.ACCEPTED
    assert accepted.accepted_amount == Decimal("40.00")
    hold = accepted.hold_expires_at - before
    assert dt.timedelta(hours=6) <= hold < dt.timedelta(hours=6, seconds=30)
    listing.refresh_from_db()
    assert listing.status == Listing.Status.RESERVED
    assert listing.reserved_for == buyer
    assert Notification.objects.filter(
        user=buyer, kind=Notification.Kind.OFFER_ACCEPTED
    ).exists()


def test_buyer_cannot_accept_own_pending_offer(buyer, listing):
    offer = services.make_offer(buyer=buyer, listing=listing, amount=Decimal("40"))

    with pytest.raises(services.ConflictError) as caught:
        services.accept_offer(offer=offer, user=buyer)

    assert str(caught.value) == (
        f"Cannot accept offer {offer.pk}: it is pending and waits for the seller."
    )
    listing.refresh_from_db()
    assert listing.status == Listing.Status.ACTIVE


def test_counter_then_buyer_accepts_counter(seller, buyer, listing):
    offer = services.make_offer(buyer=buyer, listing=listing, amount=Decimal("30"))

    countered = services.counter_offer(offer=offer, user=seller, amount=Decimal("45"))
    assert countered.status == Offer.Status.COUNTERED
    assert countered.counter_amount == Decimal("45.00")
    with pytest.raises(services.ConflictError):
        services.accept_offer(offer=offer, user=seller)
    accepted = services.accept_offer(offer=offer, user=buyer)

    assert accepted.accepted_amount == Decimal("45.00")
    (order,) = services.checkout(buyer=buyer, listing_pks=[listing.pk]).orders
    assert order.items.get().price == Decimal("45.00")


def test_buyer_counters_back(seller, buyer, listing):
    offer = services.make_offer(buyer=buyer, listing=listing, amount=Decimal("30"))
    services.counter_offer(offer=offer, user=seller, amount=Decimal("45"))

    back = services.counter_offer(offer=offer, user=buyer, amount=Decimal("38"))

    assert back.status == Offer.Status.PENDING
    assert back.amount == Decimal("38.00")
    assert services.accept_offer(offer=offer, user=seller).accepted_amount == Decimal(
        "38.00"
    )


def test_decline_ends_offer(seller, buyer, listing):
    offer = services.make_offer(buyer=buyer, listing=listing, amount=Decimal("30"))

    declined = services.decline_offer(offer=offer, user=seller)

    assert declined.status == Offer.Status.DECLINED
    with pytest.raises(services.ConflictError) as caught:
        services.accept_offer(offer=offer, user=seller)
    assert str(caught.value) == (
        f"Cannot accept offer {offer.pk} because it is declined; only a "
        "pending or countered offer can be answered."
    )
    # A new offer is allowed once the old one is closed.
    services.make_offer(buyer=buyer, listing=listing, amount=Decimal("35"))


def test_accept_fails_once_listing_reserved_for_another(seller, buyer, listing):
    first = services.make_offer(buyer=buyer, listing=listing, amount=Decimal("40"))
    rival = UserFactory(username="rival")
    second = services.make_offer(buyer=rival, listing=listing, amount=Decimal("42"))
    services.accept_offer(offer=second, user=seller)

    with pytest.raises(services.ConflictError) as caught:
        services.accept_offer(offer=first, user=seller)

    assert str(caught.value) == (
        f"Cannot accept offer {first.pk} because listing {listing.pk} is "
        "reserved; an offer can be answered only while the listing is active."
    )
    listing.refresh_from_db()
    assert listing.reserved_for == rival


def test_withdraw_accepted_offer_frees_listing(seller, buyer, listing):
    offer = services.make_offer(buyer=buyer, listing=listing, amount=Decimal("40"))
    services.accept_offer(offer=offer, user=seller)

    withdrawn = services.withdraw_offer(offer=offer, user=buyer)

    assert withdrawn.status == Offer.Status.WITHDRAWN
    listing.refresh_from_db()
    assert listing.status == Listing.Status.ACTIVE
    assert listing.reserved_for is None


def test_expiry_task_releases_expired_holds(seller, buyer, listing):
    offer = services.make_offer(buyer=buyer, listing=listing, amount=Decimal("40"))
    services.accept_offer(offer=offer, user=seller)
    still_held = ListingFactory(seller=seller)
    running = OfferFactory(listing=still_held, buyer=buyer)
    services.accept_offer(offer=running, user=seller)
    Offer.objects.filter(pk=offer.pk).update(
        hold_expires_at=timezone.now() - dt.timedelta(minutes=1)
    )

    released = release_expired_holds_task.delay().get()

    assert released == 1
    offer.refresh_from_db()
    assert offer.status == Offer.Status.EXPIRED
    listing.refresh_from_db()
    assert listing.status == Listing.Status.ACTIVE
    assert listing.reserved_for is None
    still_held.refresh_from_db()
    assert still_held.status == Listing.Status.RESERVED
    running.refresh_from_db()
    assert running.status == Offer.Status.ACCEPTED
    assert (
        Notification.objects.filter(
            user=buyer, kind=Notification.Kind.OFFER_EXPIRED
        ).count()
        == 1
    )
    # A second run finds nothing left to do.
    assert release_expired_holds_task.delay().get() == 0


def test_expiry_leaves_listing_the_seller_changed(seller, buyer, listing):
    offer = services.make_offer(buyer=buyer, listing=listing, amount=Decimal("40"))
    services.accept_offer(offer=offer, user=seller)
    # The seller released the reservation and hid the listing meanwhile.
    Listing.objects.filter(pk=listing.pk).update(
        status=Listing.Status.HIDDEN, reserved_for=None
    )

    released = services.release_expired_holds(now=timezone.now() + dt.timedelta(days=2))

    assert released == 1
    listing.refresh_from_db()
    assert listing.status == Listing.Status.HIDDEN


def test_expiry_skips_purchased_offer(seller, buyer, listing):
    offer = services.make_offer(buyer=buyer, listing=listing, amount=Decimal("40"))
    services.accept_offer(offer=offer, user=seller)
    services.checkout(buyer=buyer, listing_pks=[listing.pk])

    released = services.release_expired_holds(now=timezone.now() + dt.timedelta(days=2))

    assert released == 0
    listing.refresh_from_db()
    assert listing.status == Listing.Status.SOLD
    offer.refresh_from_db()
    assert offer.status == Offer.Status.PURCHASED


def test_accept_caps_amount_at_lowered_price(seller, buyer, listing):
    offer = services.make_offer(buyer=buyer, listing=listing, amount=Decimal("45"))
    Listing.objects.filter(pk=listing.pk).update(price=Decimal("42.00"))

    accepted = services.accept_offer(offer=offer, user=seller)

    assert accepted.accepted_amount == Decimal("42.00")


def test_accept_after_currency_change_fails(seller, buyer, listing):
    offer = services.make_offer(buyer=buyer, listing=listing, amount=Decimal("45"))
    Listing.objects.filter(pk=listing.pk).update(currency="EUR")

    with pytest.raises(services.ConflictError) as caught:
        services.accept_offer(offer=offer, user=seller)

    assert str(caught.value) == (
        f"Cannot accept offer {offer.pk} because listing {listing.pk} is now "
        "priced in EUR, not USD; withdraw it and make a new offer."
    )
    listing.refresh_from_db()
    assert listing.status == Listing.Status.ACTIVE


def test_accept_for_deactivated_buyer_fails(seller, buyer, listing):
    offer = services.make_offer(buyer=buyer, listing=listing, amount=Decimal("45"))
    type(buyer).objects.filter(pk=buyer.pk).update(is_active=False)

    with pytest.raises(services.ConflictError) as caught:
        services.accept_offer(offer=offer, user=seller)

    assert str(caught.value).startswith(f"Cannot accept offer {offer.pk}: ")
    assert "deactivated" in str(caught.value)
    offer.refresh_from_db()
    assert offer.status == Offer.Status.PENDING
    listing.refresh_from_db()
    assert listing.status == Listing.Status.ACTIVE


def test_checkout_declines_other_open_offers(seller, buyer, listing):
    rival = UserFactory(username="rival")
    rival_offer = services.make_offer(
        buyer=rival, listing=listing, amount=Decimal("30")
    )

    services.checkout(buyer=buyer, listing_pks=[listing.pk])

    rival_offer.refresh_from_db()
    assert rival_offer.status == Offer.Status.DECLINED


def test_checkout_ignores_offer_after_currency_change(seller, buyer, listing):
    offer = services.make_offer(buyer=buyer, listing=listing, amount=Decimal("40"))
    services.accept_offer(offer=offer, user=seller)
    Listing.objects.filter(pk=listing.pk).update(currency="EUR", price=Decimal("48.00"))

    (order,) = services.checkout(buyer=buyer, listing_pks=[listing.pk]).orders

    item = order.items.get()
    assert (item.price, item.currency, item.offer) == (Decimal("48.00"), "EUR", None)
