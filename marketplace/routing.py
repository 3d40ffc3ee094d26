"""Websocket URL patterns; the consumers live in the apps."""

from typing import Any

# NOTE: no websocket consumer exists yet; the session-suggestion socket
# will be routed here.
websocket_urlpatterns: list[Any] = []
