"""Blend relevance with freshness and spread a ranking over sellers.

These steps work on plain values, so the same code ranks the personalized
and the popularity feed.
"""

from dataclasses import dataclass

import numpy as np

from recommender.feed_filters import CandidateRow


@dataclass(frozen=True)
class DiversityRules:
    """Caps on listings of one category and of one seller per window.

    A window is at most `window` consecutive feed positions.
    """

    window: int
    category_cap: int
    seller_cap: int

    def __post_init__(self) -> None:
        for name in ("window", "category_cap", "seller_cap"):
            if getattr(self, name) < 1:
                raise ValueError(
                    f"DiversityRules.{name} must be at least 1, got "
                    f"{getattr(self, name)!r}; check the RECOMMENDER_* settings."
                )


def standardize(scores: np.ndarray) -> np.ndarray:
    """Return `scores` shifted to mean 0 and scaled to unit deviation."""
    if len(scores) == 0:
        return scores.astype(np.float64)
    deviation = float(scores.std())
    centred = scores.astype(np.float64) - float(scores.mean())
    return centred / deviation if deviation > 0 else centred


def freshness(
    bumped_at_epoch: np.ndarray, now_epoch: float, half_life_hours: float
) -> np.ndarray:
    """Return 1 at bump time, halving every `half_life_hours` after it."""
    if half_life_hours <= 0:
        raise ValueError(
            f"half_life_hours={half_life_hours} must be positive; set "
            "RECOMMENDER_FRESHNESS_HALF_LIFE_HOURS."
        )
    age_hours = np.clip(now_epoch - bumped_at_epoch, 0.0, None) / 3600.0
    return np.power(0.5, age_hours / half_life_hours)


def blend_with_freshness(
    relevance: np.ndarray,
    bumped_at_epoch: np.ndarray,
    *,
    now_epoch: float,
    weight: float,
    half_life_hours: float,
) -> np.ndarray:
    """Return standardized relevance plus `weight` times freshness."""
    bonus = freshness(bumped_at_epoch, now_epoch, half_life_hours)
    return standardize(relevance) + weight * bonus


def diversify(ranked: list[CandidateRow], rules: DiversityRules) -> list[CandidateRow]:
    """Reorder `ranked` (best first) to respect the caps per window.

    Only the best listing of each catalog product is kept. Others keep
    their order, and a listing over a cap moves to the first later window
    with room. A window closes early when no remaining listing fits its
    caps, so no listing that passed the filters is dropped.
    """
    seen_products: set[int] = set()
    remaining: list[CandidateRow] = []
    for row in ranked:
        if row.product_pk is not None:
            if row.product_pk in seen_products:
                continue
            seen_products.add(row.product_pk)
        remaining.append(row)

    ordered: list[CandidateRow] = []
    while remaining:
        categories: dict[int | None, int] = {}
        sellers: dict[int, int] = {}
        window: list[CandidateRow] = []
        deferred: list[CandidateRow] = []
        for position, row in enumerate(remaining):
            if len(window) == rules.window:
                deferred.extend(remaining[position:])
                break
            category_full = (
                row.category_pk is not None
                and categories.get(row.category_pk, 0) >= rules.category_cap
            )
            seller_full = sellers.get(row.seller_pk, 0) >= rules.seller_cap
            if category_full or seller_full:
                deferred.append(row)
                continue
            window.append(row)
            categories[row.category_pk] = categories.get(row.category_pk, 0) + 1
            sellers[row.seller_pk] = sellers.get(row.seller_pk, 0) + 1
        if not window:
            # Every remaining listing is over a cap: keep the ranking order.
            window, deferred = remaining[: rules.window], remaining[rules.window :]
        ordered.extend(window)
        remaining = deferred
    return ordered
