"""Record session views and push the listings to suggest next.

A visitor is a signed-in user or, for anonymous visitors, a Django session
key. `suggestions.selectors` computes the suggestions; this module stores
views and sends the results to the visitor's sockets.
"""

import datetime as dt
import logging
from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.db import connection, transaction
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


def record_view(*, visitor: Visitor, listing_pk: int) -> int | None:
    """Store a listing view and queue the suggestions push after commit.

    Only listings anyone may see (active, reserved or sold) are recorded,
    because hidden ones are never suggested. Returns the id of the stored
    view, or None when no such listing exists. Signed-in users also get a
    site `view` interaction, which the feed recommenders train on. A view
    of the listing that the visitor viewed last, within the session gap,
    stores nothing new: the page was reloaded or its socket reconnected.
    Its id is returned and its suggestions are still pushed.

    The lookups and inserts run as one statement. Its transaction does
    not wait for the commit to reach the disk (`synchronous_commit` off),
    because every suggestions push waits for this commit. A crash of the
    database server can lose the latest views, those that the WAL writer
    had not flushed yet (it flushes every `wal_writer_delay`, 200 ms by
    default).
    """
    now = timezone.now()
    gap = dt.timedelta(minutes=settings.SUGGESTIONS_SESSION_GAP_MINUTES)
    parameters = {
        "listing": listing_pk,
        "user": visitor.user_pk,
        "session_key": visitor.session_key,
        "now": now,
        "since": now - gap,
        "kind": Interaction.Kind.VIEW.value,
        "source": Interaction.Source.SITE.value,
    }
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(_RECORD_VIEW_SQL[visitor.user_pk is not None], parameters)
        row = cursor.fetchone()
        if row is None:
            return None
        transaction.on_commit(lambda: _queue_push(visitor))
    return int(row[0])


def _build_record_view_sql(*, signed_in: bool) -> str:
    view = SessionView._meta
    listing = Listing._meta
    interaction = Interaction._meta

    def column(meta: Any, name: str) -> str:
        return str(meta.get_field(name).column)

    visitor_column = column(view, "user" if signed_in else "session_key")
    visitor_value = "%(user)s" if signed_in else "%(session_key)s"
    viewable = ", ".join(
        f"'{status}'"
        for status in (
            Listing.Status.ACTIVE,
            Listing.Status.RESERVED,
            Listing.Status.SOLD,
        )
    )
    # The interaction is inserted only for a signed-in visitor, from the
    # rows that the view insert returns.
    interaction_insert = f"""
        , interaction AS (
            INSERT INTO {interaction.db_table} (
                {column(interaction, "user")}, {column(interaction, "product")},
                {column(interaction, "listing")}, {column(interaction, "kind")},
                {column(interaction, "source")}, {column(interaction, "occurred_at")}
            )
            SELECT %(user)s, product_id, listing_id, %(kind)s, %(source)s, %(now)s
            FROM inserted
        )"""
    return f"""
        SET LOCAL synchronous_commit TO OFF;
        WITH listing AS (
            SELECT {listing.pk.column} AS id, {column(listing, "product")} AS product_id
            FROM {listing.db_table}
            WHERE {listing.pk.column} = %(listing)s
                AND {column(listing, "status")} IN ({viewable})
        ), latest AS (
            SELECT {view.pk.column} AS id, {column(view, "listing")} AS listing_id,
                {column(view, "viewed_at")} AS viewed_at
            FROM {view.db_table}
            WHERE {visitor_column} = {visitor_value}
            ORDER BY {column(view, "viewed_at")} DESC, {view.pk.column} DESC
            LIMIT 1
        ), repeated AS (
            SELECT latest.id FROM latest JOIN listing ON latest.listing_id = listing.id
            WHERE latest.viewed_at >= %(since)s
        ), inserted AS (
            INSERT INTO {view.db_table} (
                {column(view, "user")}, {column(view, "session_key")},
                {column(view, "listing")}, {column(view, "product")},
                {column(view, "viewed_at")}
            )
            SELECT %(user)s, %(session_key)s, id, product_id, %(now)s FROM listing
            WHERE NOT EXISTS (SELECT 1 FROM repeated)
            RETURNING {view.pk.column} AS id,
                {column(view, "listing")} AS listing_id,
                {column(view, "product")} AS product_id
        ){interaction_insert if signed_in else ""}
        SELECT id FROM repeated UNION ALL SELECT id FROM inserted
    """


# The statements of `record_view`, by whether the visitor is signed in.
_RECORD_VIEW_SQL = {
    signed_in: _build_record_view_sql(signed_in=signed_in)
    for signed_in in (True, False)
}


def _queue_push(visitor: Visitor) -> None:
    from suggestions.tasks import push_suggestions_task

    batched = queue_enabled() and add_pending(visitor)
    push_suggestions_task.apply_async(
        (visitor.user_pk, visitor.session_key, batched),
        queue=settings.SUGGESTIONS_QUEUE,
    )


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
