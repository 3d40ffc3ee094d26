"""Celery tasks of the orders app: thin wrappers over the services."""

import datetime as dt

from celery import shared_task
from django.conf import settings

from orders.services import release_expired_holds
from orders.services.carts import delete_stale_anonymous_carts


@shared_task(soft_time_limit=240, time_limit=300)
def release_expired_holds_task() -> int:
    """Expire accepted offers whose hold has ended; return how many."""
    return release_expired_holds()


@shared_task(soft_time_limit=240, time_limit=300)
def delete_stale_anonymous_carts_task() -> int:
    """Delete anonymous carts older than a session; return how many."""
    return delete_stale_anonymous_carts(
        older_than=dt.timedelta(seconds=settings.SESSION_COOKIE_AGE)
    )
