"""Celery tasks of the live session suggestions."""

from celery import shared_task

from suggestions.services import Visitor, push_suggestions


@shared_task(name="suggestions.push_suggestions")
def push_suggestions_task(user_pk: int | None, session_key: str) -> list[int]:
    """Compute a visitor's suggestions and push them to their sockets.

    Returns the suggested listing ids.
    """
    suggestions = push_suggestions(Visitor(user_pk=user_pk, session_key=session_key))
    return [listing["id"] for listing in suggestions.listings]
