"""Price offers: the buyer offers, the seller accepts, declines or counters.

The two sides take turns. A pending offer waits for the seller, who can
accept it, decline it or counter with another amount. A countered offer
waits for the buyer, who can accept the counter, decline it or counter
back. Accepting reserves the listing for the buyer at the agreed amount
for settings.ORDERS_OFFER_HOLD_HOURS; `release_expired_holds` (run by
Celery beat) makes the listing active again if the buyer has not checked
out by then. The buyer can withdraw an offer at any time before checkout.

Lock order: the listing row first, then the offer row, as in checkout, so
that two requests on the same listing never wait on each other in a cycle.
"""

import datetime as dt
import logging
from decimal import Decimal

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import User
from listings import services as listing_services
from listings.models import Listing
from moderation.selectors import blocked_user_ids
from notifications.models import Notification
from notifications.services import notify_user
from orders.models import Offer
from orders.services.errors import ConflictError, InvalidInputError
from orders.services.interactions import record_interactions
from recommender.models import Interaction

logger = logging.getLogger(__name__)

_OPEN_STATUSES = (Offer.Status.PENDING, Offer.Status.COUNTERED)


def hold_duration() -> dt.timedelta:
    """Return how long an accepted offer reserves the listing."""
    return dt.timedelta(hours=settings.ORDERS_OFFER_HOLD_HOURS)


def _check_amount(*, amount: Decimal, listing: Listing, field_name: str) -> Decimal:
    try:
        amount = listing_services.check_price(price=amount, currency=listing.currency)
    except listing_services.InvalidListingError as error:
        # check_price words its messages for a listing price; here they are
        # about the offer amount.
        messages = [
            message.replace("Price", "Amount", 1)
            for message in error.errors.get("price", [])
        ] or [str(error)]
        raise InvalidInputError({field_name: messages}) from error
    if amount <= 0:
        raise InvalidInputError(
            {field_name: [f"Amount {amount} is not positive; offer more than 0."]}
        )
    if amount > listing.price:
        # The column stores two decimal places, so the message rounds to the
        # currency's own: 1200000 KRW, not 1200000.00 KRW. check_price above
        # has already rejected an unsupported currency.
        decimals = listing_services.CURRENCIES[listing.currency].decimals
        asking = listing.price.quantize(Decimal(1).scaleb(-decimals))
        raise InvalidInputError(
            {
                field_name: [
                    f"Amount {amount} {listing.currency} is above the asking "
                    f"price of {asking} {listing.currency}; buy at the "
                    "asking price instead."
                ]
            }
        )
    return amount


def _lock(offer: Offer) -> tuple[Listing, Offer]:
    listing = Listing.objects.select_for_update(of=("self",), no_key=True).get(
        pk=offer.listing_id
    )
    locked = Offer.objects.select_for_update(no_key=True).get(pk=offer.pk)
    return listing, locked


def _turn_of(offer: Offer, listing: Listing) -> int:
    """Return the pk of the party whose response the offer waits for."""
    if offer.status == Offer.Status.PENDING:
        return listing.seller_id
    return offer.buyer_id


def _check_turn(*, offer: Offer, listing: Listing, user: User, action: str) -> None:
    if offer.status not in _OPEN_STATUSES:
        raise ConflictError(
            f"Cannot {action} offer {offer.pk} because it is {offer.status}; "
            "only a pending or countered offer can be answered."
        )
    if _turn_of(offer, listing) != user.pk:
        waiting_for = "seller" if offer.status == Offer.Status.PENDING else "buyer"
        raise ConflictError(
            f"Cannot {action} offer {offer.pk}: it is {offer.status} and waits "
            f"for the {waiting_for}."
        )


def _check_listing_unchanged(*, offer: Offer, listing: Listing, action: str) -> None:
    if listing.status != Listing.Status.ACTIVE:
        raise ConflictError(
            f"Cannot {action} offer {offer.pk} because listing {listing.pk} is "
            f"{listing.status}; an offer can be answered only while the listing "
            "is active."
        )
    if listing.currency != offer.currency:
        raise ConflictError(
            f"Cannot {action} offer {offer.pk} because listing {listing.pk} is "
            f"now priced in {listing.currency}, not {offer.currency}; withdraw "
            "it and make a new offer."
        )


@transaction.atomic
def make_offer(*, buyer: User, listing: Listing, amount: Decimal) -> Offer:
    """Offer `amount`, in the listing's currency, for an active listing.

    Raises:
        InvalidInputError: for the buyer's own listing or a bad amount.
        ConflictError: when the listing is not active or the buyer already
            has an open or accepted offer on it.
    """
    locked = Listing.objects.select_for_update(of=("self",), no_key=True).get(
        pk=listing.pk
    )
    if locked.seller_id == buyer.pk:
        raise InvalidInputError(
            {"listing": [f"Listing {locked.pk} is your own listing."]}
        )
    if locked.seller_id in blocked_user_ids(buyer):
        raise ConflictError(
            f"Cannot make an offer on listing {locked.pk}: you blocked its "
            "seller or its seller blocked you. Unblock them first if you "
            "blocked them."
        )
    if locked.status != Listing.Status.ACTIVE:
        raise ConflictError(
            f"Cannot make an offer on listing {locked.pk} because it is "
            f"{locked.status}; offers are for active listings."
        )
    amount = _check_amount(amount=amount, listing=locked, field_name="amount")

    try:
        with transaction.atomic():
            offer = Offer.objects.create(
                listing=locked, buyer=buyer, amount=amount, currency=locked.currency
            )
    except IntegrityError as error:
        raise ConflictError(
            f"You already have an open offer on listing {locked.pk}; withdraw "
            "it before making a new one."
        ) from error

    record_interactions(user=buyer, listings=[locked], kind=Interaction.Kind.OFFER)
    notify_user(
        user=locked.seller_id,
        kind=Notification.Kind.OFFER_RECEIVED,
        message=f"{buyer} offers {amount} {locked.currency} for {locked.title}.",
        listing=locked,
        data={"offer": offer.pk},
    )
    logger.info("Offer %s on listing %s by user %s", offer.pk, locked.pk, buyer.pk)
    return offer


@transaction.atomic
def accept_offer(*, offer: Offer, user: User) -> Offer:
    """Accept the amount on the table and reserve the listing for the buyer.

    The seller accepts a pending offer, the buyer a countered one. The
    agreed amount is capped at the listing's current price, which the
    seller may have lowered since the offer was made.

    Raises:
        ConflictError: when it is not `user`'s turn, the listing is no
            longer active, its currency changed since the offer, or the
            buyer's account is deactivated.
    """
    listing, locked = _lock(offer)
    _check_turn(offer=locked, listing=listing, user=user, action="accept")
    _check_listing_unchanged(offer=locked, listing=listing, action="accept")

    agreed = (
        locked.amount
        if locked.status == Offer.Status.PENDING
        else locked.counter_amount
    )
    if agreed is None or agreed > listing.price:
        agreed = listing.price
    try:
        listing_services.reserve_listing(listing=listing, buyer=locked.buyer)
    except listing_services.InvalidListingError as error:
        raise ConflictError(f"Cannot accept offer {locked.pk}: {error}") from error
    locked.status = Offer.Status.ACCEPTED
    locked.accepted_amount = agreed
    locked.hold_expires_at = timezone.now() + hold_duration()
    locked.save(
        update_fields=["status", "accepted_amount", "hold_expires_at", "updated_at"]
    )

    other_party = locked.buyer_id if user.pk == listing.seller_id else listing.seller_id
    notify_user(
        user=other_party,
        kind=Notification.Kind.OFFER_ACCEPTED,
        message=(
            f"{user} accepted {agreed} {locked.currency} for {listing.title}; it "
            f"is held until {locked.hold_expires_at:%Y-%m-%d %H:%M} UTC."
        ),
        listing=listing,
        data={"offer": locked.pk},
    )
    logger.info("Offer %s accepted by user %s", locked.pk, user.pk)
    return locked


@transaction.atomic
def decline_offer(*, offer: Offer, user: User) -> Offer:
    """Decline the amount on the table; the negotiation ends."""
    listing, locked = _lock(offer)
    _check_turn(offer=locked, listing=listing, user=user, action="decline")
    locked.status = Offer.Status.DECLINED
    locked.save(update_fields=["status", "updated_at"])

    other_party = locked.buyer_id if user.pk == listing.seller_id else listing.seller_id
    notify_user(
        user=other_party,
        kind=Notification.Kind.OFFER_DECLINED,
        message=f"{user} declined the offer on {listing.title}.",
        listing=listing,
        data={"offer": locked.pk},
    )
    return locked


@transaction.atomic
def counter_offer(*, offer: Offer, user: User, amount: Decimal) -> Offer:
    """Counter with another amount, passing the turn to the other party."""
    listing, locked = _lock(offer)
    _check_turn(offer=locked, listing=listing, user=user, action="counter")
    _check_listing_unchanged(offer=locked, listing=listing, action="counter")
    amount = _check_amount(amount=amount, listing=listing, field_name="amount")

    if locked.status == Offer.Status.PENDING:
        locked.counter_amount = amount
        locked.status = Offer.Status.COUNTERED
        recipient = locked.buyer_id
    else:
        locked.amount = amount
        locked.status = Offer.Status.PENDING
        recipient = listing.seller_id
    locked.save(update_fields=["amount", "counter_amount", "status", "updated_at"])

    notify_user(
        user=recipient,
        kind=Notification.Kind.OFFER_COUNTERED,
        message=f"{user} counters with {amount} {locked.currency} for {listing.title}.",
        listing=listing,
        data={"offer": locked.pk},
    )
    return locked


@transaction.atomic
def withdraw_offer(*, offer: Offer, user: User) -> Offer:
    """Withdraw the buyer's offer; an accepted one frees the listing."""
    listing, locked = _lock(offer)
    if locked.buyer_id != user.pk:
        raise ConflictError(f"Only the buyer can withdraw offer {locked.pk}.")
    if locked.status not in (*_OPEN_STATUSES, Offer.Status.ACCEPTED):
        raise ConflictError(
            f"Cannot withdraw offer {locked.pk} because it is {locked.status}."
        )

    if locked.status == Offer.Status.ACCEPTED:
        _release_hold(listing=listing, offer=locked)
    locked.status = Offer.Status.WITHDRAWN
    locked.save(update_fields=["status", "updated_at"])
    logger.info("Offer %s withdrawn by user %s", locked.pk, user.pk)
    return locked


def _release_hold(*, listing: Listing, offer: Offer) -> None:
    # The seller may have released or sold the listing meanwhile; only a
    # reservation that is still this offer's is undone.
    if (
        listing.status == Listing.Status.RESERVED
        and listing.reserved_for_id == offer.buyer_id
    ):
        listing_services.release_listing(listing=listing)


def release_expired_holds(*, now: dt.datetime | None = None) -> int:
    """Expire accepted offers whose hold has ended and free their listings.

    Each offer is handled in its own transaction, so one failure does not
    undo the others, and running it twice changes nothing the second time.
    Returns the number of offers expired.
    """
    now = now or timezone.now()
    expired_pks = list(
        Offer.objects.filter(status=Offer.Status.ACCEPTED, hold_expires_at__lte=now)
        .order_by("listing_id", "pk")
        .values_list("pk", flat=True)
    )
    count = 0
    for offer_pk in expired_pks:
        with transaction.atomic():
            offer = Offer.objects.get(pk=offer_pk)
            listing, locked = _lock(offer)
            # Checked again under the lock: the buyer may have checked out.
            if locked.status != Offer.Status.ACCEPTED or (
                locked.hold_expires_at is not None and locked.hold_expires_at > now
            ):
                continue
            _release_hold(listing=listing, offer=locked)
            locked.status = Offer.Status.EXPIRED
            locked.save(update_fields=["status", "updated_at"])
            notify_user(
                user=locked.buyer_id,
                kind=Notification.Kind.OFFER_EXPIRED,
                message=f"The hold on {listing.title} ended before checkout.",
                listing=listing,
                data={"offer": locked.pk},
            )
            count += 1

    logger.info("Released %s expired offer hold(s)", count)
    return count
