"""Thumbnails made by a real Celery worker process through Redis."""

import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from celery import Celery
from django.conf import settings
from django.db import connection

from listings.models import ListingPhoto
from listings.photos import add_listing_photos
from listings.tasks import make_listing_photo_thumbnail_task
from listings.tests import images
from recommender.tests.factories import ListingFactory

PROJECT_ROOT = Path(__file__).resolve().parents[2]


def _database_url() -> str:
    database = connection.settings_dict
    host = database["HOST"] or "127.0.0.1"
    port = database["PORT"] or "5432"
    password = f":{database['PASSWORD']}" if database["PASSWORD"] else ""
    return f"postgres://{database['USER']}{password}@{host}:{port}/{database['NAME']}"


@pytest.fixture
def worker(transactional_db, settings, tmp_path):
    # The Redis database of this test run; a queue of its own keeps other
    # workers from taking the task.
    broker_url = settings.REDIS_URL
    queue = f"photo-test-{uuid.uuid4().hex}"
    settings.MEDIA_ROOT = tmp_path / "media"
    environment = {
        **os.environ,
        "DATABASE_URL": _database_url(),
        "CELERY_BROKER_URL": broker_url,
        "MEDIA_ROOT": str(settings.MEDIA_ROOT),
        "SECRET_KEY": settings.SECRET_KEY,
    }
    log_path = tmp_path / "worker.log"
    with log_path.open("w") as log:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "marketplace",
                "worker",
                "--pool=solo",
                "--without-heartbeat",
                "--without-gossip",
                "--without-mingle",
                "--loglevel=INFO",
                f"--queues={queue}",
                f"--hostname={queue}@localhost",
            ],
            cwd=PROJECT_ROOT,
            env=environment,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    # Not the current app: later tests' `delay` calls must stay eager.
    client = Celery("test-client", broker=broker_url, set_as_current=False)
    try:
        deadline = time.monotonic() + 90
        while not client.control.ping(destination=[f"{queue}@localhost"], timeout=1):
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"worker did not start:\n{log_path.read_text()}")
        yield client, queue, log_path
    finally:
        client.close()
        process.terminate()
        process.wait(timeout=30)


def test_worker_makes_thumbnail_after_commit(worker, monkeypatch):
    client, queue, log_path = worker
    sent = []

    def send(photo_pk):
        sent.append(photo_pk)
        client.send_task(
            make_listing_photo_thumbnail_task.name, args=[photo_pk], queue=queue
        )

    monkeypatch.setattr(make_listing_photo_thumbnail_task, "delay", send)
    listing = ListingFactory()
    jpeg = images.encode(images.split_image(800, 600), "JPEG")

    [photo] = add_listing_photos(
        listing=listing, uploads=[images.upload("a.jpg", jpeg)]
    )

    assert sent == [photo.pk]
    deadline = time.monotonic() + 60
    while not ListingPhoto.objects.get(pk=photo.pk).thumbnail:
        if time.monotonic() > deadline:
            pytest.fail(f"no thumbnail was made:\n{log_path.read_text()}")
        time.sleep(0.2)
    photo.refresh_from_db()
    thumbnail = Path(settings.MEDIA_ROOT) / photo.thumbnail.name
    assert thumbnail.is_file()
    assert photo.thumbnail.width == 400
    assert photo.thumbnail.height == 300
