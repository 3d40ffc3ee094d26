"""Keep the live listing index in step with listing writes."""

from typing import Any

from django.db import transaction
from django.db.models.signals import post_save
from django.dispatch import receiver

from listings.models import Listing


@receiver(post_save, sender=Listing, dispatch_uid="recommender_listing_saved")
def enqueue_fresh_listing_vector(
    sender: type[Listing], instance: Listing, **kwargs: Any
) -> None:
    """Embed a created or edited listing once its transaction commits.

    A listing that left the active status loses its fresh vector in the
    same task; the feed already filters it out by status.
    """
    from recommender.tasks import embed_fresh_listing_task

    listing_pk = instance.pk
    # With robust=True Django logs an exception of the callback instead of
    # raising it, so a failed enqueue cannot fail the committed write.
    transaction.on_commit(
        lambda: embed_fresh_listing_task.delay(listing_pk), robust=True
    )
