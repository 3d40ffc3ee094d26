"""Server-rendered account pages, the admin, and provider settings."""

import environ
import pytest
from django.core.exceptions import ImproperlyConfigured
from django.urls import reverse
from django.utils import timezone

from accounts.providers import social_providers_from_env
from accounts.tests.factories import (
    NeighbourhoodFactory,
    UserFactory,
    UserNeighbourhoodFactory,
)

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "path",
    ["/accounts/login/", "/accounts/signup/", "/accounts/password/reset/"],
)
def test_entrance_pages_use_site_layout(client, path):
    response = client.get(path)

    assert response.status_code == 200
    assert b'class="site-header"' in response.content
    assert b"site.css" in response.content


def test_login_and_logout_names_kept():
    assert reverse("login") == "/accounts/login/"
    assert reverse("logout") == "/accounts/logout/"
    assert reverse("account_login") == "/accounts/login/"


def test_email_login_page_signs_in(client):
    user = UserFactory(email="page@example.com", verified_email=True)

    response = client.post(
        "/accounts/login/",
        {"login": "page@example.com", "password": "correct-horse-battery"},
    )

    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(user.pk)


@pytest.mark.parametrize(
    "path",
    [
        "/accounts/profile/",
        "/accounts/profile/neighbourhoods/",
        "/accounts/delete/",
        "/accounts/email/",
    ],
)
def test_manage_pages_render(client, path):
    client.force_login(UserFactory(verified_email=True))

    response = client.get(path)

    assert response.status_code == 200
    assert b'class="site-header"' in response.content


def test_manage_pages_require_sign_in(client):
    response = client.get("/accounts/profile/")

    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/accounts/profile/"


def test_public_profile_page_shows_names_only(client):
    person = UserFactory(display_name="Park")
    place = NeighbourhoodFactory(name="Mangwon", latitude=37.556, longitude=126.901)
    UserNeighbourhoodFactory(
        user=person, neighbourhood=place, confirmed_at=timezone.now()
    )

    response = client.get(f"/accounts/users/{person.pk}/")

    assert response.status_code == 200
    assert b"Park" in response.content
    assert b"Mangwon" in response.content
    assert b"37.556" not in response.content
    assert person.email.encode() not in response.content


@pytest.mark.parametrize(
    "url",
    [
        "/admin/accounts/user/",
        "/admin/accounts/neighbourhood/",
        "/admin/accounts/userneighbourhood/",
        "/admin/account/emailaddress/",
        "/admin/socialaccount/socialapp/",
    ],
)
def test_admin_lists_render(client, url):
    admin = UserFactory(is_staff=True, is_superuser=True)
    UserNeighbourhoodFactory()
    client.force_login(admin)

    response = client.get(url)

    assert response.status_code == 200


def test_admin_user_page_renders(client):
    admin = UserFactory(is_staff=True, is_superuser=True)
    member = UserNeighbourhoodFactory()
    client.force_login(admin)

    response = client.get(f"/admin/accounts/user/{member.user.pk}/change/")

    assert response.status_code == 200


def test_admin_erase_action(client):
    admin = UserFactory(is_staff=True, is_superuser=True)
    target = UserFactory(email="gone@example.com")
    client.force_login(admin)

    response = client.post(
        "/admin/accounts/user/",
        {"action": "erase_accounts", "_selected_action": [target.pk]},
    )

    assert response.status_code == 302
    target.refresh_from_db()
    assert target.erased_at is not None
    assert str(target) == "Deleted user"


def env_from(values):
    env = environ.Env()
    env.ENVIRON = values
    return env


def test_no_providers_without_credentials():
    assert social_providers_from_env(env_from({})) == {}


def test_provider_enabled_by_credentials():
    providers = social_providers_from_env(
        env_from({"KAKAO_CLIENT_ID": "id", "KAKAO_SECRET": "secret"})
    )

    assert providers == {"kakao": {"APPS": [{"client_id": "id", "secret": "secret"}]}}


def test_half_credentials_fail_loudly():
    with pytest.raises(ImproperlyConfigured) as error:
        social_providers_from_env(env_from({"NAVER_CLIENT_ID": "id"}))

    assert str(error.value) == (
        "NAVER_SECRET is missing while the other half of the NAVER "
        "credentials is set. Set both, or neither to turn it off."
    )


def test_oidc_provider_from_env():
    providers = social_providers_from_env(
        env_from(
            {
                "OIDC_CLIENT_ID": "id",
                "OIDC_SECRET": "secret",
                "OIDC_SERVER_URL": "https://id.example.com",
                "OIDC_PROVIDER_ID": "corp",
            }
        )
    )

    app = providers["openid_connect"]["APPS"][0]
    assert app["provider_id"] == "corp"
    assert app["settings"] == {"server_url": "https://id.example.com"}
    assert providers["openid_connect"]["OAUTH_PKCE_ENABLED"] is True


def test_oidc_without_server_url_fails():
    with pytest.raises(ImproperlyConfigured) as error:
        social_providers_from_env(
            env_from({"OIDC_CLIENT_ID": "id", "OIDC_SECRET": "secret"})
        )

    assert "OIDC_SERVER_URL is missing" in str(error.value)


def test_demo_account_signs_in_by_username(client):
    demo = UserFactory(username="demo-buyer-1", email="", is_demo=True)

    response = client.post(
        "/accounts/login/",
        {"login": "demo-buyer-1", "password": "correct-horse-battery"},
    )

    assert response.status_code == 302
    assert response["Location"] == "/"
    assert client.session["_auth_user_id"] == str(demo.pk)


def test_username_login_still_needs_verification(client):
    person = UserFactory(username="plain", verified_email=False)

    response = client.post(
        "/accounts/login/", {"login": "plain", "password": "correct-horse-battery"}
    )

    assert response.status_code == 302
    assert response["Location"] == "/accounts/confirm-email/"
    assert "_auth_user_id" not in client.session
    assert person.is_demo is False
