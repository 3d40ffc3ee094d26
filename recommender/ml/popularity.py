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
