"""The notification websocket, through the project's ASGI application.

The channel layer is the Redis layer that REDIS_URL selects.
"""

from decimal import Decimal

import pytest
from channels.db import database_sync_to_async
from channels.layers import get_channel_layer
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.test import Client

from listings import services as listing_services
from marketplace.asgi import application
from notifications.consumers import CLOSE_NOT_SIGNED_IN
from notifications.models import Notification
from orders.tests.factories import FavoriteFactory
from recommender.tests.factories import ListingFactory, UserFactory

RECEIVE_TIMEOUT_SECONDS = 5
# Longer than redis-py 8's default socket timeout (5 s) and channels-redis's
# blocking BZPOPMIN (5 s), which together broke idle sockets.
IDLE_SECONDS = 7

pytestmark = [pytest.mark.asyncio, pytest.mark.django_db(transaction=True)]


def session_cookie(user):
    client = Client()
    client.force_login(user)
    return client.cookies[settings.SESSION_COOKIE_NAME].value


async def open_socket(cookie=None):
    headers = [(b"origin", b"http://127.0.0.1")]
    if cookie is not None:
        headers.append((b"cookie", f"{settings.SESSION_COOKIE_NAME}={cookie}".encode()))
    communicator = WebsocketCommunicator(
        application, "/ws/notifications/", headers=headers
    )
    connected, code = await communicator.connect()
    return communicator, connected, code


def make_favorited_listing():
    seller = UserFactory(username="seller")
    listing = ListingFactory(seller=seller, title="Lens", price=Decimal("50.00"))
    fan = FavoriteFactory(listing=listing, user=UserFactory(username="fan")).user
    other = UserFactory(username="other")
    return listing, session_cookie(fan), session_cookie(other)


async def test_channel_layer_is_redis():
    assert type(get_channel_layer()).__name__ == "RedisChannelLayer"


async def test_price_drop_pushed_to_connected_fan():
    listing, fan_cookie, other_cookie = await database_sync_to_async(
        make_favorited_listing
    )()
    fan_socket, fan_connected, _ = await open_socket(fan_cookie)
    other_socket, other_connected, _ = await open_socket(other_cookie)
    assert fan_connected
    assert other_connected

    await database_sync_to_async(listing_services.update_listing)(
        listing=listing, price=Decimal("45.00")
    )

    message = await fan_socket.receive_json_from(timeout=RECEIVE_TIMEOUT_SECONDS)
    assert message["type"] == "notification"
    assert message["notification"]["kind"] == "price_drop"
    assert message["notification"]["message"] == "Lens dropped from 50.00 to 45.00 USD."
    assert message["notification"]["listing"] == listing.pk
    assert await other_socket.receive_nothing(timeout=0.5)
    await fan_socket.disconnect()
    await other_socket.disconnect()


async def test_idle_socket_still_receives_pushes():
    listing, fan_cookie, _ = await database_sync_to_async(make_favorited_listing)()
    fan_socket, connected, _ = await open_socket(fan_cookie)
    assert connected

    assert await fan_socket.receive_nothing(timeout=IDLE_SECONDS, interval=0.5)
    await database_sync_to_async(listing_services.update_listing)(
        listing=listing, price=Decimal("45.00")
    )

    message = await fan_socket.receive_json_from(timeout=RECEIVE_TIMEOUT_SECONDS)
    assert message["type"] == "notification"
    assert message["notification"]["kind"] == "price_drop"
    await fan_socket.disconnect()


async def test_mark_read_over_socket():
    listing, fan_cookie, _ = await database_sync_to_async(make_favorited_listing)()
    await database_sync_to_async(listing_services.update_listing)(
        listing=listing, price=Decimal("45.00")
    )
    notification = await database_sync_to_async(Notification.objects.get)()
    socket, connected, _ = await open_socket(fan_cookie)
    assert connected

    await socket.send_json_to({"type": "mark_read", "id": notification.pk})

    reply = await socket.receive_json_from(timeout=RECEIVE_TIMEOUT_SECONDS)
    assert reply == {"type": "marked_read", "id": notification.pk}
    await database_sync_to_async(notification.refresh_from_db)()
    assert notification.read_at is not None
    await socket.disconnect()


async def test_mark_read_of_another_users_notification_fails():
    listing, _, other_cookie = await database_sync_to_async(make_favorited_listing)()
    await database_sync_to_async(listing_services.update_listing)(
        listing=listing, price=Decimal("45.00")
    )
    notification = await database_sync_to_async(Notification.objects.get)()
    socket, _, _ = await open_socket(other_cookie)

    await socket.send_json_to({"type": "mark_read", "id": notification.pk})

    reply = await socket.receive_json_from(timeout=RECEIVE_TIMEOUT_SECONDS)
    assert reply == {
        "type": "error",
        "detail": f"Notification {notification.pk} was not found.",
    }
    await database_sync_to_async(notification.refresh_from_db)()
    assert notification.read_at is None
    await socket.disconnect()


@pytest.mark.parametrize(
    ("payload", "detail"),
    [
        (
            {"type": "subscribe"},
            'Unknown message; send {"type": "mark_read", "id": <notification id>}.',
        ),
        (
            {"type": "mark_read", "id": "7"},
            "Invalid notification id '7'; send an integer.",
        ),
    ],
)
async def test_invalid_message_gets_error(payload, detail):
    _, fan_cookie, _ = await database_sync_to_async(make_favorited_listing)()
    socket, _, _ = await open_socket(fan_cookie)

    await socket.send_json_to(payload)

    reply = await socket.receive_json_from(timeout=RECEIVE_TIMEOUT_SECONDS)
    assert reply == {"type": "error", "detail": detail}
    await socket.disconnect()


async def test_anonymous_socket_is_closed():
    _, connected, code = await open_socket()

    assert connected is False
    assert code == CLOSE_NOT_SIGNED_IN
