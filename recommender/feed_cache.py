"""A per-process cache of each user's personalized feed ranking.

Retrieving, filtering, scoring, blending and diversifying a user's
candidates is the part of a feed request that reads all of them, and
the result stays valid as long as its inputs do. A process keeps it for
RECOMMENDER_FEED_CACHE_SECONDS under a key made of those inputs. They are
the user, the serving model versions, the listing index with its fresh
vectors, and the user's history. A new interaction, a promoted version or
a rebuilt index makes a new key, so the next request ranks again.

Listings change state without a new key (sold, reserved, hidden, a new
block or a "not interested"), so the feed checks each page of a cached
ranking against the filters again before it is served.
"""

import threading
import time
from collections import OrderedDict
from collections.abc import Hashable
from typing import Any

from django.conf import settings

# Users whose rankings one process keeps; the least recently used go first.
MAX_CACHED_RANKINGS = 10_000

_lock = threading.Lock()
_rankings: "OrderedDict[Hashable, tuple[float, Any]]" = OrderedDict()


def get_ranking(key: Hashable) -> Any | None:
    """Return the ranking stored under `key`, or None if absent or expired."""
    ttl = settings.RECOMMENDER_FEED_CACHE_SECONDS
    if ttl <= 0:
        return None
    with _lock:
        entry = _rankings.get(key)
        if entry is None:
            return None
        stored_at, ranking = entry
        if time.monotonic() - stored_at >= ttl:
            del _rankings[key]
            return None
        _rankings.move_to_end(key)
        return ranking


def store_ranking(key: Hashable, ranking: Any) -> None:
    """Keep `ranking` under `key` for RECOMMENDER_FEED_CACHE_SECONDS."""
    if settings.RECOMMENDER_FEED_CACHE_SECONDS <= 0:
        return
    now = time.monotonic()
    with _lock:
        _rankings[key] = (now, ranking)
        _rankings.move_to_end(key)
        while len(_rankings) > MAX_CACHED_RANKINGS:
            _rankings.popitem(last=False)
        # Drop expired rankings from the least recently used end, so that
        # they do not keep an old model or index in memory.
        ttl = settings.RECOMMENDER_FEED_CACHE_SECONDS
        while _rankings:
            oldest_key, (stored_at, _) = next(iter(_rankings.items()))
            if now - stored_at < ttl:
                break
            del _rankings[oldest_key]


def clear_rankings() -> None:
    """Forget every cached ranking."""
    with _lock:
        _rankings.clear()
