"""The periodic orders tasks through a real Celery worker process."""

import datetime as dt
from decimal import Decimal

import pytest
from django.conf import settings
from django.utils import timezone

from listings.models import Listing
from marketplace.celery import app as project_app
from marketplace.testing import running_worker
from orders import services
from orders.models import Offer
from recommender.tests.factories import ListingFactory, UserFactory

WORKER_START_SECONDS = 90
TASK_RESULT_SECONDS = 60


@pytest.fixture
def worker(transactional_db, tmp_path):
    # The Redis database that REDIS_URL names, so that parallel test runs
    # with different REDIS_URL values never consume each other's tasks.
    with running_worker(
        broker_url=settings.REDIS_URL,
        log_path=tmp_path / "worker.log",
        start_seconds=WORKER_START_SECONDS,
    ) as client:
        yield client


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
