"""The Redis list of views that wait for their suggestions push.

Each stored view appends its visitor to the list and queues one Celery
task. A task takes every waiting entry (up to SUGGESTIONS_PUSH_BATCH) in
one atomic LPOP and pushes to them in one batch, so a worker that falls
behind clears its backlog with a few forward passes, not one per view.
Tasks that find the list empty return at once, because an earlier task
already took their view. LPOP hands each entry to exactly one task, so
each view gets one push, however many worker processes run.

The list lives in the Redis of REDIS_URL. Without it, or with tasks run
eagerly, every task pushes to its own visitor.
"""

import json
import logging
import threading
from typing import cast

import redis
from django.conf import settings
from redis.exceptions import RedisError

from suggestions.visitors import Visitor

logger = logging.getLogger(__name__)

PENDING_KEY = "suggestions:pending-pushes"
# Seconds a command to Redis may take before it fails, so that a Redis that
# stops responding fails the push instead of stalling the worker or the view.
REDIS_TIMEOUT_SECONDS = 5.0

_lock = threading.Lock()
_clients: dict[str, redis.Redis] = {}


def queue_enabled() -> bool:
    """Return whether views are batched through the Redis list."""
    from suggestions.tasks import push_suggestions_task

    return bool(settings.REDIS_URL) and not push_suggestions_task.app.conf.get(
        "task_always_eager"
    )


def add_pending(visitor: Visitor) -> bool:
    """Append `visitor` to the waiting list; return False when it failed.

    A caller whose append failed must have its own task push to the visitor.
    """
    entry = json.dumps([visitor.user_pk, visitor.session_key])
    try:
        redis_client().rpush(PENDING_KEY, entry)
    except (OSError, RedisError) as error:
        logger.error("Failed to queue the suggestions push of a view: %s", error)
        return False
    return True


def take_pending(limit: int) -> list[Visitor]:
    """Remove and return up to `limit` waiting visitors, oldest first.

    A visitor with several waiting views comes back once per view. Raises
    RedisError or OSError when Redis cannot be reached.
    """
    entries = cast(list[bytes], redis_client().lpop(PENDING_KEY, limit) or [])
    visitors: list[Visitor] = []
    for entry in entries:
        try:
            user_pk, session_key = json.loads(entry)
            visitors.append(Visitor(user_pk=user_pk, session_key=session_key))
        except (ValueError, TypeError) as error:
            logger.error("Skipped an invalid pending push %r: %s", entry, error)
    return visitors


def redis_client() -> redis.Redis:
    url = settings.REDIS_URL
    with _lock:
        client = _clients.get(url)
        if client is None:
            client = redis.Redis.from_url(
                url,
                socket_timeout=REDIS_TIMEOUT_SECONDS,
                socket_connect_timeout=REDIS_TIMEOUT_SECONDS,
            )
            _clients[url] = client
        return client
