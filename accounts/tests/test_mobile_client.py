"""The headless app API as a mobile client uses it, with session tokens."""

import re

import pytest
from allauth.account.models import EmailAddress
from django.contrib.sessions.models import Session
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.api.authentication import INVALID_TOKEN_MESSAGE
from accounts.models import User
from accounts.tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

APP_AUTH = "/_allauth/app/v1/auth"
FEED_URL = "/api/v1/feed/"
ME_URL = "/api/v1/me/"
SIGNUP_PASSWORD = "a-long-mobile-passphrase"


def verification_key(message) -> str:
    match = re.search(r"/accounts/confirm-email/([^/\s]+)/", message.body)
    assert match, message.body
    return match.group(1)


def test_signup_verify_login_and_feed(mailoutbox):
    app = APIClient()

    response = app.post(
        f"{APP_AUTH}/signup",
        {"email": "phone@example.com", "password": SIGNUP_PASSWORD},
        format="json",
    )
    assert response.status_code == 401
    body = response.json()
    pending = [flow["id"] for flow in body["data"]["flows"] if flow.get("is_pending")]
    assert pending == ["verify_email"]
    pending_token = body["meta"]["session_token"]
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == ["phone@example.com"]
    user = User.objects.get(email="phone@example.com")
    assert not EmailAddress.objects.get(user=user).verified
    premature = app.get(ME_URL, headers={"X-Session-Token": pending_token})
    assert premature.status_code == 401

    response = app.post(
        f"{APP_AUTH}/email/verify",
        {"key": verification_key(mailoutbox[0])},
        format="json",
        headers={"X-Session-Token": pending_token},
    )
    assert response.status_code == 200
    assert EmailAddress.objects.get(user=user).verified

    response = app.post(
        f"{APP_AUTH}/login",
        {"email": "phone@example.com", "password": SIGNUP_PASSWORD},
        format="json",
    )
    assert response.status_code == 200
    token = response.json()["meta"]["session_token"]
    assert token

    feed = app.get(FEED_URL, headers={"X-Session-Token": token})
    assert feed.status_code == 200
    assert feed.json()["results"] == []
    me = app.get(ME_URL, headers={"X-Session-Token": token})
    assert me.status_code == 200
    assert me.json()["email"] == "phone@example.com"
    assert me.json()["trust_score"] == "36.5"


def test_login_blocked_until_email_verified():
    UserFactory(email="late@example.com", verified_email=False)

    response = APIClient().post(
        f"{APP_AUTH}/login",
        {"email": "late@example.com", "password": PASSWORD},
        format="json",
    )

    assert response.status_code == 401
    flows = response.json()["data"]["flows"]
    assert [flow["id"] for flow in flows if flow.get("is_pending")] == ["verify_email"]
    assert "session_token" in response.json()["meta"]
    assert "access_token" not in response.json()["meta"]


@pytest.mark.parametrize("token", ["not-a-token", "x" * 32, ""])
def test_bad_token_gets_401(token):
    response = APIClient().get(FEED_URL, headers={"X-Session-Token": token or " "})

    assert response.status_code == 401
    assert response.json() == {"detail": INVALID_TOKEN_MESSAGE}
    assert response["WWW-Authenticate"] == "X-Session-Token"


def test_expired_token_gets_401():
    user = UserFactory(email="old@example.com", verified_email=True)
    app = APIClient()
    response = app.post(
        f"{APP_AUTH}/login",
        {"email": user.email, "password": PASSWORD},
        format="json",
    )
    token = response.json()["meta"]["session_token"]
    assert app.get(ME_URL, headers={"X-Session-Token": token}).status_code == 200

    Session.objects.filter(session_key=token).update(
        expire_date=timezone.now() - timezone.timedelta(seconds=1)
    )
    response = app.get(ME_URL, headers={"X-Session-Token": token})

    assert response.status_code == 401
    assert response.json() == {"detail": INVALID_TOKEN_MESSAGE}


def test_logged_out_token_gets_401():
    user = UserFactory(email="out@example.com", verified_email=True)
    app = APIClient()
    token = app.post(
        f"{APP_AUTH}/login",
        {"email": user.email, "password": PASSWORD},
        format="json",
    ).json()["meta"]["session_token"]

    logout = app.delete(f"{APP_AUTH}/session", headers={"X-Session-Token": token})
    response = app.get(FEED_URL, headers={"X-Session-Token": token})

    assert logout.status_code == 401
    assert response.status_code == 401
    assert response.json() == {"detail": INVALID_TOKEN_MESSAGE}


def test_anonymous_write_still_gets_403():
    response = APIClient().patch(ME_URL, {"display_name": "x"}, format="json")

    assert response.status_code == 403


def test_browser_session_still_works(client):
    user = UserFactory(email="web@example.com", verified_email=True)
    client.force_login(user)

    response = client.get(ME_URL)

    assert response.status_code == 200
    assert response.json()["id"] == user.pk
