"""The promoted TailNet, loaded once per process, and its prior's counts."""

import datetime
import logging
import threading
import time
from pathlib import Path

import torch
from django.conf import settings
from django.db.models import Count
from django.utils import timezone

from recommender.ml.tailnet import TailNet, load_tailnet
from recommender.models import Interaction, ModelVersion

logger = logging.getLogger(__name__)

# Seconds a process reuses the recent interaction counts before it counts
# again, so a busy worker runs the count query at most this often.
RECENT_COUNTS_MAX_AGE_SECONDS = 60.0

_lock = threading.Lock()
_loaded: tuple[int, TailNet] | None = None
_counts_lock = threading.Lock()
# Window in days, monotonic time of the count, and the counts.
_recent: tuple[float, float, dict[str, int]] | None = None


def promoted_tailnet_sql() -> str:
    """Return a SELECT of the promoted TailNet version's id and artifact path.

    The query returns no row when no version is promoted. It takes the
    version kind as the `%(tailnet_kind)s` parameter
    (`ModelVersion.Kind.TAILNET`).
    `suggestions.selectors` runs it inside its history statement, so each
    batch looks the version up without a round trip of its own.
    """
    version = ModelVersion._meta
    kind = version.get_field("kind").column
    artifact_path = version.get_field("artifact_path").column
    promoted_at = version.get_field("promoted_at").column
    return f"""
        SELECT {version.pk.column} AS id, {artifact_path} AS artifact_path
        FROM {version.db_table}
        WHERE {kind} = %(tailnet_kind)s AND {promoted_at} IS NOT NULL
        ORDER BY {promoted_at} DESC, {version.pk.column} DESC
        LIMIT 1
    """


def load_tailnet_version(
    version_pk: int, artifact_path: str
) -> tuple[int, TailNet] | None:
    """Return the id and model of TailNet version `version_pk`, or None.

    The artifact is read only when the version differs from the one this
    process loaded last. A version whose file cannot be read is logged and
    treated as absent.
    """
    global _loaded
    with _lock:
        if _loaded is not None and _loaded[0] == version_pk:
            return _loaded
        torch.set_num_threads(settings.RECOMMENDER_SERVING_THREADS)
        try:
            model = load_tailnet(Path(artifact_path))
        except (OSError, ValueError) as error:
            logger.error(
                "Failed to load TailNet version %s from %s: %s",
                version_pk,
                artifact_path,
                error,
            )
            return None
        logger.info("Loaded TailNet version %s", version_pk)
        _loaded = (version_pk, model)
        return _loaded


def recent_item_counts(window_days: float) -> dict[str, int]:
    """Return the interactions per product id of the last `window_days` days.

    Every interaction with a product counts, site events and imported ones
    alike, when it occurred in [now - window_days, now). The result is
    cached for `RECENT_COUNTS_MAX_AGE_SECONDS` per process. An empty dict
    means no recent interaction, and TailNet then uses a zero prior.
    """
    global _recent
    now = time.monotonic()
    with _counts_lock:
        if (
            _recent is not None
            and _recent[0] == window_days
            and now - _recent[1] < RECENT_COUNTS_MAX_AGE_SECONDS
        ):
            return _recent[2]
    until = timezone.now()
    since = until - datetime.timedelta(days=window_days)
    # NOTE: occurred_at has no index of its own, so this scans the
    # interactions table; the cache above bounds how often it runs.
    rows = (
        Interaction.objects.filter(
            product__isnull=False, occurred_at__gte=since, occurred_at__lt=until
        )
        .values_list("product__parent_asin")
        .annotate(count=Count("pk"))
    )
    counts = {asin: count for asin, count in rows}
    with _counts_lock:
        _recent = (window_days, now, counts)
    return counts


def clear_cache() -> None:
    """Forget the loaded model and the recent counts; both are read again."""
    global _loaded, _recent
    with _lock:
        _loaded = None
    with _counts_lock:
        _recent = None
