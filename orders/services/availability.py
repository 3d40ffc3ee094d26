"""Whether a user may put a listing in a cart or buy it."""

from collections.abc import Collection

from listings.models import Listing
from orders.services.errors import Unavailability


def find_unavailability(
    listing: Listing,
    *,
    buyer_pk: int | None,
    blocked_seller_pks: Collection[int] = (),
) -> Unavailability | None:
    """Return why `buyer_pk` cannot buy `listing` now, or None if they can.

    An active listing of another seller can be bought, and so can a listing
    reserved for this buyer. `buyer_pk` is None for an anonymous visitor,
    who cannot hold a reservation. `blocked_seller_pks` are the users on
    either side of a block with the buyer, whose listings the buyer cannot
    buy. The result is only final when the caller has the listing's row
    lock.
    """
    if buyer_pk is not None and listing.seller_id == buyer_pk:
        return Unavailability.OWN_LISTING
    if listing.seller_id in blocked_seller_pks:
        return Unavailability.BLOCKED
    if listing.status == Listing.Status.ACTIVE:
        return None
    if listing.status == Listing.Status.RESERVED:
        if buyer_pk is not None and listing.reserved_for_id == buyer_pk:
            return None
        return Unavailability.RESERVED
    if listing.status == Listing.Status.SOLD:
        return Unavailability.SOLD
    return Unavailability.HIDDEN
