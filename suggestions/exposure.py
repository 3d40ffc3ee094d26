"""How many suggestion lists showed each catalog item, today and yesterday.

The tail quota with an exposure penalty (SUGGESTIONS_EXPOSURE_PENALTY)
reads these counts to spread its positions over many tail items. Counts
live in one Redis hash per UTC day, which expires two days after its
last write. A count adds the current and the previous UTC day. Without
REDIS_URL, each process counts on its own.

Counting is best effort: when Redis cannot be reached the counts read as 0
and the lists are still served, with the best tail items by score. Such
failures are logged at most once a minute each, with the count of the
failures in between.
"""

import logging
import threading
import time
from collections import Counter
from collections.abc import Collection, Iterable
from datetime import UTC, datetime, timedelta
from typing import cast

from django.conf import settings
from redis.exceptions import RedisError

from suggestions.push_queue import redis_client

logger = logging.getLogger(__name__)

KEY_PREFIX = "suggestions:shown:"
# A day's hash is read until the end of the next day, so it must outlive
# that; it expires this long after its last write.
KEEP_SECONDS = 2 * 86_400

# Seconds between two log lines of the same kind of failure.
LOG_INTERVAL_SECONDS = 60.0

_lock = threading.Lock()
_local: dict[str, Counter[str]] = {}
# Per failure message: when it was last logged, and the failures since.
_failures: dict[str, tuple[float, int]] = {}


def _log_failure(message: str, error: Exception) -> None:
    """Log `message` with `error`, at most once per LOG_INTERVAL_SECONDS."""
    now = time.monotonic()
    with _lock:
        logged_at, skipped = _failures.get(message, (-LOG_INTERVAL_SECONDS, 0))
        if now - logged_at < LOG_INTERVAL_SECONDS:
            _failures[message] = (logged_at, skipped + 1)
            return
        _failures[message] = (now, 0)
    logger.error("%s: %s (%d more since the last report)", message, error, skipped)


def _day_keys(now: datetime | None) -> tuple[str, str]:
    """Return the keys of the current and the previous UTC day."""
    today = (now or datetime.now(UTC)).astimezone(UTC).date()
    yesterday = today - timedelta(days=1)
    return (
        f"{KEY_PREFIX}{today:%Y%m%d}",
        f"{KEY_PREFIX}{yesterday:%Y%m%d}",
    )


def _stored_count(value: bytes | None) -> int:
    """Parse one stored count; raise ValueError unless it is at least 0."""
    count = int(value or 0)
    if count < 0:
        # The ranking takes log1p of the count, which fails below 0.
        raise ValueError(f"stored count {count} is below 0")
    return count


def shown_counts(
    item_ids: Collection[str], *, now: datetime | None = None
) -> dict[str, int]:
    """Return how many lists showed each item today and yesterday (UTC)."""
    ids = sorted(set(item_ids))
    if not ids:
        return {}
    keys = _day_keys(now)
    if not settings.REDIS_URL:
        with _lock:
            return {
                item: sum(_local.get(key, Counter())[item] for key in keys)
                for item in ids
            }
    try:
        pipeline = redis_client().pipeline(transaction=False)
        for key in keys:
            pipeline.hmget(key, ids)
        days = cast(list[list[bytes | None]], pipeline.execute())
        return {
            item: sum(_stored_count(day[position]) for day in days)
            for position, item in enumerate(ids)
        }
    except (OSError, RedisError, ValueError) as error:
        # ValueError: a value that is not a whole number of at least 0,
        # written by something other than `record_shown`.
        _log_failure("Could not read the suggestion exposure counts", error)
        return dict.fromkeys(ids, 0)


def record_shown(item_ids: Iterable[str], *, now: datetime | None = None) -> None:
    """Add one showing of each id (repeated ids count repeatedly)."""
    counts = Counter(item_ids)
    if not counts:
        return
    key = _day_keys(now)[0]
    if not settings.REDIS_URL:
        with _lock:
            for stale in set(_local) - set(_day_keys(now)):
                del _local[stale]
            _local.setdefault(key, Counter()).update(counts)
        return
    try:
        pipeline = redis_client().pipeline(transaction=False)
        for item, count in counts.items():
            pipeline.hincrby(key, item, count)
        pipeline.expire(key, KEEP_SECONDS)
        pipeline.execute()
    except (OSError, RedisError) as error:
        _log_failure("Could not record the suggestion exposure counts", error)


def clear_local_counts() -> None:
    """Forget the counts of this process and its logged failures."""
    with _lock:
        _local.clear()
        _failures.clear()
