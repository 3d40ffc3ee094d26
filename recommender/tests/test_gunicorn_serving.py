"""The production HTTP server: gunicorn with the project's configuration.

A real gunicorn process serves the feed from the test database. Its worker
loads the model and the index when it starts, before any request, and
serves a signed-in user's feed from them.
"""

import datetime as dt
import http.client
import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone

from marketplace.testing import database_url
from recommender.models import Interaction
from recommender.tasks import train_model_task
from recommender.tests.factories import UserFactory
from recommender.tests.scenarios import build_catalog

PROJECT_ROOT = Path(__file__).resolve().parents[2]
START_SECONDS = 60


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _get(port: int, path: str, cookie: str) -> tuple[int, bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request("GET", path, headers={"Cookie": cookie})
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


@pytest.fixture
def camera_fan_cookie(transactional_db, artifact_dir):
    catalog = build_catalog()
    # Transactional test: the index task runs when the training commits.
    train_model_task.delay("two_tower", None, 20).get()
    fan = UserFactory(username="camera-fan")
    for hours_ago, product in enumerate(catalog.products["cameras"][:4], start=1):
        Interaction.objects.create(
            user=fan,
            product=product,
            kind=Interaction.Kind.VIEW,
            source=Interaction.Source.SITE,
            occurred_at=timezone.now() - dt.timedelta(hours=hours_ago),
        )
    client = Client()
    client.force_login(fan)
    name = settings.SESSION_COOKIE_NAME
    return f"{name}={client.cookies[name].value}"


@pytest.fixture
def gunicorn(camera_fan_cookie, artifact_dir, tmp_path):
    port = _free_port()
    log_path = tmp_path / "gunicorn.log"
    environment = {
        **os.environ,
        "DATABASE_URL": database_url(),
        "SECRET_KEY": settings.SECRET_KEY,
        "ALLOWED_HOSTS": "127.0.0.1",
        "DEBUG": "false",
        "LOG_LEVEL": "INFO",
        "RECOMMENDER_ARTIFACT_DIR": str(artifact_dir),
        "RECOMMENDER_SERVING_THREADS": "1",
        "WEB_CONCURRENCY": "1",
    }
    with log_path.open("w") as log:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "-c",
                "marketplace/gunicorn_conf.py",
                "--bind",
                f"127.0.0.1:{port}",
            ],
            cwd=PROJECT_ROOT,
            env=environment,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + START_SECONDS
        while True:
            try:
                _get(port, "/api/v1/schema/", "")
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"gunicorn did not start:\n{log_path.read_text()}")
                time.sleep(0.2)
        yield port, camera_fan_cookie, log_path
    finally:
        process.terminate()
        process.wait(timeout=30)


def test_gunicorn_worker_loads_models_at_start(gunicorn):
    port, cookie, log_path = gunicorn
    started_log = log_path.read_text()

    status, body = _get(port, "/api/v1/feed/?page_size=5", cookie)

    assert "Loaded two_tower version" in started_log
    assert "Loaded listing index" in started_log
    assert status == 200, log_path.read_text()
    page = json.loads(body)
    assert page["strategy"] == "two_tower"
    assert len(page["results"]) == 5
