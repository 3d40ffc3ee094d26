"""Websocket URL patterns; the consumers live in the apps."""

from typing import Any

from notifications.routing import (
    websocket_urlpatterns as notification_websocket_urlpatterns,
)

# NOTE: the session-suggestion socket is not routed here yet.
websocket_urlpatterns: list[Any] = []
websocket_urlpatterns += notification_websocket_urlpatterns
