"""Celery tasks of the live session suggestions."""

import datetime as dt

from celery import shared_task
from django.conf import settings

from suggestions.history import prune_session_views
from suggestions.services import Visitor, push_pending_suggestions, push_suggestions


# The task is acknowledged when it starts, not when it ends as other tasks
# are (CELERY_TASK_ACKS_LATE), so a worker fetches the next push while it
# runs this one. A redelivery after a crash would add nothing, because the
# batched views were already taken off the pending list.
@shared_task(
    name="suggestions.push_suggestions",
    soft_time_limit=30,
    time_limit=60,
    acks_late=False,
)
def push_suggestions_task(
    user_pk: int | None, session_key: str, batched: bool = False
) -> int:
    """Compute suggestions and push them to the visitors' sockets.

    With `batched`, the visitor's view waits in the pending list of
    `suggestions.push_queue`, and the task pushes to every waiting view,
    this visitor's included unless an earlier task took it. Otherwise it
    pushes to this visitor alone. Returns the count of pushes sent.
    """
    visitor = Visitor(user_pk=user_pk, session_key=session_key)
    if batched:
        return len(push_pending_suggestions(fallback=visitor))
    push_suggestions(visitor)
    return 1


@shared_task(
    name="suggestions.prune_session_views", soft_time_limit=540, time_limit=600
)
def prune_session_views_task() -> int:
    """Delete views older than the retention; return how many (beat task)."""
    return prune_session_views(
        older_than=dt.timedelta(hours=settings.SUGGESTIONS_VIEW_RETENTION_HOURS)
    )
