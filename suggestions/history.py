"""Keep the stored session views: merge at sign-in and prune old rows.

An anonymous visitor's views are keyed by the Django session key, and
`login()` replaces that key. The session socket therefore writes the key
into the session's own data (ANONYMOUS_SESSION_FIELD), which `login()`
keeps, and the sign-in receiver reads it there to find the views to move.
Only a key that the server wrote into the signing-in session is merged, so
no visitor can pull in another session's views by naming its key.
"""

import datetime as dt
import logging

from django.contrib.sessions.backends.base import SessionBase
from django.db import transaction
from django.utils import timezone

from recommender.models import Interaction
from suggestions.models import SessionView

logger = logging.getLogger(__name__)

# Session data field that contains the session key under which the socket
# stored the visitor's anonymous views.
ANONYMOUS_SESSION_FIELD = "suggestions_anonymous_session_key"
# Rows deleted per statement when pruning, so that no single delete holds
# its locks for long.
PRUNE_BATCH_SIZE = 10_000


def mark_anonymous_session(session: SessionBase) -> bool:
    """Store the session key in the session's data.

    A session that does not exist yet is created first, also when the
    cookie names one that has expired. Returns True when it was created,
    so that the caller sends the new session cookie.
    """
    # Loading drops a key that names no stored session.
    marked_key = session.get(ANONYMOUS_SESSION_FIELD)
    created = session.session_key is None
    if created:
        session.save()
    if marked_key != session.session_key:
        session[ANONYMOUS_SESSION_FIELD] = session.session_key
        session.save()
    return created


def merge_anonymous_views(*, user_pk: int, session_key: str) -> int:
    """Move the views of an anonymous session into a user's history.

    The moved views keep their times, so the session that the visitor
    began signed out goes on after sign-in. Each becomes a site `view`
    interaction of the user too, as if it had been made signed in. Returns
    the number of views moved.
    """
    if not session_key:
        raise ValueError("An anonymous session key is required, got ''.")

    with transaction.atomic():
        views = list(
            SessionView.objects.select_for_update()
            .filter(user__isnull=True, session_key=session_key)
            .order_by("pk")
        )
        SessionView.objects.filter(pk__in=[view.pk for view in views]).update(
            user_id=user_pk, session_key=""
        )
        Interaction.objects.bulk_create(
            [
                Interaction(
                    user_id=user_pk,
                    product_id=view.product_id,
                    listing_id=view.listing_id,
                    kind=Interaction.Kind.VIEW,
                    source=Interaction.Source.SITE,
                    occurred_at=view.viewed_at,
                )
                for view in views
            ]
        )
    if views:
        logger.info(
            "Merged %d anonymous session view(s) into the history of user %s",
            len(views),
            user_pk,
        )
    return len(views)


def prune_session_views(
    *, older_than: dt.timedelta, batch_size: int = PRUNE_BATCH_SIZE
) -> int:
    """Delete session views older than `older_than`; return how many.

    Rows go in batches of `batch_size`, oldest first, each batch in its
    own statement.
    """
    if batch_size < 1:
        raise ValueError(f"batch_size must be at least 1, got {batch_size}.")

    cutoff = timezone.now() - older_than
    deleted = 0
    while True:
        batch = list(
            SessionView.objects.filter(viewed_at__lt=cutoff)
            .order_by("viewed_at", "pk")
            .values_list("pk", flat=True)[:batch_size]
        )
        if not batch:
            break
        count, _ = SessionView.objects.filter(pk__in=batch).delete()
        deleted += count
    logger.info("Deleted %d session view(s) made before %s", deleted, cutoff)
    return deleted
