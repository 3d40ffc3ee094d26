"""Session socket receivers: merge views at sign-in, close at sign-out."""

from typing import Any

from django.contrib.auth.signals import user_logged_in, user_logged_out
from django.dispatch import receiver
from django.http import HttpRequest

from suggestions.history import ANONYMOUS_SESSION_FIELD, merge_anonymous_views
from suggestions.services import close_user_sockets


@receiver(user_logged_in, dispatch_uid="suggestions.merge_views_on_sign_in")
def merge_views_on_sign_in(
    sender: type, request: HttpRequest | None, user: Any, **kwargs: Any
) -> None:
    """Move the views made signed out in this session to the user.

    `login()` replaces the session key before it sends this signal but
    keeps the session data, where the socket stored the old key. The key
    is removed, so the views are merged once.
    """
    session = getattr(request, "session", None)
    if session is None or user is None or user.pk is None:
        return
    session_key = session.pop(ANONYMOUS_SESSION_FIELD, None)
    if isinstance(session_key, str) and session_key:
        merge_anonymous_views(user_pk=user.pk, session_key=session_key)


@receiver(user_logged_out, dispatch_uid="suggestions.close_sockets_on_sign_out")
def close_sockets_on_sign_out(sender: Any, user: Any, **kwargs: Any) -> None:
    if user is not None and user.pk is not None:
        close_user_sockets(user.pk)
