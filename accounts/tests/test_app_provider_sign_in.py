"""The React app's social sign-in: allauth's headless provider redirect.

The app lists the providers from the browser config endpoint and posts a
plain form (provider, process, callback_url and the CSRF token as
csrfmiddlewaretoken) to the redirect endpoint; the provider sends the
browser back to the callback URL inside the app.
"""

import pytest
from django.test import Client

from accounts.models import User
from accounts.tests.conftest import OIDC_PROVIDER_ID
from accounts.tests.test_oidc_sign_in import (
    consent_at_provider,
    finish_at_marketplace,
    signed_in_user_pk,
    social_app,  # noqa: F401 (a fixture)
)

pytestmark = pytest.mark.django_db

BROWSER = "/_allauth/browser/v1"
APP_CALLBACK = "/app/sign-in"


@pytest.fixture
def browser():
    return Client(enforce_csrf_checks=True)


def csrf_token(browser) -> str:
    browser.get(f"{BROWSER}/auth/session")
    return browser.cookies["csrftoken"].value


def start_app_sign_in(browser, **overrides) -> object:
    fields = {
        "provider": OIDC_PROVIDER_ID,
        "process": "login",
        "callback_url": APP_CALLBACK,
        "csrfmiddlewaretoken": csrf_token(browser),
        **overrides,
    }
    return browser.post(f"{BROWSER}/auth/provider/redirect", fields)


def test_config_lists_configured_provider(browser, social_app):  # noqa: F811
    response = browser.get(f"{BROWSER}/config")

    assert response.status_code == 200
    providers = response.json()["data"]["socialaccount"]["providers"]
    assert [(item["id"], item["flows"]) for item in providers] == [
        (OIDC_PROVIDER_ID, ["provider_redirect", "provider_token"])
    ]


def test_config_lists_no_provider_without_app(browser):
    response = browser.get(f"{BROWSER}/config")

    assert response.json()["data"]["socialaccount"]["providers"] == []


def test_form_post_signs_in_and_returns_to_app(browser, social_app):  # noqa: F811
    started = start_app_sign_in(browser)
    assert started.status_code == 302

    callback_url = consent_at_provider(started["Location"], "newcomer", allow=True)
    finished = finish_at_marketplace(browser, callback_url)

    assert finished.status_code == 302
    assert finished["Location"] == APP_CALLBACK
    user = User.objects.get(email="newcomer@example.com")
    assert signed_in_user_pk(browser) == user.pk
    session = browser.get(f"{BROWSER}/auth/session")
    assert session.status_code == 200
    assert session.json()["data"]["user"]["id"] == user.pk


def test_denied_consent_returns_error_to_app(browser, social_app):  # noqa: F811
    started = start_app_sign_in(browser)

    callback_url = consent_at_provider(started["Location"], "newcomer", allow=False)
    finished = finish_at_marketplace(browser, callback_url)

    assert finished.status_code == 302
    # The app's sign-in page shows this code as a message.
    assert finished["Location"] == f"{APP_CALLBACK}?error=cancelled&error_process=login"
    assert signed_in_user_pk(browser) is None


def test_form_post_without_csrf_token_rejected(browser, social_app):  # noqa: F811
    response = start_app_sign_in(browser, csrfmiddlewaretoken="")

    assert response.status_code == 403
