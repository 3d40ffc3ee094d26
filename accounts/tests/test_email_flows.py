"""Password reset and email change, end to end through the mails."""

import re

import pytest
from allauth.account.models import EmailAddress
from rest_framework.test import APIClient

from accounts.models import User
from accounts.tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

APP_AUTH = "/_allauth/app/v1"


def app_login(email: str, password: str = PASSWORD) -> tuple[APIClient, str]:
    client = APIClient()
    response = client.post(
        f"{APP_AUTH}/auth/login", {"email": email, "password": password}, format="json"
    )
    assert response.status_code == 200, response.content
    return client, response.json()["meta"]["session_token"]


def test_password_reset_through_mail(mailoutbox):
    user = UserFactory(email="forgot@example.com", verified_email=True)
    client = APIClient()
    client.post(
        f"{APP_AUTH}/auth/password/request",
        {"email": "forgot@example.com"},
        format="json",
    )
    match = re.search(r"/accounts/password/reset/key/([^/\s]+)/", mailoutbox[0].body)
    assert match

    response = client.post(
        f"{APP_AUTH}/auth/password/reset",
        {"key": match.group(1), "password": "a-brand-new-passphrase"},
        format="json",
    )

    # The reset does not sign in (ACCOUNT_LOGIN_ON_PASSWORD_RESET is off).
    assert response.status_code == 401
    user.refresh_from_db()
    assert user.check_password("a-brand-new-passphrase")
    app_login("forgot@example.com", "a-brand-new-passphrase")


def test_email_change_replaces_address_after_verification(mailoutbox):
    user = UserFactory(email="before@example.com", verified_email=True)
    client, token = app_login(user.email)
    headers = {"X-Session-Token": token}

    added = client.post(
        f"{APP_AUTH}/account/email",
        {"email": "after@example.com"},
        format="json",
        headers=headers,
    )
    # Until the new address is verified, the old one stays in use.
    user.refresh_from_db()
    assert added.status_code == 200
    assert user.email == "before@example.com"
    assert [mail.to for mail in mailoutbox] == [["after@example.com"]]

    key = re.search(r"/accounts/confirm-email/([^/\s]+)/", mailoutbox[0].body)
    assert key
    verified = client.post(
        f"{APP_AUTH}/auth/email/verify",
        {"key": key.group(1)},
        format="json",
        headers=headers,
    )

    assert verified.status_code == 200
    user.refresh_from_db()
    assert user.email == "after@example.com"
    addresses = list(
        EmailAddress.objects.filter(user=user).values_list("email", "verified")
    )
    assert addresses == [("after@example.com", True)]
    assert User.objects.filter(email="before@example.com").count() == 0
