"""Popularity baselines: all-time counts and counts over a recent window."""

from __future__ import annotations

import numpy as np

from recommender.ml.data import InteractionLog

MILLISECONDS_PER_DAY = 86_400_000


def interaction_counts(log: InteractionLog, since_ms: int | None = None) -> np.ndarray:
    """Count events per item, optionally only those at or after `since_ms`.

    Every event counts, repeated ratings and duplicate rows included.
    """
    items = log.item if since_ms is None else log.item[log.timestamp_ms >= since_ms]
    return np.bincount(items, minlength=len(log.item_ids)).astype(np.int64)


def recent_counts(log: InteractionLog, days: float) -> np.ndarray:
    """Count events per item over the last `days` days before the log ends."""
    if len(log) == 0:
        return np.zeros(len(log.item_ids), dtype=np.int64)
    since_ms = int(log.timestamp_ms.max() - days * MILLISECONDS_PER_DAY)
    return interaction_counts(log, since_ms=since_ms)


def rank_scores(
    counts: np.ndarray, tie_breaker: np.ndarray | None = None
) -> np.ndarray:
    """Turn counts into distinct float32 scores: higher count, higher score.

    Ties are broken by `tie_breaker` (higher first) when given, then by
    item index (lower first), so the ranking is deterministic whatever sort
    `torch.topk` uses.
    """
    secondary = np.zeros_like(counts) if tie_breaker is None else tie_breaker
    order = np.lexsort((np.arange(len(counts)), -secondary, -counts))
    scores = np.empty(len(counts), dtype=np.float32)
    scores[order] = np.arange(len(counts), 0, -1, dtype=np.float32)
    return scores


class ItemTimeline:
    """Events of a log sorted by time, for counts as of a given moment.

    A prediction made at `at_ms` may only use events at or before `at_ms`.
    On a global time split every user shares one such moment. On a
    leave-last-out split each user has their own, and other users' later
    events in the log must not count.
    """

    def __init__(self, log: InteractionLog) -> None:
        order = np.argsort(log.timestamp_ms, kind="stable")
        self.timestamp_ms = log.timestamp_ms[order]
        self.item = log.item[order]
        self.item_count = len(log.item_ids)
        first_seen = np.full(self.item_count, np.iinfo(np.int64).max, dtype=np.int64)
        np.minimum.at(first_seen, log.item, log.timestamp_ms)
        self.first_seen_ms = first_seen

    def counts(self, at_ms: int, days: float | None = None) -> np.ndarray:
        """Count events per item at or before `at_ms`, within `days` if given.

        The window is [at_ms - days, at_ms], both ends included.
        """
        end = int(np.searchsorted(self.timestamp_ms, at_ms, side="right"))
        start = 0
        if days is not None:
            since_ms = int(at_ms - days * MILLISECONDS_PER_DAY)
            start = int(np.searchsorted(self.timestamp_ms, since_ms, side="left"))
        return np.bincount(self.item[start:end], minlength=self.item_count).astype(
            np.int64
        )

    def age_days(self, at_ms: int) -> np.ndarray:
        """Return days from each item's first event to `at_ms`.

        An item without an event at or before `at_ms` gets age 0, the age of
        a brand-new item.
        """
        age = (at_ms - self.first_seen_ms).astype(np.float64) / MILLISECONDS_PER_DAY
        return np.clip(age, 0.0, None)


def popularity_ranking_scores(
    timeline: ItemTimeline, at_ms: int, days: float | None
) -> np.ndarray:
    """Return `rank_scores` of the counts known at `at_ms`.

    With `days`, items are ranked by their count in the window, and ties
    are broken by their count of all events up to `at_ms`. Without `days`,
    they are ranked by that count alone.
    """
    all_time = timeline.counts(at_ms)
    if days is None:
        return rank_scores(all_time)
    return rank_scores(timeline.counts(at_ms, days), all_time)
