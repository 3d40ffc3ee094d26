"""Websocket URL patterns; the consumers live in the apps."""

from typing import Any

from notifications.routing import (
    websocket_urlpatterns as notification_websocket_urlpatterns,
)
from suggestions.routing import (
    websocket_urlpatterns as suggestion_websocket_urlpatterns,
)

websocket_urlpatterns: list[Any] = []
websocket_urlpatterns += notification_websocket_urlpatterns
websocket_urlpatterns += suggestion_websocket_urlpatterns
