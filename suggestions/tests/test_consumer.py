"""The session socket through the project's ASGI application.

Celery runs eagerly here, so a view's suggestions are computed in the
consumer's process and still travel through the Redis channel layer that
REDIS_URL selects.
"""

import json

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.test import Client

from marketplace.asgi import application
from moderation.tests.factories import BlockFactory
from recommender.models import Interaction
from recommender.tests.factories import ListingFactory, UserFactory
from suggestions.consumers import CLOSE_SIGNED_OUT
from suggestions.models import SessionView
from suggestions.tests.helpers import build_market, session_cookie

RECEIVE_TIMEOUT_SECONDS = 5

pytestmark = [pytest.mark.asyncio, pytest.mark.django_db(transaction=True)]


async def open_socket(cookie=None, origin=b"http://127.0.0.1"):
    headers = [(b"origin", origin)]
    if cookie is not None:
        headers.append((b"cookie", f"{settings.SESSION_COOKIE_NAME}={cookie}".encode()))
    communicator = WebsocketCommunicator(application, "/ws/session/", headers=headers)
    connected, code = await communicator.connect()
    return communicator, connected, code


async def view(socket, listing_pk):
    """Send a view and return the acknowledgement and the suggestions."""
    await socket.send_json_to({"type": "view", "listing": listing_pk})
    acknowledgement = await socket.receive_json_from(timeout=RECEIVE_TIMEOUT_SECONDS)
    suggestions = await socket.receive_json_from(timeout=RECEIVE_TIMEOUT_SECONDS)
    return acknowledgement, suggestions


def titles(message):
    return [listing["title"] for listing in message["listings"]]


async def test_anonymous_visitor_gets_session_and_suggestions():
    _, listings = await database_sync_to_async(build_market)()
    communicator = WebsocketCommunicator(
        application, "/ws/session/", headers=[(b"origin", b"http://127.0.0.1")]
    )
    connected, _ = await communicator.connect()
    assert connected

    acknowledgement, suggestions = await view(communicator, listings["camera"].pk)

    assert acknowledgement == {"type": "viewed", "listing": listings["camera"].pk}
    assert suggestions["type"] == "suggestions"
    assert suggestions["source"] == "popularity"
    assert suggestions["model_version"] is None
    # Popularity order, without the viewed and the sold listing.
    assert titles(suggestions) == ["own", "lens", "tripod", "bag", "strap"]
    stored = await database_sync_to_async(SessionView.objects.get)()
    assert stored.user_id is None
    assert len(stored.session_key) == 32
    assert stored.listing_id == listings["camera"].pk
    assert stored.product_id == listings["camera"].product_id
    assert await database_sync_to_async(Interaction.objects.count)() == 0
    await communicator.disconnect()


async def test_anonymous_connect_sets_session_cookie():
    communicator = WebsocketCommunicator(
        application, "/ws/session/", headers=[(b"origin", b"http://127.0.0.1")]
    )
    await communicator.send_input({"type": "websocket.connect"})

    accept = await communicator.receive_output(timeout=RECEIVE_TIMEOUT_SECONDS)

    assert accept["type"] == "websocket.accept"
    [(name, value)] = accept["headers"]
    assert name == b"set-cookie"
    assert value.startswith(f"{settings.SESSION_COOKIE_NAME}=".encode())
    assert b"HttpOnly" in value
    await communicator.disconnect()


async def test_signed_in_view_excludes_own_sold_blocked():
    buyer, listings = await database_sync_to_async(build_market)()

    def block_a_seller():
        blocked_seller = UserFactory(username="blocked")
        listing = ListingFactory(seller=blocked_seller, title="blocked")
        BlockFactory(blocker=buyer, blocked=blocked_seller)
        return listing

    blocked_listing = await database_sync_to_async(block_a_seller)()
    cookie = await database_sync_to_async(session_cookie)(buyer)
    socket, connected, _ = await open_socket(cookie)
    assert connected

    _, suggestions = await view(socket, listings["lens"].pk)

    assert titles(suggestions) == ["camera", "tripod", "bag", "strap"]
    suggested = {listing["id"] for listing in suggestions["listings"]}
    assert blocked_listing.pk not in suggested
    stored = await database_sync_to_async(SessionView.objects.get)()
    assert stored.user_id == buyer.pk
    assert stored.session_key == ""
    interaction = await database_sync_to_async(Interaction.objects.get)()
    assert interaction.user_id == buyer.pk
    assert interaction.kind == Interaction.Kind.VIEW
    assert interaction.source == Interaction.Source.SITE
    assert interaction.listing_id == listings["lens"].pk
    await socket.disconnect()


async def test_reconnect_resumes_anonymous_session():
    _, listings = await database_sync_to_async(build_market)()

    def anonymous_cookie():
        client = Client()
        session = client.session
        session.save()
        return session.session_key

    cookie = await database_sync_to_async(anonymous_cookie)()
    first, _, _ = await open_socket(cookie)
    await view(first, listings["camera"].pk)
    await first.disconnect()

    second, connected, _ = await open_socket(cookie)
    assert connected
    _, suggestions = await view(second, listings["lens"].pk)

    assert titles(suggestions) == ["own", "tripod", "bag", "strap"]
    keys = await database_sync_to_async(
        lambda: set(SessionView.objects.values_list("session_key", flat=True))
    )()
    assert keys == {cookie}
    await second.disconnect()


async def test_suggestions_reach_every_socket_of_visitor():
    buyer, listings = await database_sync_to_async(build_market)()
    cookie = await database_sync_to_async(session_cookie)(buyer)
    first, _, _ = await open_socket(cookie)
    second, _, _ = await open_socket(cookie)

    await view(first, listings["camera"].pk)

    pushed = await second.receive_json_from(timeout=RECEIVE_TIMEOUT_SECONDS)
    assert pushed["type"] == "suggestions"
    assert titles(pushed) == ["lens", "tripod", "bag", "strap"]
    await first.disconnect()
    await second.disconnect()


async def test_foreign_origin_rejected():
    socket, connected, code = await open_socket(origin=b"http://attacker.example")

    assert not connected
    assert code == 1000
    assert await database_sync_to_async(SessionView.objects.count)() == 0
    await socket.disconnect()


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "{not json",
            'Invalid JSON; send {"type": "view", "listing": <listing id>} or '
            '{"type": "ping"}.',
        ),
        (
            "[1, 2]",
            'Invalid message [1, 2]: expected a JSON object, {"type": "view", '
            '"listing": <listing id>} or {"type": "ping"}.',
        ),
        (
            '{"type": "buy"}',
            'Unknown message type \'buy\'; send {"type": "view", "listing": '
            '<listing id>} or {"type": "ping"}.',
        ),
        (
            '{"listing": 1}',
            'Unknown message type None; send {"type": "view", "listing": '
            '<listing id>} or {"type": "ping"}.',
        ),
        (
            '{"type": "view"}',
            "Invalid listing None: expected a positive integer listing id.",
        ),
        (
            '{"type": "view", "listing": "7"}',
            "Invalid listing '7': expected a positive integer listing id.",
        ),
        (
            '{"type": "view", "listing": true}',
            "Invalid listing True: expected a positive integer listing id.",
        ),
        (
            '{"type": "view", "listing": 0}',
            "Invalid listing 0: expected a positive integer listing id.",
        ),
        (
            '{"type": "view", "listing": 1.5}',
            "Invalid listing 1.5: expected a positive integer listing id.",
        ),
        (
            '{"type": "view", "listing": 999999}',
            "Listing 999999 was not found.",
        ),
    ],
)
async def test_malformed_message_gets_error(text, message):
    socket, connected, _ = await open_socket()
    assert connected

    await socket.send_to(text_data=text)

    reply = await socket.receive_json_from(timeout=RECEIVE_TIMEOUT_SECONDS)
    assert reply == {"type": "error", "message": message}
    # The socket stays open and usable.
    await socket.send_json_to({"type": "ping"})
    assert await socket.receive_json_from(timeout=RECEIVE_TIMEOUT_SECONDS) == {
        "type": "pong"
    }
    assert await database_sync_to_async(SessionView.objects.count)() == 0
    await socket.disconnect()


async def test_binary_frame_gets_error():
    socket, _, _ = await open_socket()

    await socket.send_to(bytes_data=b'{"type": "ping"}')

    reply = await socket.receive_json_from(timeout=RECEIVE_TIMEOUT_SECONDS)
    assert reply == {
        "type": "error",
        "message": "Binary frames are not supported; send JSON text, "
        '{"type": "view", "listing": <listing id>} or {"type": "ping"}.',
    }
    await socket.send_json_to({"type": "ping"})
    assert await socket.receive_json_from(timeout=RECEIVE_TIMEOUT_SECONDS) == {
        "type": "pong"
    }
    await socket.disconnect()


async def test_hidden_listing_view_not_found():
    def hidden_listing():
        listing = ListingFactory(title="hidden")
        listing.status = "hidden"
        listing.save()
        return listing

    listing = await database_sync_to_async(hidden_listing)()
    socket, _, _ = await open_socket()

    await socket.send_json_to({"type": "view", "listing": listing.pk})

    reply = await socket.receive_json_from(timeout=RECEIVE_TIMEOUT_SECONDS)
    assert reply == {"type": "error", "message": f"Listing {listing.pk} was not found."}
    await socket.disconnect()


async def test_rate_limit_rejects_burst(settings):
    settings.SUGGESTIONS_SOCKET_BURST = 3
    settings.SUGGESTIONS_SOCKET_RATE_PER_SECOND = 0.01
    socket, _, _ = await open_socket()

    for _ in range(3):
        await socket.send_json_to({"type": "ping"})
        reply = await socket.receive_json_from(timeout=RECEIVE_TIMEOUT_SECONDS)
        assert reply == {"type": "pong"}
    await socket.send_json_to({"type": "ping"})

    reply = await socket.receive_json_from(timeout=RECEIVE_TIMEOUT_SECONDS)
    assert reply == {
        "type": "error",
        "message": "Rate limit exceeded: at most 3 messages at once and 0.01 per "
        "second; this message was dropped, so wait before sending more.",
    }
    await socket.disconnect()


async def test_rate_limit_counts_malformed_messages(settings):
    settings.SUGGESTIONS_SOCKET_BURST = 1
    settings.SUGGESTIONS_SOCKET_RATE_PER_SECOND = 0.01
    socket, _, _ = await open_socket()

    await socket.send_to(text_data="{not json")
    first = await socket.receive_json_from(timeout=RECEIVE_TIMEOUT_SECONDS)
    await socket.send_to(text_data="{not json")
    second = await socket.receive_json_from(timeout=RECEIVE_TIMEOUT_SECONDS)

    assert first["message"].startswith("Invalid JSON")
    assert second["message"].startswith("Rate limit exceeded")
    await socket.disconnect()


async def test_sign_out_closes_socket():
    buyer = await database_sync_to_async(UserFactory)(username="buyer")
    client = Client()
    await database_sync_to_async(client.force_login)(buyer)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    socket, connected, _ = await open_socket(cookie)
    assert connected

    await database_sync_to_async(client.logout)()

    closing = await socket.receive_output(timeout=RECEIVE_TIMEOUT_SECONDS)
    assert closing == {"type": "websocket.close", "code": CLOSE_SIGNED_OUT}


async def test_sign_out_leaves_other_users_socket():
    buyer = await database_sync_to_async(UserFactory)(username="buyer")
    other = await database_sync_to_async(UserFactory)(username="other")
    client = Client()
    await database_sync_to_async(client.force_login)(buyer)
    other_cookie = await database_sync_to_async(session_cookie)(other)
    socket, _, _ = await open_socket(other_cookie)

    await database_sync_to_async(client.logout)()

    assert await socket.receive_nothing(timeout=0.5)
    await socket.send_json_to({"type": "ping"})
    assert json.loads(
        (await socket.receive_output(timeout=RECEIVE_TIMEOUT_SECONDS))["text"]
    ) == {"type": "pong"}
    await socket.disconnect()
