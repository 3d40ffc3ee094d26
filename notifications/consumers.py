"""The per-user websocket that receives notifications as they are created."""

import logging
from typing import Any

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.utils import timezone

from notifications.models import Notification
from notifications.services import user_group_name

logger = logging.getLogger(__name__)

# Application close code for a socket opened without a signed-in user; 4000
# to 4999 are free for applications (RFC 6455, section 7.4.2).
CLOSE_NOT_SIGNED_IN = 4401


class NotificationConsumer(AsyncJsonWebsocketConsumer):
    """Push a signed-in user's new notifications; accept `mark_read`.

    Messages from the client are JSON objects with a `type`:
    `{"type": "mark_read", "id": <notification id>}` marks one of the user's
    own notifications read. Anything else gets an `error` message back.
    """

    group_name: str | None = None

    async def connect(self) -> None:
        user = self.scope.get("user")
        if user is None or not user.is_authenticated:
            await self.close(code=CLOSE_NOT_SIGNED_IN)
            return
        self.user_pk = user.pk
        self.group_name = user_group_name(user.pk)
        await self.channel_layer.group_add(self.group_name, self.channel_name)
        await self.accept()

    async def disconnect(self, code: int) -> None:
        if self.group_name is not None:
            await self.channel_layer.group_discard(self.group_name, self.channel_name)

    async def receive_json(self, content: Any, **kwargs: Any) -> None:
        if not isinstance(content, dict) or content.get("type") != "mark_read":
            await self.send_json(
                {
                    "type": "error",
                    "detail": 'Unknown message; send {"type": "mark_read", '
                    '"id": <notification id>}.',
                }
            )
            return
        notification_pk = content.get("id")
        if not isinstance(notification_pk, int) or isinstance(notification_pk, bool):
            await self.send_json(
                {
                    "type": "error",
                    "detail": f"Invalid notification id {notification_pk!r}; "
                    "send an integer.",
                }
            )
            return
        updated = await self._mark_read(notification_pk)
        if not updated:
            await self.send_json(
                {
                    "type": "error",
                    "detail": f"Notification {notification_pk} was not found.",
                }
            )
            return
        await self.send_json({"type": "marked_read", "id": notification_pk})

    @database_sync_to_async
    def _mark_read(self, notification_pk: int) -> bool:
        # Filtering on the user keeps one user from touching another's rows.
        matched = Notification.objects.filter(
            pk=notification_pk, user_id=self.user_pk
        ).count()
        Notification.objects.filter(
            pk=notification_pk, user_id=self.user_pk, read_at__isnull=True
        ).update(read_at=timezone.now())
        return matched == 1

    async def notification_created(self, event: dict[str, Any]) -> None:
        await self.send_json(
            {"type": "notification", "notification": event["notification"]}
        )
