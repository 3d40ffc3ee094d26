"""Celery tasks of the orders app: thin wrappers over the services."""

from celery import shared_task

from orders.services import release_expired_holds


@shared_task(soft_time_limit=240, time_limit=300)
def release_expired_holds_task() -> int:
    """Expire accepted offers whose hold has ended; return how many."""
    return release_expired_holds()
