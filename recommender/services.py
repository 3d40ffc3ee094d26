"""Write operations of the recommender that users trigger."""

from django.db import transaction

from accounts.models import User
from listings.models import Listing
from recommender.models import NotInterested


@transaction.atomic
def mark_not_interested(*, user: User, listing: Listing) -> bool:
    """Hide `listing` from `user`'s feed; return whether it was new.

    Marking twice is harmless: the unique constraint keeps one row.
    """
    _, created = NotInterested.objects.get_or_create(user=user, listing=listing)
    return created


@transaction.atomic
def unmark_not_interested(*, user: User, listing_pk: int) -> bool:
    """Show a listing in `user`'s feed again; return whether it was marked."""
    deleted, _ = NotInterested.objects.filter(user=user, listing_id=listing_pk).delete()
    return deleted > 0
