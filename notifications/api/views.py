"""The signed-in user's notifications: list, count unread and mark read.

Every query is filtered on the requester, so a request for another user's
notification gets 404.
"""

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from notifications import services
from notifications.api.serializers import NotificationSerializer
from notifications.models import Notification


class NotificationViewSet(mixins.ListModelMixin, viewsets.GenericViewSet[Notification]):
    """List the requester's notifications, newest first, and mark them read."""

    serializer_class = NotificationSerializer
    permission_classes = [IsAuthenticated]

    def get_queryset(self) -> QuerySet[Notification]:
        if getattr(self, "swagger_fake_view", False):
            return Notification.objects.none()
        return Notification.objects.filter(user=self.request.user)  # type: ignore[misc]

    @extend_schema(
        summary="Count your unread notifications",
        responses={
            200: inline_serializer(
                "UnreadNotificationCount", {"unread": serializers.IntegerField()}
            )
        },
    )
    @action(detail=False, methods=["get"], url_path="unread-count")
    def unread_count(self, request: Request) -> Response:
        """Return how many of the requester's notifications are unread."""
        unread = self.get_queryset().filter(read_at__isnull=True).count()
        return Response({"unread": unread})

    @action(detail=True, methods=["post"])
    def read(self, request: Request, pk: str | None = None) -> Response:
        notification = services.mark_read(notification=self.get_object())
        return Response(NotificationSerializer(notification).data)
