"""allauth's rate limits, counted in the shared Redis cache."""

import pytest
import redis
from django.conf import settings as django_settings
from rest_framework.test import APIClient

from accounts.models import User
from accounts.tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

APP_AUTH = "/_allauth/app/v1/auth"


@pytest.fixture
def tight_limits(settings):
    settings.ACCOUNT_RATE_LIMITS = {
        **settings.ACCOUNT_RATE_LIMITS,
        "login_failed": "10/m/ip,2/5m/key",
        "signup": "2/m/ip",
        "reset_password": "20/m/ip,1/m/key",
    }


def login(client, email, password):
    return client.post(
        f"{APP_AUTH}/login", {"email": email, "password": password}, format="json"
    )


def test_failed_logins_limited_per_address(tight_limits):
    user = UserFactory(email="target@example.com", verified_email=True)
    client = APIClient()

    codes = [
        login(client, user.email, "wrong-password").json()["errors"][0]["code"]
        for _ in range(3)
    ]
    blocked = login(client, user.email, PASSWORD)

    assert codes == [
        "email_password_mismatch",
        "email_password_mismatch",
        "too_many_login_attempts",
    ]
    # Even the right password is refused while the limit holds.
    assert blocked.status_code == 400
    assert blocked.json()["errors"] == [
        {
            "message": "Too many failed login attempts. Try again later.",
            "code": "too_many_login_attempts",
        }
    ]
    other = login(APIClient(), "someone@example.com", "wrong-password")
    assert other.json()["errors"][0]["code"] == "email_password_mismatch"


def test_signups_limited_per_ip(tight_limits):
    client = APIClient()

    statuses = [
        client.post(
            f"{APP_AUTH}/signup",
            {"email": f"new{n}@example.com", "password": "a-long-passphrase-9"},
            format="json",
        ).status_code
        for n in range(3)
    ]

    assert statuses == [401, 401, 429]
    # The rejected attempt leaves no half-created account.
    assert not User.objects.filter(email="new2@example.com").exists()
    assert User.objects.filter(email__startswith="new").count() == 2


def test_password_reset_limited_per_address(tight_limits, mailoutbox):
    UserFactory(email="reset@example.com", verified_email=True)
    client = APIClient()

    first = client.post(
        f"{APP_AUTH}/password/request", {"email": "reset@example.com"}, format="json"
    )
    second = client.post(
        f"{APP_AUTH}/password/request", {"email": "reset@example.com"}, format="json"
    )

    assert first.status_code == 200
    assert second.status_code == 429
    assert len(mailoutbox) == 1


def test_verification_mails_limited(mailoutbox):
    client = APIClient()
    client.post(
        f"{APP_AUTH}/signup",
        {"email": "resend@example.com", "password": "a-long-passphrase-9"},
        format="json",
    )

    # Each sign-in of an unverified account would mail a new link; the
    # default allows one verification mail per address every 3 minutes.
    again = login(APIClient(), "resend@example.com", "a-long-passphrase-9")

    assert again.status_code == 401
    assert [mail.to for mail in mailoutbox] == [["resend@example.com"]]


def test_counters_live_in_shared_redis(tight_limits):
    user = UserFactory(email="shared@example.com", verified_email=True)
    login(APIClient(), user.email, "wrong-password")

    # Another process sees the counter because it lives in Redis, not in
    # this process's memory.
    assert django_settings.CACHES["default"]["BACKEND"].endswith("RedisCache")
    other_process_view = redis.Redis.from_url(django_settings.REDIS_URL)
    keys = [key.decode() for key in other_process_view.keys("*allauth*")]
    assert any("login_failed" in key for key in keys), keys
