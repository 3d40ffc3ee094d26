"""Checkout: turn listings into orders so that each is sold at most once.

The rule for a cart with several listings is all or nothing per seller.
The listings are grouped by seller and each group becomes one order. When
any listing of a group cannot be bought (sold, reserved for someone else,
hidden or deleted), no order is made for that group, and the other groups
are still bought. The result lists what was left out and why. A seller's
items often go together (a camera and its lens), and the buyer meets each
seller separately, so one seller's missing item should neither split that
seller's bundle nor block the purchases from other sellers.

Concurrency: inside one transaction, the listing rows are locked with
SELECT ... FOR NO KEY UPDATE in primary-key order, and their status is
read only after the lock is granted. Two checkouts that share listings
therefore queue on the first shared row instead of deadlocking, and the
second one sees the status that the first one committed. The lock blocks
every other update and row lock of the listing except FOR KEY SHARE, which
inserts that only reference it take, so adding a favorite or a cart item
does not wait for a checkout. The partial unique index on active order
items backs this up in the database.
"""

import logging
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from listings.models import Listing
from moderation.selectors import blocked_user_ids
from notifications.models import Notification
from notifications.services import notify_user
from orders.models import Offer, Order, OrderItem
from orders.services.availability import find_unavailability
from orders.services.carts import find_cart, remove_listings_from_cart
from orders.services.errors import (
    InvalidInputError,
    ListingsUnavailableError,
    Unavailability,
    UnavailableListing,
)
from orders.services.interactions import record_interactions
from recommender.models import Interaction

logger = logging.getLogger(__name__)

MAX_LISTINGS_PER_CHECKOUT = 100


@dataclass
class CheckoutResult:
    """The orders made, one per seller, and the listings left out."""

    orders: list[Order] = field(default_factory=list)
    unavailable: list[UnavailableListing] = field(default_factory=list)


def _check_listing_pks(listing_pks: Sequence[int]) -> list[int]:
    unique_pks = sorted(set(listing_pks))
    if not unique_pks:
        raise InvalidInputError(
            {"listings": ["No listings to buy; add listings to the cart first."]}
        )
    if len(unique_pks) > MAX_LISTINGS_PER_CHECKOUT:
        raise InvalidInputError(
            {
                "listings": [
                    f"{len(unique_pks)} listings were requested; one checkout "
                    f"buys at most {MAX_LISTINGS_PER_CHECKOUT}."
                ]
            }
        )
    return unique_pks


def _held_offers(*, buyer: User, listings: list[Listing]) -> dict[int, Offer]:
    """Return the buyer's accepted offers on the listings reserved for them."""
    reserved_pks = [
        listing.pk
        for listing in listings
        if listing.status == Listing.Status.RESERVED
        and listing.reserved_for_id == buyer.pk
    ]
    if not reserved_pks:
        return {}
    offers = Offer.objects.select_for_update(no_key=True).filter(
        buyer=buyer, listing_id__in=reserved_pks, status=Offer.Status.ACCEPTED
    )
    return {offer.listing_id: offer for offer in offers}


def _create_order(
    *, buyer: User, seller_pk: int, listings: list[Listing], offers: dict[int, Offer]
) -> Order:
    order = Order.objects.create(buyer=buyer, seller_id=seller_pk)
    items = []
    for listing in listings:
        offer = offers.get(listing.pk)
        price: Decimal = listing.price
        if offer is not None and (
            offer.accepted_amount is None or offer.currency != listing.currency
        ):
            # The seller changed the currency after accepting, so the
            # amount no longer means anything and the listing price applies.
            offer = None
        if offer is not None and offer.accepted_amount is not None:
            # The buyer never pays more than the current asking price.
            price = min(offer.accepted_amount, listing.price)
        items.append(
            OrderItem(
                order=order,
                listing=listing,
                title=listing.title,
                price=price,
                currency=listing.currency,
                offer=offer,
            )
        )
    OrderItem.objects.bulk_create(items)
    return order


@transaction.atomic
def checkout(*, buyer: User, listing_pks: Sequence[int]) -> CheckoutResult:
    """Buy the given listings, all or nothing per seller.

    Each bought listing becomes sold with `reserved_for` set to the buyer
    and leaves the buyer's cart. The buyer's accepted offer on a listing
    reserved for them sets its price, capped at the listing's price.
    Pending and countered offers on it are declined.

    Raises:
        InvalidInputError: when no listing or too many are given.
        ListingsUnavailableError: when not one listing could be bought;
            the error lists each listing with its reason ("already sold").
    """
    unique_pks = _check_listing_pks(listing_pks)

    # Lock before reading the status; nothing below trusts an older read.
    locked = list(
        Listing.objects.select_for_update(of=("self",), no_key=True)
        .filter(pk__in=unique_pks)
        .order_by("pk")
    )
    found = {listing.pk for listing in locked}
    result = CheckoutResult()
    result.unavailable.extend(
        UnavailableListing(pk, "", Unavailability.MISSING)
        for pk in unique_pks
        if pk not in found
    )

    groups: dict[int, list[Listing]] = defaultdict(list)
    for listing in locked:
        groups[listing.seller_id].append(listing)
    offers = _held_offers(buyer=buyer, listings=locked)
    blocked = blocked_user_ids(buyer)
    bought: list[Listing] = []

    for seller_pk, listings in groups.items():
        problems = [
            UnavailableListing(listing.pk, listing.title, reason)
            for listing in listings
            if (
                reason := find_unavailability(
                    listing, buyer_pk=buyer.pk, blocked_seller_pks=blocked
                )
            )
        ]
        if problems:
            result.unavailable.extend(problems)
            continue
        order = _create_order(
            buyer=buyer, seller_pk=seller_pk, listings=listings, offers=offers
        )
        result.orders.append(order)
        bought.extend(listings)

    if not result.orders:
        raise ListingsUnavailableError(result.unavailable)

    now = timezone.now()
    bought_pks = [listing.pk for listing in bought]
    Listing.objects.filter(pk__in=bought_pks).update(
        status=Listing.Status.SOLD, reserved_for=buyer, updated_at=now
    )
    Offer.objects.filter(
        pk__in=[offer.pk for pk, offer in offers.items() if pk in bought_pks]
    ).update(status=Offer.Status.PURCHASED, updated_at=now)
    # Open offers on the sold listings, the buyer's own included, are moot.
    Offer.objects.filter(
        listing_id__in=bought_pks,
        status__in=[Offer.Status.PENDING, Offer.Status.COUNTERED],
    ).update(status=Offer.Status.DECLINED, updated_at=now)
    remove_listings_from_cart(user=buyer, listing_pks=bought_pks)
    record_interactions(user=buyer, listings=bought, kind=Interaction.Kind.PURCHASE)
    for order in result.orders:
        count = len(groups[order.seller_id])
        notify_user(
            user=order.seller_id,
            kind=Notification.Kind.ORDER_PLACED,
            message=f"{buyer} ordered {count} of your listings (order {order.pk}).",
            data={"order": order.pk},
        )

    logger.info(
        "Checkout by user %s: orders %s, %s listing(s) unavailable",
        buyer.pk,
        [order.pk for order in result.orders],
        len(result.unavailable),
    )
    return result


def checkout_cart(*, buyer: User) -> CheckoutResult:
    """Buy every listing in the buyer's cart, all or nothing per seller."""
    cart = find_cart(user=buyer, session=None)
    listing_pks = list(cart.items.values_list("listing_id", flat=True)) if cart else []
    return checkout(buyer=buyer, listing_pks=listing_pks)
