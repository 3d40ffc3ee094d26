"""The test helper that points the project's Celery app at a broker."""

import pytest

from marketplace.celery import app as celery_app
from marketplace.testing import sending_tasks_to
from suggestions.tasks import push_suggestions_task

pytestmark = pytest.mark.django_db


def transport(pool):
    return pool.connection.transport_cls


def test_drops_pools_of_eager_sends(settings):
    # An eager send makes the pools for the in-memory broker.
    push_suggestions_task.delay(None, "a" * 32)
    assert transport(celery_app.pool) == "memory"

    with sending_tasks_to(celery_app, broker_url=settings.REDIS_URL, queue="q"):
        assert celery_app.conf.task_always_eager is False
        assert celery_app.conf.task_default_queue == "q"
        assert transport(celery_app.pool) == "redis"
        assert transport(celery_app.amqp.producer_pool.connections) == "redis"

    assert celery_app.conf.task_always_eager is True
    assert transport(celery_app.pool) == "memory"
    assert transport(celery_app.amqp.producer_pool.connections) == "memory"
