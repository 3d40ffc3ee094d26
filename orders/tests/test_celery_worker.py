"""The periodic orders tasks through a real Celery worker process."""

import datetime as dt
import os
import subprocess
import sys
import time
from decimal import Decimal
from pathlib import Path

import pytest
from celery import Celery
from django.conf import settings
from django.db import connection
from django.utils import timezone

from listings.models import Listing
from marketplace.celery import app as project_app
from orders import services
from orders.models import Offer
from recommender.tests.factories import ListingFactory, UserFactory

PROJECT_ROOT = Path(__file__).resolve().parents[2]
WORKER_START_SECONDS = 90
TASK_RESULT_SECONDS = 60


def _database_url():
    database = connection.settings_dict
    host = database["HOST"] or "127.0.0.1"
    port = database["PORT"] or "5432"
    return f"postgres://{database['USER']}@{host}:{port}/{database['NAME']}"


@pytest.fixture
def worker(transactional_db, tmp_path):
    # The Redis database that REDIS_URL names, so that parallel test runs
    # with different REDIS_URL values never consume each other's tasks.
    broker_url = settings.REDIS_URL
    environment = {
        **os.environ,
        "DATABASE_URL": _database_url(),
        "CELERY_BROKER_URL": broker_url,
        "CELERY_RESULT_BACKEND": broker_url,
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
            ],
            cwd=PROJECT_ROOT,
            env=environment,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    # A client app of its own: the project app runs eagerly in this process.
    # Not the current app: later tests' `delay` calls must stay eager.
    client = Celery(
        "orders-test-client",
        broker=broker_url,
        backend=broker_url,
        set_as_current=False,
    )
    try:
        deadline = time.monotonic() + WORKER_START_SECONDS
        while not client.control.ping(timeout=1):
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"worker did not start:\n{log_path.read_text()}")
        yield client
    finally:
        client.close()
        process.terminate()
        process.wait(timeout=30)


def test_beat_schedule_names_registered_tasks():
    project_app.loader.import_default_modules()

    for name, entry in settings.CELERY_BEAT_SCHEDULE.items():
        assert entry["task"] in project_app.tasks, name


def test_worker_releases_expired_hold(worker):
    seller = UserFactory(username="seller")
    buyer = UserFactory(username="buyer")
    listing = ListingFactory(seller=seller)
    offer = services.make_offer(buyer=buyer, listing=listing, amount=Decimal("40"))
    services.accept_offer(offer=offer, user=seller)
    Offer.objects.filter(pk=offer.pk).update(
        hold_expires_at=timezone.now() - dt.timedelta(minutes=1)
    )

    result = worker.send_task("orders.tasks.release_expired_holds_task")

    assert result.get(timeout=TASK_RESULT_SECONDS) == 1
    listing.refresh_from_db()
    assert listing.status == Listing.Status.ACTIVE
    assert listing.reserved_for is None
    offer.refresh_from_db()
    assert offer.status == Offer.Status.EXPIRED
