"""Mail, cache and provider settings from the environment, per subprocess."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

PROJECT_ROOT = Path(__file__).resolve().parents[2]
PRINT_SETTINGS = """
import json, django
from django.conf import settings
django.setup()
print(json.dumps({
    "email_backend": settings.EMAIL_BACKEND,
    "email_host": getattr(settings, "EMAIL_HOST", None),
    "email_port": getattr(settings, "EMAIL_PORT", None),
    "email_use_tls": getattr(settings, "EMAIL_USE_TLS", None),
    "cache": settings.CACHES["default"]["BACKEND"],
    "providers": sorted(settings.SOCIALACCOUNT_PROVIDERS),
}))
"""
PREFIXES = ("EMAIL_", "REDIS_URL", "GOOGLE_", "GITHUB_", "KAKAO_", "NAVER_", "OIDC_")


def settings_with(tmp_path, **overrides):
    environment = {
        key: value for key, value in os.environ.items() if not key.startswith(PREFIXES)
    }
    environment.update(
        DJANGO_SETTINGS_MODULE="marketplace.settings",
        DEBUG="true",
        PYTHONPATH=str(PROJECT_ROOT),
        **overrides,
    )
    return subprocess.run(
        [sys.executable, "-c", PRINT_SETTINGS],
        cwd=tmp_path,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_defaults_without_environment(tmp_path):
    result = settings_with(tmp_path)

    assert result.returncode == 0, result.stderr
    values = json.loads(result.stdout)
    assert values["email_backend"] == "django.core.mail.backends.console.EmailBackend"
    assert values["cache"] == "django.core.cache.backends.locmem.LocMemCache"
    assert values["providers"] == []


def test_email_url_selects_smtp(tmp_path):
    result = settings_with(
        tmp_path, EMAIL_URL="smtp+tls://mailer:secret@smtp.example.com:587"
    )

    assert result.returncode == 0, result.stderr
    values = json.loads(result.stdout)
    assert values["email_backend"] == "django.core.mail.backends.smtp.EmailBackend"
    assert values["email_host"] == "smtp.example.com"
    assert values["email_port"] == 587
    assert values["email_use_tls"] is True


def test_email_host_selects_smtp(tmp_path):
    result = settings_with(tmp_path, EMAIL_HOST="mail.example.com", EMAIL_PORT="2525")

    assert result.returncode == 0, result.stderr
    values = json.loads(result.stdout)
    assert values["email_backend"] == "django.core.mail.backends.smtp.EmailBackend"
    assert values["email_host"] == "mail.example.com"
    assert values["email_port"] == 2525


def test_redis_url_selects_shared_cache(tmp_path):
    result = settings_with(tmp_path, REDIS_URL="redis://127.0.0.1:6379/1")

    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["cache"] == (
        "django.core.cache.backends.redis.RedisCache"
    )


@pytest.mark.parametrize(
    ("variables", "providers"),
    [
        ({"GITHUB_CLIENT_ID": "id", "GITHUB_SECRET": "s"}, ["github"]),
        (
            {
                "GOOGLE_CLIENT_ID": "id",
                "GOOGLE_SECRET": "s",
                "OIDC_CLIENT_ID": "id",
                "OIDC_SECRET": "s",
                "OIDC_SERVER_URL": "https://id.example.com",
            },
            ["google", "openid_connect"],
        ),
    ],
)
def test_providers_enabled_by_environment(tmp_path, variables, providers):
    result = settings_with(tmp_path, **variables)

    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["providers"] == providers


def test_half_provider_credentials_stop_startup(tmp_path):
    result = settings_with(tmp_path, GITHUB_CLIENT_ID="id")

    assert result.returncode == 1
    assert "GITHUB_SECRET is missing" in result.stderr
