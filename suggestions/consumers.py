"""The session socket: listing views in, live suggestions out."""

import logging
import time
from typing import Any

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.conf import settings
from django.contrib.sessions.backends.base import SessionBase

from suggestions.history import mark_anonymous_session
from suggestions.services import Visitor, record_view

logger = logging.getLogger(__name__)

# Application close code sent when the user signs out. Codes 4000 to 4999
# are free for applications (RFC 6455, section 7.4.2).
CLOSE_SIGNED_OUT = 4401
MESSAGE_FORMATS = '{"type": "view", "listing": <listing id>} or {"type": "ping"}'


class TokenBucket:
    """A token bucket: `rate` tokens per second, at most `capacity` held."""

    def __init__(self, rate: float, capacity: int) -> None:
        self.rate = rate
        self.capacity = capacity
        self.tokens = float(capacity)
        self.updated = time.monotonic()

    def take(self) -> bool:
        """Take one token; return False when the bucket is empty."""
        now = time.monotonic()
        elapsed = now - self.updated
        self.tokens = min(self.capacity, self.tokens + elapsed * self.rate)
        self.updated = now
        if self.tokens < 1:
            return False
        self.tokens -= 1
        return True


class SessionConsumer(AsyncJsonWebsocketConsumer):
    """Store a visitor's listing views and push suggestions after each.

    Signed-in users are keyed by their account and anonymous visitors by
    their Django session, which is created on connect when the request has
    none or names an expired one (the accept response then sets the session
    cookie). Suggestions arrive as `{"type": "suggestions", "listings":
    [...]}` once the worker has computed them.
    """

    visitor: Visitor | None = None

    async def connect(self) -> None:
        user = self.scope.get("user")
        session: SessionBase = self.scope["session"]
        headers: list[tuple[bytes, bytes]] = []
        if user is not None and user.is_authenticated:
            self.visitor = Visitor(user_pk=user.pk, session_key="")
        else:
            # The key goes into the session's data, where the sign-in
            # receiver finds it to merge this visitor's views.
            created = await database_sync_to_async(mark_anonymous_session)(session)
            if created:
                headers.append((b"set-cookie", _session_cookie(session)))
            assert session.session_key is not None
            self.visitor = Visitor(user_pk=None, session_key=session.session_key)
        self.bucket = TokenBucket(
            settings.SUGGESTIONS_SOCKET_RATE_PER_SECOND,
            settings.SUGGESTIONS_SOCKET_BURST,
        )
        await self.channel_layer.group_add(self.visitor.group_name, self.channel_name)
        await self.accept(headers=headers or None)

    async def disconnect(self, code: int) -> None:
        if self.visitor is not None:
            await self.channel_layer.group_discard(
                self.visitor.group_name, self.channel_name
            )

    async def receive(
        self, text_data: str | None = None, bytes_data: bytes | None = None
    ) -> None:
        if text_data is None:
            # The JSON consumer would raise on a binary frame and drop the
            # socket, so it is decoded here as invalid input instead.
            await self.receive_json(_InvalidJson(binary=True))
            return
        await super().receive(text_data=text_data, bytes_data=bytes_data)

    async def decode_json(self, text_data: str) -> Any:
        try:
            return await super().decode_json(text_data)
        except ValueError:
            return _InvalidJson(binary=False)

    async def receive_json(self, content: Any, **kwargs: Any) -> None:
        if not self.bucket.take():
            await self._send_error(
                "Rate limit exceeded: at most "
                f"{settings.SUGGESTIONS_SOCKET_BURST} messages at once and "
                f"{settings.SUGGESTIONS_SOCKET_RATE_PER_SECOND:g} per second; "
                "this message was dropped, so wait before sending more."
            )
            return
        if isinstance(content, _InvalidJson) and content.binary:
            await self._send_error(
                f"Binary frames are not supported; send JSON text, {MESSAGE_FORMATS}."
            )
            return
        if isinstance(content, _InvalidJson):
            await self._send_error(f"Invalid JSON; send {MESSAGE_FORMATS}.")
            return
        if not isinstance(content, dict):
            await self._send_error(
                f"Invalid message {content!r}: expected a JSON object, "
                f"{MESSAGE_FORMATS}."
            )
            return
        message_type = content.get("type")
        if message_type == "ping":
            await self.send_json({"type": "pong"})
            return
        if message_type != "view":
            await self._send_error(
                f"Unknown message type {message_type!r}; send {MESSAGE_FORMATS}."
            )
            return
        listing_pk = content.get("listing")
        if (
            not isinstance(listing_pk, int)
            or isinstance(listing_pk, bool)
            or listing_pk < 1
        ):
            await self._send_error(
                f"Invalid listing {listing_pk!r}: expected a positive integer "
                "listing id."
            )
            return
        recorded = await self._record_view(listing_pk)
        if not recorded:
            await self._send_error(f"Listing {listing_pk} was not found.")
            return
        await self.send_json({"type": "viewed", "listing": listing_pk})

    async def _send_error(self, message: str) -> None:
        await self.send_json({"type": "error", "message": message})

    @database_sync_to_async
    def _record_view(self, listing_pk: int) -> bool:
        assert self.visitor is not None
        return record_view(visitor=self.visitor, listing_pk=listing_pk) is not None

    async def suggestions_ready(self, event: dict[str, Any]) -> None:
        await self.send_json(event["message"])

    async def session_signed_out(self, event: dict[str, Any]) -> None:
        await self.close(code=CLOSE_SIGNED_OUT)


class _InvalidJson:
    """The decoded form of a frame that is not a JSON text frame."""

    def __init__(self, *, binary: bool = False) -> None:
        self.binary = binary


def _session_cookie(session: SessionBase) -> bytes:
    parts = [
        f"{settings.SESSION_COOKIE_NAME}={session.session_key}",
        f"Path={settings.SESSION_COOKIE_PATH}",
        f"Max-Age={settings.SESSION_COOKIE_AGE}",
        f"SameSite={settings.SESSION_COOKIE_SAMESITE}",
    ]
    if settings.SESSION_COOKIE_HTTPONLY:
        parts.append("HttpOnly")
    if settings.SESSION_COOKIE_SECURE:
        parts.append("Secure")
    return "; ".join(parts).encode()
