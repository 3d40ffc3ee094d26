"""Full-catalog top-K ranking of next-item examples, and its metrics."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import torch

from recommender.ml.metrics import item_coverage, mrr_at_k, recall_at_k, tail_share
from recommender.ml.sessions import PrefixExamples
from recommender.ml.tailnet.model import TailNet
from recommender.ml.tailnet.prior import RecentItemPrior

CUTOFF = 20
RANKING_BATCH_SIZE = 1024

# Returns scores [batch, items] for a batch of histories, their lengths and
# their item prior [batch, items] (None when no prior is computed).
ScoreFunction = Callable[
    [torch.Tensor, torch.Tensor, torch.Tensor | None], torch.Tensor
]


@torch.no_grad()
def rank_examples(
    score: ScoreFunction,
    examples: PrefixExamples,
    item_count: int,
    k: int = CUTOFF,
    batch_size: int = RANKING_BATCH_SIZE,
    prior: RecentItemPrior | None = None,
) -> torch.Tensor:
    """Return the k best item indices [examples, k] of every example.

    Every item of the vocabulary is ranked, the history's items included,
    as RecBole ranks them for its sequential models. With fewer than k
    items, every item is returned. With `prior`, each batch's prior is
    computed at its examples' own times and passed to `score`.
    """
    if prior is not None and examples.timestamp_ms is None:
        raise ValueError(
            "The examples have no timestamps, so no item prior can be "
            "computed; rank them without a prior."
        )
    history = torch.from_numpy(examples.history)
    lengths = torch.from_numpy(examples.lengths)
    parts = []
    for start in range(0, len(examples), batch_size):
        rows = slice(start, start + batch_size)
        batch_prior = None
        if prior is not None and examples.timestamp_ms is not None:
            batch_prior = prior.features(examples.timestamp_ms[rows])
        scores = score(history[rows], lengths[rows], batch_prior)
        parts.append(torch.topk(scores, min(k, item_count), dim=1).indices)
    if not parts:
        return torch.zeros((0, min(k, item_count)), dtype=torch.int64)
    return torch.cat(parts)


def model_score_function(model: TailNet) -> ScoreFunction:
    """Score with a model in eval mode; the caller restores training mode."""
    model.eval()
    return model


def constant_score_function(scores: np.ndarray) -> ScoreFunction:
    """Give every example the same item scores, e.g. popularity."""
    row = torch.from_numpy(np.asarray(scores, dtype=np.float32))[None, :]

    def score(
        history: torch.Tensor, lengths: torch.Tensor, prior: torch.Tensor | None
    ) -> torch.Tensor:
        return row.expand(len(history), -1)

    return score


def prior_popularity_score_function(item_count: int) -> ScoreFunction:
    """Rank items by their prior alone, ties by lower item index.

    With `rank_examples(..., prior=...)` this is popularity counted over
    the prior's window at each example's own time.
    """
    # Adding a value that falls with the index and stays below the smallest
    # gap between two distinct log(1 + count) values breaks ties by index.
    tie_breaker = -torch.arange(item_count, dtype=torch.float64) * 1e-12

    def score(
        history: torch.Tensor, lengths: torch.Tensor, prior: torch.Tensor | None
    ) -> torch.Tensor:
        if prior is None:
            raise ValueError("Prior popularity needs the item prior of each row.")
        return prior.to(torch.float64) + tie_breaker[None, :]

    return score


def next_item_metrics(
    top_items: torch.Tensor, targets: np.ndarray, is_tail: np.ndarray, k: int = CUTOFF
) -> dict[str, float]:
    """Measure accuracy and the reach into the catalog's tail at cutoff k.

    Recall@k is the share of examples whose target is in the top k (one
    target each), MRR@k the mean reciprocal rank of the target (0 beyond
    k). Coverage@k is the share of all items that appear in some top k,
    Tail-Coverage@k the share of tail items that do, and Tail-Share@k the
    share of all recommended slots that hold tail items.
    """
    if len(targets) == 0:
        raise ValueError("No examples to measure; pass at least one example.")
    hits = top_items[:, :k] == torch.from_numpy(targets)[:, None]
    ones = torch.ones(len(targets), dtype=torch.int64)
    shown = torch.unique(top_items[:, :k]).numpy()
    tail_count = int(is_tail.sum())
    return {
        f"recall@{k}": float(recall_at_k(hits, ones, k).mean()),
        f"mrr@{k}": float(mrr_at_k(hits, k).mean()),
        f"coverage@{k}": item_coverage(top_items, k, len(is_tail)),
        f"tail_coverage@{k}": (
            float(is_tail[shown].sum()) / tail_count if tail_count else 0.0
        ),
        f"tail_share@{k}": tail_share(top_items, k, is_tail),
    }
