"""Views made signed out go on in the user's session after sign-in.

The visitor browses over the session socket without an account, then
signs in through the headless browser API that the React app uses, with
the same session cookie.
"""

from importlib import import_module

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.test import Client

from accounts.tests.factories import PASSWORD, UserFactory
from marketplace.asgi import application
from recommender.models import Interaction
from suggestions.history import ANONYMOUS_SESSION_FIELD
from suggestions.models import SessionView
from suggestions.selectors import current_session_listing_pks
from suggestions.services import Visitor
from suggestions.tests.helpers import build_market

RECEIVE_TIMEOUT_SECONDS = 5
BROWSER_AUTH = "/_allauth/browser/v1/auth"

pytestmark = [pytest.mark.asyncio, pytest.mark.django_db(transaction=True)]


async def open_socket(cookie):
    headers = [(b"origin", b"http://127.0.0.1")]
    if cookie is not None:
        headers.append((b"cookie", f"{settings.SESSION_COOKIE_NAME}={cookie}".encode()))
    socket = WebsocketCommunicator(application, "/ws/session/", headers=headers)
    connected, _ = await socket.connect()
    assert connected
    return socket


async def view(socket, listing_pk):
    await socket.send_json_to({"type": "view", "listing": listing_pk})
    acknowledgement = await socket.receive_json_from(timeout=RECEIVE_TIMEOUT_SECONDS)
    suggestions = await socket.receive_json_from(timeout=RECEIVE_TIMEOUT_SECONDS)
    assert acknowledgement == {"type": "viewed", "listing": listing_pk}
    return suggestions


def titles(message):
    return [listing["title"] for listing in message["listings"]]


def anonymous_browser():
    """Return a browser client with a saved anonymous session."""
    browser = Client()
    session = browser.session
    session.save()
    return browser, session.session_key


def sign_in(browser, user):
    response = browser.post(
        f"{BROWSER_AUTH}/login",
        {"email": user.email, "password": PASSWORD},
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    return browser.cookies[settings.SESSION_COOKIE_NAME].value


async def test_anonymous_views_merge_at_sign_in():
    _, listings = await database_sync_to_async(build_market)()
    buyer = await database_sync_to_async(UserFactory)(
        username="visitor", email="visitor@example.com", verified_email=True
    )
    browser, anonymous_key = await database_sync_to_async(anonymous_browser)()
    anonymous = await open_socket(anonymous_key)
    await view(anonymous, listings["camera"].pk)
    await view(anonymous, listings["lens"].pk)
    await anonymous.disconnect()

    user_key = await database_sync_to_async(sign_in)(browser, buyer)

    assert user_key != anonymous_key
    stored = await database_sync_to_async(
        lambda: list(
            SessionView.objects.order_by("pk").values_list(
                "user_id", "session_key", "listing_id"
            )
        )
    )()
    assert stored == [
        (buyer.pk, "", listings["camera"].pk),
        (buyer.pk, "", listings["lens"].pk),
    ]
    interactions = await database_sync_to_async(
        lambda: list(
            Interaction.objects.filter(user=buyer)
            .order_by("occurred_at")
            .values_list("kind", "listing_id", "occurred_at")
        )
    )()
    viewed_at = await database_sync_to_async(
        lambda: list(SessionView.objects.order_by("pk").values_list("viewed_at"))
    )()
    assert interactions == [
        ("view", listings["camera"].pk, viewed_at[0][0]),
        ("view", listings["lens"].pk, viewed_at[1][0]),
    ]
    session_data = await database_sync_to_async(lambda: dict(browser.session))()
    assert ANONYMOUS_SESSION_FIELD not in session_data

    # The signed-in socket continues the same session: the listings viewed
    # before sign-in stay out of the suggestions. The "own" listing belongs
    # to another user, so it is buyable here.
    signed_in = await open_socket(user_key)
    suggestions = await view(signed_in, listings["tripod"].pk)
    assert titles(suggestions) == ["own", "bag", "strap"]
    session_listing_pks = await database_sync_to_async(current_session_listing_pks)(
        Visitor(user_pk=buyer.pk, session_key="")
    )
    assert session_listing_pks == [
        listings["camera"].pk,
        listings["lens"].pk,
        listings["tripod"].pk,
    ]
    await signed_in.disconnect()


async def test_sign_in_leaves_other_sessions_views():
    _, listings = await database_sync_to_async(build_market)()
    buyer = await database_sync_to_async(UserFactory)(
        username="visitor", email="visitor@example.com", verified_email=True
    )
    browser, _ = await database_sync_to_async(anonymous_browser)()
    _, other_key = await database_sync_to_async(anonymous_browser)()
    other = await open_socket(other_key)
    await view(other, listings["camera"].pk)
    await other.disconnect()

    await database_sync_to_async(sign_in)(browser, buyer)

    stored = await database_sync_to_async(
        lambda: list(SessionView.objects.values_list("user_id", "session_key"))
    )()
    assert stored == [(None, other_key)]
    count = await database_sync_to_async(Interaction.objects.count)()
    assert count == 0


async def test_new_anonymous_socket_marks_session():
    socket = WebsocketCommunicator(
        application, "/ws/session/", headers=[(b"origin", b"http://127.0.0.1")]
    )
    await socket.send_input({"type": "websocket.connect"})
    accept = await socket.receive_output(timeout=RECEIVE_TIMEOUT_SECONDS)
    [(_, cookie)] = accept["headers"]
    session_key = cookie.split(b";")[0].split(b"=", 1)[1].decode()

    store = import_module(settings.SESSION_ENGINE).SessionStore(session_key)
    data = await database_sync_to_async(store.load)()

    assert data == {ANONYMOUS_SESSION_FIELD: session_key}
    await socket.disconnect()


async def test_expired_session_cookie_replaced():
    _, listings = await database_sync_to_async(build_market)()
    expired_key = "x" * 32
    socket = WebsocketCommunicator(
        application,
        "/ws/session/",
        headers=[
            (b"origin", b"http://127.0.0.1"),
            (b"cookie", f"{settings.SESSION_COOKIE_NAME}={expired_key}".encode()),
        ],
    )
    await socket.send_input({"type": "websocket.connect"})
    accept = await socket.receive_output(timeout=RECEIVE_TIMEOUT_SECONDS)
    [(_, cookie)] = accept["headers"]
    session_key = cookie.split(b";")[0].split(b"=", 1)[1].decode()

    await view(socket, listings["camera"].pk)

    assert session_key != expired_key
    stored = await database_sync_to_async(SessionView.objects.get)()
    assert stored.session_key == session_key
    store = import_module(settings.SESSION_ENGINE).SessionStore(session_key)
    data = await database_sync_to_async(store.load)()
    assert data == {ANONYMOUS_SESSION_FIELD: session_key}
    await socket.disconnect()
