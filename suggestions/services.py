"""Record session views and push the listings to suggest next.

A visitor is a signed-in user or, for anonymous visitors, a Django session
key. `suggestions.selectors` computes the suggestions; this module stores
views and sends the results to the visitor's sockets.
"""

import datetime as dt
import logging
from collections.abc import Sequence

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from redis.exceptions import RedisError

from listings.models import Listing
from recommender.models import Interaction
from suggestions.models import SessionView
from suggestions.push_queue import add_pending, queue_enabled, take_pending
from suggestions.pushing import send_to_groups
from suggestions.selectors import (
    SessionSuggestions,
    compute_suggestions,
    compute_suggestions_batch,
)
from suggestions.visitors import Visitor, user_group_name

__all__ = [
    "SessionSuggestions",
    "Visitor",
    "close_user_sockets",
    "compute_suggestions",
    "push_pending_suggestions",
    "push_suggestions",
    "push_suggestions_batch",
    "record_view",
    "user_group_name",
]

logger = logging.getLogger(__name__)

# Channel-layer event types. The consumer handles each in the method of the
# same name with the dot replaced by an underscore.
SUGGESTIONS_EVENT_TYPE = "suggestions.ready"
CLOSE_EVENT_TYPE = "session.signed_out"


def record_view(*, visitor: Visitor, listing: Listing) -> SessionView:
    """Store a listing view and queue the suggestions push after commit.

    Signed-in users also get a site `view` interaction, which the feed
    recommenders train on. A view of the listing that the visitor viewed
    last, within the session gap, stores nothing new: the page was
    reloaded or its socket reconnected. Its suggestions are still pushed.
    """
    now = timezone.now()
    gap = dt.timedelta(minutes=settings.SUGGESTIONS_SESSION_GAP_MINUTES)
    with transaction.atomic():
        transaction.on_commit(lambda: _queue_push(visitor))
        latest = visitor.views().order_by("-viewed_at", "-pk").first()
        if (
            latest is not None
            and latest.listing_id == listing.pk
            and now - latest.viewed_at <= gap
        ):
            return latest
        view = SessionView.objects.create(
            user_id=visitor.user_pk,
            session_key=visitor.session_key,
            listing=listing,
            product_id=listing.product_id,
            viewed_at=now,
        )
        if visitor.user_pk is not None:
            Interaction.objects.create(
                user_id=visitor.user_pk,
                product_id=listing.product_id,
                listing=listing,
                kind=Interaction.Kind.VIEW,
                source=Interaction.Source.SITE,
                occurred_at=now,
            )
    return view


def _queue_push(visitor: Visitor) -> None:
    from suggestions.tasks import push_suggestions_task

    batched = queue_enabled() and add_pending(visitor)
    push_suggestions_task.delay(visitor.user_pk, visitor.session_key, batched)


def push_suggestions(visitor: Visitor) -> SessionSuggestions:
    """Compute the visitor's suggestions and send them to their sockets."""
    return push_suggestions_batch([visitor])[0]


def push_pending_suggestions(*, fallback: Visitor) -> list[SessionSuggestions]:
    """Push to the visitors waiting in the pending list, one batch of them.

    When Redis cannot be reached, `fallback` (the visitor of the calling
    task) gets its push alone. Returns what was pushed, one entry per view.
    """
    try:
        visitors = take_pending(settings.SUGGESTIONS_PUSH_BATCH)
    except (OSError, RedisError) as error:
        # NOTE: the fallback's entry may still be in the list, so it can get
        # a second push once Redis is back.
        logger.error("Failed to read the pending suggestions pushes: %s", error)
        visitors = [fallback]
    if not visitors:
        return []
    return push_suggestions_batch(visitors)


def push_suggestions_batch(visitors: Sequence[Visitor]) -> list[SessionSuggestions]:
    """Compute the suggestions of several visitors and send each its own.

    The suggestions are computed in one batch and sent concurrently, so a
    batch costs less than pushing to each visitor in turn. A visitor who
    appears more than once is computed once and sent one message per
    appearance, so every view still gets its push.
    """
    distinct = list(dict.fromkeys(visitors))
    computed = dict(zip(distinct, compute_suggestions_batch(distinct), strict=True))
    batch = [computed[visitor] for visitor in visitors]
    messages = [
        (
            visitor.group_name,
            {"type": SUGGESTIONS_EVENT_TYPE, "message": suggestions.as_message()},
        )
        for visitor, suggestions in zip(visitors, batch, strict=True)
    ]
    try:
        send_to_groups(messages)
    except (OSError, RedisError) as error:
        logger.error(
            "Failed to push suggestions to groups %s: %s",
            ", ".join(visitor.group_name for visitor in visitors),
            error,
        )
    return batch


def close_user_sockets(user_pk: int) -> None:
    """Tell every session socket of a user that they signed out."""
    try:
        send_to_groups([(user_group_name(user_pk), {"type": CLOSE_EVENT_TYPE})])
    except (OSError, RedisError) as error:
        logger.error(
            "Failed to close the session sockets of user %s: %s", user_pk, error
        )
