"""Create notifications and push them to the recipient's open websockets.

A notification is stored in the caller's transaction and pushed through
the channel layer only after that transaction commits, so a rolled-back
action never reaches a browser.
"""

import logging
from collections.abc import Iterable
from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction
from django.utils import timezone
from redis.exceptions import RedisError

from accounts.models import User
from listings.models import Listing
from notifications.models import Notification

logger = logging.getLogger(__name__)

# The channel-layer event type; NotificationConsumer handles it in the
# method of the same name with the dot replaced by an underscore.
PUSH_EVENT_TYPE = "notification.created"


def user_group_name(user_pk: int) -> str:
    """Return the channel-layer group of one user's notification sockets."""
    return f"notifications.user.{user_pk}"


def serialize_notification(notification: Notification) -> dict[str, Any]:
    """Return the JSON object that the websocket push sends."""
    return {
        "id": notification.pk,
        "kind": notification.kind,
        "message": notification.message,
        "listing": notification.listing_id,
        "data": notification.data,
        "created_at": notification.created_at.isoformat(),
        "read_at": (notification.read_at.isoformat() if notification.read_at else None),
    }


def _push(notifications: list[Notification]) -> None:
    channel_layer = get_channel_layer()
    if channel_layer is None:
        return
    for notification in notifications:
        try:
            async_to_sync(channel_layer.group_send)(
                user_group_name(notification.user_id),
                {
                    "type": PUSH_EVENT_TYPE,
                    "notification": serialize_notification(notification),
                },
            )
        except (OSError, RedisError):
            # The notification is stored; the user sees it on the next
            # page load, so a channel-layer outage is logged, not raised.
            logger.exception(
                "Failed to push notification %s to user %s",
                notification.pk,
                notification.user_id,
            )


def notify_users(
    *,
    users: Iterable[User | int],
    kind: str,
    message: str,
    listing: Listing | None = None,
    data: dict[str, Any] | None = None,
) -> list[Notification]:
    """Store one notification per user and push each after commit."""
    notifications = [
        Notification(
            user_id=user if isinstance(user, int) else user.pk,
            kind=kind,
            message=message,
            listing=listing,
            data=data or {},
        )
        for user in users
    ]
    if not notifications:
        return []
    with transaction.atomic():
        created = Notification.objects.bulk_create(notifications)
    # robust: an unexpected push error is logged by Django and does not
    # reach the request whose transaction already committed.
    transaction.on_commit(lambda: _push(created), robust=True)

    logger.info(
        "Created %s %s notification(s) for listing %s",
        len(created),
        kind,
        listing.pk if listing else None,
    )
    return created


def notify_user(
    *,
    user: User | int,
    kind: str,
    message: str,
    listing: Listing | None = None,
    data: dict[str, Any] | None = None,
) -> Notification:
    """Store a notification for one user and push it after commit."""
    return notify_users(
        users=[user], kind=kind, message=message, listing=listing, data=data
    )[0]


@transaction.atomic
def mark_read(*, notification: Notification) -> Notification:
    """Mark a notification read; one already read keeps its first time."""
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])
    return notification
