"""The signed-in user's notifications: list and mark read.

Every query is filtered on the requester, so a request for another user's
notification gets 404.
"""

from django.db.models import QuerySet
from rest_framework import mixins, viewsets
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

    @action(detail=True, methods=["post"])
    def read(self, request: Request, pk: str | None = None) -> Response:
        notification = services.mark_read(notification=self.get_object())
        return Response(NotificationSerializer(notification).data)
