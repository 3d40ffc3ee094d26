"""Where the links in account mails point, by where the request came from."""

import re
from urllib.parse import unquote

import pytest
from allauth.account.models import EmailAddress
from django.test import Client
from rest_framework.test import APIClient

from accounts.models import User
from accounts.tests.factories import UserFactory

pytestmark = pytest.mark.django_db

BROWSER_AUTH = "/_allauth/browser/v1/auth"
APP_AUTH = "/_allauth/app/v1/auth"
SIGNUP_PASSWORD = "a-long-signup-passphrase"
APP_VERIFY_LINK = re.compile(r"http://testserver/app/verify-email/(\S+)")
SERVER_VERIFY_LINK = re.compile(r"http://testserver/accounts/confirm-email/(\S+)/")


@pytest.fixture
def browser():
    return Client(enforce_csrf_checks=True)


def csrf_token(browser) -> str:
    browser.get(f"{BROWSER_AUTH}/session")
    return browser.cookies["csrftoken"].value


def browser_signup(browser, **fields) -> dict:
    response = browser.post(
        f"{BROWSER_AUTH}/signup",
        fields,
        content_type="application/json",
        headers={"X-CSRFToken": csrf_token(browser)},
    )
    assert response.status_code == 401, response.content
    return response.json()


def test_browser_signup_mail_links_to_app(browser, mailoutbox):
    browser_signup(
        browser,
        email="mina@example.com",
        username="mina",
        password=SIGNUP_PASSWORD,
    )

    assert len(mailoutbox) == 1
    assert SERVER_VERIFY_LINK.search(mailoutbox[0].body) is None
    match = APP_VERIFY_LINK.search(mailoutbox[0].body)
    assert match is not None, mailoutbox[0].body
    # The key is percent-encoded in the path; the app page decodes it.
    user = User.objects.get(email="mina@example.com")
    assert user.username == "mina"

    verified = browser.post(
        f"{BROWSER_AUTH}/email/verify",
        {"key": unquote(match.group(1))},
        content_type="application/json",
        headers={"X-CSRFToken": browser.cookies["csrftoken"].value},
    )

    # The same browser finishes its pending sign-up and is signed in.
    assert verified.status_code == 200, verified.content
    assert verified.json()["data"]["user"]["username"] == "mina"
    assert EmailAddress.objects.get(user=user).verified is True


def test_browser_signup_without_username_derives_one(browser, mailoutbox):
    browser_signup(browser, email="nouser@example.com", password=SIGNUP_PASSWORD)

    user = User.objects.get(email="nouser@example.com")
    assert user.username == "nouser"
    assert APP_VERIFY_LINK.search(mailoutbox[0].body) is not None


def test_browser_signup_rejects_taken_username(browser, mailoutbox):
    UserFactory(username="taken", email="first@example.com")

    response = browser.post(
        f"{BROWSER_AUTH}/signup",
        {"email": "second@example.com", "username": "taken", "password": "x" * 20},
        content_type="application/json",
        headers={"X-CSRFToken": csrf_token(browser)},
    )

    assert response.status_code == 400
    params = [error["param"] for error in response.json()["errors"]]
    assert params == ["username"]
    assert User.objects.filter(email="second@example.com").count() == 0
    assert mailoutbox == []


def test_page_signup_mail_links_to_server_page(mailoutbox):
    response = Client().post(
        "/accounts/signup/",
        {
            "email": "page@example.com",
            "password1": SIGNUP_PASSWORD,
            "password2": SIGNUP_PASSWORD,
        },
    )

    assert response.status_code == 302
    assert len(mailoutbox) == 1
    assert APP_VERIFY_LINK.search(mailoutbox[0].body) is None
    assert SERVER_VERIFY_LINK.search(mailoutbox[0].body) is not None


def test_mobile_signup_mail_links_to_server_page(mailoutbox):
    response = APIClient().post(
        f"{APP_AUTH}/signup",
        {"email": "phone@example.com", "password": SIGNUP_PASSWORD},
        format="json",
    )

    assert response.status_code == 401
    assert APP_VERIFY_LINK.search(mailoutbox[0].body) is None
    assert SERVER_VERIFY_LINK.search(mailoutbox[0].body) is not None


def test_browser_password_reset_mail_links_to_app(browser, mailoutbox):
    user = UserFactory(email="forgot@example.com", verified_email=True)
    token = csrf_token(browser)
    browser.post(
        f"{BROWSER_AUTH}/password/request",
        {"email": "forgot@example.com"},
        content_type="application/json",
        headers={"X-CSRFToken": token},
    )
    match = re.search(r"http://testserver/app/password/reset/(\S+)", mailoutbox[0].body)
    assert match is not None, mailoutbox[0].body

    response = browser.post(
        f"{BROWSER_AUTH}/password/reset",
        {"key": unquote(match.group(1)), "password": "a-brand-new-passphrase"},
        content_type="application/json",
        headers={"X-CSRFToken": token},
    )

    assert response.status_code == 401
    user.refresh_from_db()
    assert user.check_password("a-brand-new-passphrase")
