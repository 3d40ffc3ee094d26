"""Celery tasks of the live session suggestions."""

import datetime as dt

from celery import shared_task
from django.conf import settings

from suggestions.history import prune_session_views
from suggestions.services import Visitor, push_suggestions


@shared_task(name="suggestions.push_suggestions")
def push_suggestions_task(user_pk: int | None, session_key: str) -> list[int]:
    """Compute a visitor's suggestions and push them to their sockets.

    Returns the suggested listing ids.
    """
    suggestions = push_suggestions(Visitor(user_pk=user_pk, session_key=session_key))
    return [listing["id"] for listing in suggestions.listings]


@shared_task(
    name="suggestions.prune_session_views", soft_time_limit=540, time_limit=600
)
def prune_session_views_task() -> int:
    """Delete views older than the retention; return how many (beat task)."""
    return prune_session_views(
        older_than=dt.timedelta(hours=settings.SUGGESTIONS_VIEW_RETENTION_HOURS)
    )
