"""Thumbnails made by a real Celery worker process through Redis."""

import time
import uuid
from pathlib import Path

import pytest
from django.conf import settings

from listings.models import ListingPhoto
from listings.photos import add_listing_photos
from listings.tasks import make_listing_photo_thumbnail_task
from listings.tests import images
from marketplace.testing import running_worker
from recommender.tests.factories import ListingFactory


@pytest.fixture
def worker(transactional_db, settings, tmp_path):
    # The Redis database of this test run; a queue of its own keeps other
    # workers from taking the task.
    queue = f"photo-test-{uuid.uuid4().hex}"
    settings.MEDIA_ROOT = tmp_path / "media"
    log_path = tmp_path / "worker.log"
    with running_worker(
        broker_url=settings.REDIS_URL,
        log_path=log_path,
        environment={"MEDIA_ROOT": str(settings.MEDIA_ROOT)},
        queue=queue,
    ) as client:
        yield client, queue, log_path


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
