"""Uploaded files served by the web process, and the file mail backend."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client

PROJECT_ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def media_file(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    (settings.MEDIA_ROOT / "listing_photos").mkdir(parents=True)
    (settings.MEDIA_ROOT / "listing_photos" / "one.jpg").write_bytes(
        b"\xff\xd8\xffjpeg"
    )
    (tmp_path / "secret.txt").write_text("outside the media root")
    return "/media/listing_photos/one.jpg"


def test_media_served_when_enabled(settings, media_file):
    settings.SERVE_MEDIA = True

    response = Client().get(media_file)

    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"\xff\xd8\xffjpeg"
    assert response["Content-Type"] == "image/jpeg"


def test_media_not_served_when_disabled(settings, media_file):
    settings.SERVE_MEDIA = False

    assert Client().get(media_file).status_code == 404


def test_media_path_cannot_leave_root(settings, media_file):
    settings.SERVE_MEDIA = True

    response = Client().get("/media/listing_photos/../../secret.txt")
    encoded = Client().get("/media/listing_photos/%2e%2e/%2e%2e/secret.txt")

    # Django answers a path outside the root as a suspicious operation.
    assert response.status_code == 400
    assert encoded.status_code == 400
    assert b"outside the media root" not in response.content
    assert b"outside the media root" not in encoded.content


def test_email_file_path_selects_file_backend(tmp_path):
    script = (
        "import json, django\n"
        "from django.conf import settings\n"
        "django.setup()\n"
        "print(json.dumps([settings.EMAIL_BACKEND, settings.EMAIL_FILE_PATH]))\n"
    )
    environment = {
        key: value for key, value in os.environ.items() if not key.startswith("EMAIL_")
    }
    environment.update(
        DJANGO_SETTINGS_MODULE="marketplace.settings",
        DEBUG="true",
        EMAIL_FILE_PATH=str(tmp_path / "mail"),
        PYTHONPATH=str(PROJECT_ROOT),
    )

    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=tmp_path,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == [
        "django.core.mail.backends.filebased.EmailBackend",
        str(tmp_path / "mail"),
    ]
