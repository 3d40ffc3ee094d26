"""Sign-in through a real OpenID Connect provider on 127.0.0.1.

The provider is a separate django-oauth-toolkit project (see conftest.py).
The marketplace is driven by Django's test client; the provider's sign-in
and consent pages by an HTTP client. No HTTP is mocked: allauth fetches the
discovery document, exchanges the code and reads the user info over HTTP.
"""

from urllib.parse import parse_qs, urljoin, urlsplit

import pytest
import requests
from allauth.account.models import EmailAddress
from allauth.socialaccount.models import SocialAccount, SocialApp
from django.contrib.auth import SESSION_KEY
from django.test import Client

from accounts.models import User
from accounts.tests.conftest import (
    OIDC_CALLBACK_PATH,
    OIDC_CLIENT_ID,
    OIDC_CLIENT_SECRET,
    OIDC_PASSWORD,
    OIDC_PROVIDER_ID,
)
from accounts.tests.factories import UserFactory
from accounts.tests.htmlforms import read_form

pytestmark = pytest.mark.django_db

LOGIN_PATH = f"/accounts/oidc/{OIDC_PROVIDER_ID}/login/"


@pytest.fixture
def social_app(oidc_provider):
    return SocialApp.objects.create(
        provider="openid_connect",
        provider_id=OIDC_PROVIDER_ID,
        name="Local provider",
        client_id=OIDC_CLIENT_ID,
        secret=OIDC_CLIENT_SECRET,
        settings={"server_url": oidc_provider.server_url, "oauth_pkce_enabled": True},
    )


def start_sign_in(client) -> str:
    """Start at the marketplace and return the provider's authorize URL."""
    response = client.post(LOGIN_PATH)
    assert response.status_code == 302
    return response["Location"]


def consent_at_provider(authorize_url: str, username: str, *, allow: bool) -> str:
    """Sign in at the provider and submit its consent form.

    Returns the URL the provider redirects the browser to, which points at
    the marketplace callback.
    """
    browser = requests.Session()
    response = browser.get(authorize_url, allow_redirects=False, timeout=10)
    assert response.status_code == 302
    login_url = urljoin(authorize_url, response.headers["Location"])

    login_page = browser.get(login_url, timeout=10)
    fields = read_form(login_page.text)["fields"]
    fields.update(username=username, password=OIDC_PASSWORD)
    response = browser.post(login_url, data=fields, allow_redirects=False, timeout=10)
    assert response.status_code == 302, response.text[:500]

    consent_page = browser.get(authorize_url, timeout=10)
    assert consent_page.status_code == 200
    fields = read_form(consent_page.text)["fields"]
    if allow:
        fields["allow"] = "Authorize"
    response = browser.post(
        consent_page.url, data=fields, allow_redirects=False, timeout=10
    )
    assert response.status_code == 302, response.text[:500]
    return response.headers["Location"]


def finish_at_marketplace(client, callback_url: str):
    parts = urlsplit(callback_url)
    assert parts.path == OIDC_CALLBACK_PATH
    return client.get(parts.path, {k: v[0] for k, v in parse_qs(parts.query).items()})


def sign_in(client, username: str, *, allow: bool = True):
    authorize_url = start_sign_in(client)
    callback_url = consent_at_provider(authorize_url, username, allow=allow)
    return finish_at_marketplace(client, callback_url)


def signed_in_user_pk(client) -> int | None:
    value = client.session.get(SESSION_KEY)
    return int(value) if value is not None else None


def test_new_user_signs_up(client, social_app):
    response = sign_in(client, "newcomer")

    assert response.status_code == 302
    user = User.objects.get(email="newcomer@example.com")
    assert signed_in_user_pk(client) == user.pk
    assert (
        SocialAccount.objects.filter(user=user, provider=OIDC_PROVIDER_ID).count() == 1
    )
    address = EmailAddress.objects.get(user=user)
    assert address.email == "newcomer@example.com"
    assert address.verified is True


def test_returning_user_signs_in_to_same_account(client, social_app):
    sign_in(client, "newcomer")
    first = User.objects.get(email="newcomer@example.com")
    client.logout()

    response = sign_in(client, "newcomer")

    assert response.status_code == 302
    assert signed_in_user_pk(client) == first.pk
    assert User.objects.filter(email="newcomer@example.com").count() == 1
    assert SocialAccount.objects.filter(provider=OIDC_PROVIDER_ID).count() == 1


def test_collision_with_verified_local_account_links(client, social_app):
    owner = UserFactory(email="owner@example.com", verified_email=True)
    password_before = owner.password

    response = sign_in(client, "verified-owner")

    assert response.status_code == 302
    assert signed_in_user_pk(client) == owner.pk
    assert User.objects.filter(email__iexact="owner@example.com").count() == 1
    assert SocialAccount.objects.get(provider=OIDC_PROVIDER_ID).user_id == owner.pk
    owner.refresh_from_db()
    assert owner.password == password_before


def test_collision_with_unverified_local_account_is_refused(
    client, social_app, mailoutbox
):
    # Someone registered the address without proving they own it; a
    # verified sign-in at the provider must not take over that account.
    squatter = UserFactory(email="victim@example.com", verified_email=False)
    password_before = squatter.password

    response = sign_in(client, "squatter-victim")

    assert signed_in_user_pk(client) != squatter.pk
    assert signed_in_user_pk(client) is None
    assert not SocialAccount.objects.filter(user=squatter).exists()
    assert User.objects.filter(email__iexact="victim@example.com").count() == 1
    assert EmailAddress.objects.filter(email__iexact="victim@example.com").count() == 1
    squatter.refresh_from_db()
    assert squatter.password == password_before
    # With enumeration prevention on, allauth shows the page "verification
    # mail sent" and mails the address owner that an account exists.
    assert response.status_code == 302
    assert response["Location"] == "/accounts/confirm-email/"
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == ["victim@example.com"]
    assert "Account Already Exists" in mailoutbox[0].subject


def test_unverified_provider_email_does_not_link(client, social_app):
    owner = UserFactory(email="owner2@example.com", verified_email=True)

    sign_in(client, "unverified-claimer")

    assert signed_in_user_pk(client) is None
    assert not SocialAccount.objects.filter(user=owner).exists()
    assert User.objects.filter(email__iexact="owner2@example.com").count() == 1


def test_consent_denied_creates_nothing(client, social_app):
    users_before = User.objects.count()

    response = sign_in(client, "newcomer", allow=False)

    assert response.status_code == 302
    assert response["Location"] == "/accounts/3rdparty/login/cancelled/"
    assert signed_in_user_pk(client) is None
    assert User.objects.count() == users_before
    assert SocialAccount.objects.count() == 0


def test_tampered_state_is_rejected(client, social_app):
    authorize_url = start_sign_in(client)
    callback_url = consent_at_provider(authorize_url, "newcomer", allow=True)
    parts = urlsplit(callback_url)
    query = {k: v[0] for k, v in parse_qs(parts.query).items()}
    query["state"] = query["state"][:-4] + "abcd"

    response = client.get(parts.path, query)

    assert response.status_code == 401
    assert b"Third-Party Login Failure" in response.content
    assert signed_in_user_pk(client) is None
    assert not User.objects.filter(email="newcomer@example.com").exists()
    assert SocialAccount.objects.count() == 0


def test_browser_client_redirect_flow(social_app):
    # The React app posts a form to the headless endpoint; the rest of the
    # flow runs through the same provider pages and callback.
    browser = Client(enforce_csrf_checks=True)
    browser.get("/_allauth/browser/v1/auth/session")
    response = browser.post(
        "/_allauth/browser/v1/auth/provider/redirect",
        {
            "provider": OIDC_PROVIDER_ID,
            "callback_url": "/after-sign-in/",
            "process": "login",
            "csrfmiddlewaretoken": browser.cookies["csrftoken"].value,
        },
    )
    assert response.status_code == 302

    callback_url = consent_at_provider(response["Location"], "newcomer", allow=True)
    finished = finish_at_marketplace(browser, callback_url)
    session = browser.get("/_allauth/browser/v1/auth/session")

    assert finished.status_code == 302
    assert finished["Location"] == "/after-sign-in/"
    assert session.status_code == 200
    assert session.json()["data"]["user"]["email"] == "newcomer@example.com"
