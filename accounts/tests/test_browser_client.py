"""The headless browser client: session cookie plus CSRF token."""

import pytest
from django.test import Client

from accounts.tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

BROWSER_AUTH = "/_allauth/browser/v1/auth"


@pytest.fixture
def browser():
    return Client(enforce_csrf_checks=True)


def csrf_token(browser) -> str:
    browser.get(f"{BROWSER_AUTH}/session")
    return browser.cookies["csrftoken"].value


def test_login_without_csrf_rejected(browser):
    UserFactory(email="web@example.com", verified_email=True)

    response = browser.post(
        f"{BROWSER_AUTH}/login",
        {"email": "web@example.com", "password": PASSWORD},
        content_type="application/json",
    )

    assert response.status_code == 403
    assert "_auth_user_id" not in browser.session


def test_login_then_api_with_session(browser):
    user = UserFactory(email="web@example.com", verified_email=True)
    token = csrf_token(browser)

    login = browser.post(
        f"{BROWSER_AUTH}/login",
        {"email": "web@example.com", "password": PASSWORD},
        content_type="application/json",
        headers={"X-CSRFToken": token},
    )
    me = browser.get("/api/v1/me/")

    assert login.status_code == 200
    assert login.json()["data"]["user"]["id"] == user.pk
    assert "session_token" not in login.json().get("meta", {})
    assert me.status_code == 200
    assert me.json()["id"] == user.pk


def test_api_write_needs_csrf_with_session(browser):
    user = UserFactory(email="web@example.com", verified_email=True)
    token = csrf_token(browser)
    browser.post(
        f"{BROWSER_AUTH}/login",
        {"email": "web@example.com", "password": PASSWORD},
        content_type="application/json",
        headers={"X-CSRFToken": token},
    )

    without = browser.patch(
        "/api/v1/me/", {"display_name": "No token"}, content_type="application/json"
    )
    with_token = browser.patch(
        "/api/v1/me/",
        {"display_name": "With token"},
        content_type="application/json",
        headers={"X-CSRFToken": browser.cookies["csrftoken"].value},
    )

    assert without.status_code == 403
    assert "CSRF" in without.json()["detail"]
    assert with_token.status_code == 200
    user.refresh_from_db()
    assert user.display_name == "With token"
