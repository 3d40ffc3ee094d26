"""Read queries of the orders app; each returns only the requester's rows."""

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.contrib.sessions.backends.base import SessionBase
from django.db.models import Count, Q, QuerySet

from accounts.models import User
from listings.models import Listing
from moderation.selectors import blocked_user_ids
from orders.models import Favorite, Offer, Order
from orders.services.availability import find_unavailability
from orders.services.carts import find_cart
from orders.services.errors import UNAVAILABILITY_TEXT, Unavailability


@dataclass(frozen=True)
class CartLine:
    """A listing in a cart, with whether it can still be bought and why not.

    `price` is what checkout would charge now: the amount of the buyer's
    accepted offer while the listing is reserved for them, else the
    listing's price.
    """

    listing: Listing
    price: Decimal
    unavailability: Unavailability | None

    @property
    def is_available(self) -> bool:
        return self.unavailability is None

    @property
    def reason(self) -> str:
        if self.unavailability is None:
            return ""
        return f"This listing {UNAVAILABILITY_TEXT[self.unavailability]}."


def cart_lines(*, user: User | None, session: SessionBase | None) -> list[CartLine]:
    """Return the cart's listings in the order they were added.

    Listings that were reserved for someone else, sold or hidden since they
    were added stay in the list, marked unavailable with the reason.
    """
    cart = find_cart(user=user, session=session)
    if cart is None:
        return []
    buyer_pk = user.pk if user is not None else None
    items = cart.items.select_related("listing", "listing__seller")
    blocked = blocked_user_ids(user) if user is not None else set()
    offer_prices: dict[int, Decimal] = {}
    if buyer_pk is not None:
        offer_prices = {
            listing_pk: amount
            for listing_pk, amount in Offer.objects.filter(
                buyer_id=buyer_pk,
                status=Offer.Status.ACCEPTED,
                listing__cart_items__cart=cart,
                listing__status=Listing.Status.RESERVED,
                listing__reserved_for_id=buyer_pk,
            ).values_list("listing_id", "accepted_amount")
            if amount is not None
        }
    return [
        CartLine(
            listing=item.listing,
            price=offer_prices.get(item.listing_id, item.listing.price),
            unavailability=find_unavailability(
                item.listing, buyer_pk=buyer_pk, blocked_seller_pks=blocked
            ),
        )
        for item in items
    ]


def favorites_of(*, user: User) -> QuerySet[Favorite]:
    """Return the user's favorites, newest first, with their listings."""
    return Favorite.objects.filter(user=user).select_related(
        "listing", "listing__seller"
    )


def favorite_counts(*, listing_pks: Sequence[int]) -> dict[int, int]:
    """Return the number of favorites of each listing, 0 for none.

    The count is a query over the favorite rows rather than a stored
    counter, so concurrent clicks cannot make it drift.
    """
    counts = {pk: 0 for pk in listing_pks}
    rows = (
        Favorite.objects.filter(listing_id__in=listing_pks)
        .values("listing_id")
        .annotate(count=Count("pk"))
        .values_list("listing_id", "count")
    )
    counts.update(dict(rows))
    return counts


def orders_of(*, user: User, role: str | None = None) -> QuerySet[Order]:
    """Return the orders where the user is the buyer or the seller.

    `role` "buying" or "selling" keeps one side; None keeps both.
    """
    if role == "buying":
        condition = Q(buyer=user)
    elif role == "selling":
        condition = Q(seller=user)
    else:
        condition = Q(buyer=user) | Q(seller=user)
    return (
        Order.objects.filter(condition)
        .select_related("buyer", "seller")
        .prefetch_related("items", "ratings__rater")
    )


def offers_of(*, user: User, role: str | None = None) -> QuerySet[Offer]:
    """Return the offers the user made or received on their listings."""
    if role == "buying":
        condition = Q(buyer=user)
    elif role == "selling":
        condition = Q(listing__seller=user)
    else:
        condition = Q(buyer=user) | Q(listing__seller=user)
    return Offer.objects.filter(condition).select_related(
        "listing", "listing__seller", "buyer"
    )
