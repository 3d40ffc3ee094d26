"""Close a user's session sockets when they sign out."""

from typing import Any

from django.contrib.auth.signals import user_logged_out
from django.dispatch import receiver

from suggestions.services import close_user_sockets


@receiver(user_logged_out, dispatch_uid="suggestions.close_sockets_on_sign_out")
def close_sockets_on_sign_out(sender: Any, user: Any, **kwargs: Any) -> None:
    if user is not None and user.pk is not None:
        close_user_sockets(user.pk)
