"""How many suggestion lists showed each catalog item, today and yesterday.

The tail quota with an exposure penalty (SUGGESTIONS_EXPOSURE_PENALTY)
reads these counts to spread its positions over many tail items. Counts
live in one Redis hash per UTC day, which expires two days after its
last write. A count adds the current and the previous UTC day. Without
REDIS_URL, each process counts on its own.

Counting is best effort: when Redis cannot be reached the counts read as 0
and the lists are still served, with the best tail items by score.
"""

import logging
import threading
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

_lock = threading.Lock()
_local: dict[str, Counter[str]] = {}


def _day_keys(now: datetime | None) -> tuple[str, str]:
    """Return the keys of the current and the previous UTC day."""
    today = (now or datetime.now(UTC)).astimezone(UTC).date()
    yesterday = today - timedelta(days=1)
    return (
        f"{KEY_PREFIX}{today:%Y%m%d}",
        f"{KEY_PREFIX}{yesterday:%Y%m%d}",
    )


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
    except (OSError, RedisError) as error:
        logger.error("Could not read the suggestion exposure counts: %s", error)
        return dict.fromkeys(ids, 0)
    return {
        item: sum(int(day[position] or 0) for day in days)
        for position, item in enumerate(ids)
    }


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
        logger.error("Could not record the suggestion exposure counts: %s", error)


def clear_local_counts() -> None:
    """Forget the counts of this process (used without REDIS_URL)."""
    with _lock:
        _local.clear()
