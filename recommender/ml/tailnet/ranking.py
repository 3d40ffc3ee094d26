"""Full-catalog top-K ranking of next-item examples, and its metrics.

A tail quota reserves some of the K positions for tail items: see
`top_k_with_tail_quota`. With an exposure penalty the reserved positions
go to tail items that earlier lists showed less often: see
`top_items_spreading_exposure`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

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
    *,
    tail_slots: int = 0,
    is_tail: np.ndarray | None = None,
) -> torch.Tensor:
    """Return the k best item indices [examples, k] of every example.

    Every item of the vocabulary is ranked, the history's items included,
    as RecBole ranks them for its sequential models. With fewer than k
    items, every item is returned. With `prior`, each batch's prior is
    computed at its examples' own times and passed to `score`. With
    `tail_slots` above 0, `top_k_with_tail_quota` picks the items, and
    `is_tail` (bool per item) is required.
    """
    check_tail_slots(tail_slots, k)
    tail_mask = None
    if tail_slots:
        tail_mask = _item_tail_mask(is_tail, item_count)
    width = min(k, item_count)
    parts = []
    for scores in _score_batches(score, examples, batch_size, prior):
        if tail_mask is None:
            parts.append(torch.topk(scores, width, dim=1).indices)
        else:
            parts.append(top_k_with_tail_quota(scores, tail_mask, k, tail_slots))
    if not parts:
        return torch.zeros((0, width), dtype=torch.int64)
    return torch.cat(parts)


def _score_batches(
    score: ScoreFunction,
    examples: PrefixExamples,
    batch_size: int,
    prior: RecentItemPrior | None,
) -> Iterator[torch.Tensor]:
    """Yield the scores [batch, items] of consecutive batches of examples."""
    if prior is not None and examples.timestamp_ms is None:
        raise ValueError(
            "The examples have no timestamps, so no item prior can be "
            "computed; rank them without a prior."
        )
    history = torch.from_numpy(examples.history)
    lengths = torch.from_numpy(examples.lengths)
    for start in range(0, len(examples), batch_size):
        rows = slice(start, start + batch_size)
        batch_prior = None
        if prior is not None and examples.timestamp_ms is not None:
            batch_prior = prior.features(examples.timestamp_ms[rows])
        yield score(history[rows], lengths[rows], batch_prior)


def check_tail_slots(tail_slots: int, k: int) -> None:
    """Raise ValueError unless `tail_slots` is a whole number in [0, k]."""
    if isinstance(k, bool) or not isinstance(k, int) or k < 1:
        raise ValueError(f"k must be a whole number of at least 1, got {k!r}.")
    valid_type = isinstance(tail_slots, int) and not isinstance(tail_slots, bool)
    if not valid_type or not 0 <= tail_slots <= k:
        raise ValueError(
            f"tail_slots must be a whole number from 0 to k={k}, got {tail_slots!r}."
        )


def _item_tail_mask(is_tail: np.ndarray | None, item_count: int) -> torch.Tensor:
    if is_tail is None:
        raise ValueError("A tail quota needs is_tail, the tail flag of every item.")
    mask = torch.as_tensor(np.asarray(is_tail, dtype=bool))
    if mask.shape != (item_count,):
        raise ValueError(
            f"is_tail must have one flag per item, {item_count}, got shape "
            f"{tuple(mask.shape)}."
        )
    return mask


def top_k_with_tail_quota(
    scores: torch.Tensor,
    is_tail: torch.Tensor,
    k: int,
    tail_slots: int,
    *,
    reserve_scores: torch.Tensor | None = None,
) -> torch.Tensor:
    """Pick the k best item indices of every row with a tail quota.

    The best-scored tail items of a row take `tail_slots` of its
    min(k, items) positions, and the best of the other items, head or
    tail, take the rest. A row whose plain top k already contains
    `tail_slots` tail items is left unchanged, so every row gets
    max(tail_slots, tail items in its plain top k) tail items, or all of
    its tail items when it has fewer. A tail item scored -inf, which is
    how serving marks excluded items, never takes a quota position.

    The picks are returned in score order, so a tail pick sits where its
    own score places it, usually at the bottom. The head items that stay
    keep their plain ranks, and the quota only replaces the lowest-ranked
    head items. With a quota, equal scores go to the lower item index.
    Quota 0 returns `torch.topk`, whose order among equal scores is
    unspecified.

    Args:
        scores: float [rows, items].
        is_tail: bool [items], or [rows, items] for a per-row split.
        k: list length, at least 1.
        tail_slots: positions reserved for tail items, from 0 to k.
        reserve_scores: float [rows, items] that choose the reserved tail
            items in place of `scores`, e.g. scores less an exposure
            penalty. The list is still ordered, and its other positions
            filled, by `scores`. The reserved items can lie below the
            plain top k, so then a row changes even when its plain top k
            already holds `tail_slots` tail items.
    """
    check_tail_slots(tail_slots, k)
    if scores.ndim != 2:
        raise ValueError(f"scores must be [rows, items], got shape {scores.shape}.")
    if is_tail.dtype != torch.bool or is_tail.shape[-1] != scores.shape[1]:
        raise ValueError(
            f"is_tail must be bool with one flag per item ({scores.shape[1]}), "
            f"got {is_tail.dtype} of shape {tuple(is_tail.shape)}."
        )
    width = min(k, scores.shape[1])
    if tail_slots == 0:
        return torch.topk(scores, width, dim=1).indices
    # A stable descending sort breaks ties by lower item index.
    order = torch.argsort(scores, dim=1, descending=True, stable=True)
    if reserve_scores is None:
        sorted_scores = scores.gather(1, order)
        sorted_tail = is_tail.expand_as(scores).gather(1, order)
        eligible = sorted_tail & (sorted_scores > -torch.inf)
        reserved = eligible & (torch.cumsum(eligible, dim=1) <= tail_slots)
    else:
        reserved = _reserved_by(reserve_scores, scores, is_tail, tail_slots)
        reserved = reserved.gather(1, order)
    # The rest of each row's positions go to the best unreserved items.
    free = width - reserved.sum(dim=1, keepdim=True)
    others = ~reserved
    keep = reserved | (others & (torch.cumsum(others, dim=1) <= free))
    # Each row keeps exactly `width` items, so the boolean selection
    # reshapes to [rows, width] with every row still in score order.
    return order[keep].reshape(len(scores), width)


def _reserved_by(
    reserve_scores: torch.Tensor,
    scores: torch.Tensor,
    is_tail: torch.Tensor,
    tail_slots: int,
) -> torch.Tensor:
    """Flag the `tail_slots` best eligible tail items of each row, by item.

    Eligible items are tail items whose `scores` are above -inf. They are
    ranked by `reserve_scores`, ties by lower item index, and a reserve
    score of NaN ranks as -inf. Every eligible item ranks above every
    other item, so a reserve score of -inf (from a huge penalty) still
    fills the quota.
    """
    if reserve_scores.shape != scores.shape:
        raise ValueError(
            f"reserve_scores must have the shape of scores, {tuple(scores.shape)}, "
            f"got {tuple(reserve_scores.shape)}."
        )
    eligible = is_tail.expand_as(scores) & (scores > -torch.inf)
    key = torch.where(eligible & ~reserve_scores.isnan(), reserve_scores, -torch.inf)
    by_key = torch.argsort(key, dim=1, descending=True, stable=True)
    # A second stable sort puts the eligible items first, in key order.
    eligible_first = torch.argsort(
        eligible.gather(1, by_key).to(torch.int8), dim=1, descending=True, stable=True
    )
    best = by_key.gather(1, eligible_first)[:, :tail_slots]
    reserved = torch.zeros_like(eligible)
    reserved.scatter_(1, best, eligible.gather(1, best))
    return reserved


@dataclass(frozen=True)
class HeadTailCandidates:
    """Best head and best tail items of every example, for quota re-ranking.

    Every list that `top_k_with_tail_quota` can return at cutoff k contains
    a prefix of the row's head items and a prefix of its tail items, by
    score, each at most k long. So the k best head and k best tail items
    are enough to rank the example for any quota without scoring again.
    An exposure penalty can reserve tail items from further down, so for
    `top_items_spreading_exposure` the rows keep more tail candidates.

    Args:
        items: int64 item indices [examples, candidates].
        scores: the items' scores, aligned with `items`.
        is_tail: bool [candidates], the same for every row: head
            candidates first, tail candidates after them.
        k: the cutoff the candidates were chosen for.
    """

    items: torch.Tensor
    scores: torch.Tensor
    is_tail: torch.Tensor
    k: int

    def top_items(self, tail_slots: int) -> torch.Tensor:
        """Return the item indices [examples, k] under a tail quota."""
        positions = top_k_with_tail_quota(self.scores, self.is_tail, self.k, tail_slots)
        return self.items.gather(1, positions)


@torch.no_grad()
def top_items_spreading_exposure(
    candidates: HeadTailCandidates,
    tail_slots: int,
    penalty: float,
    item_count: int,
    order: np.ndarray | None = None,
) -> torch.Tensor:
    """Rank the examples one by one, reserving the least shown tail items.

    The lists are formed in `order` (all examples, each once; by default
    the examples' own order), as a site shows them one after another.
    Each list reserves `tail_slots` positions for the tail candidates with
    the best score - penalty * log(1 + n), where n counts the earlier
    lists that showed the item, and fills and orders the rest as
    `top_k_with_tail_quota` does. With penalty 0 it equals
    `candidates.top_items(tail_slots)`. Scores are log-probabilities up
    to a constant per row, so the penalty is in nats: with penalty 0.5 an
    item shown 3 times before ranks as if its probability were halved.

    Returns the item indices [examples, k].
    """
    if not penalty >= 0 or not np.isfinite(penalty):
        raise ValueError(
            f"penalty must be a finite number of at least 0, got {penalty!r}."
        )
    rows = len(candidates.items)
    if order is None:
        order = np.arange(rows)
    order = np.asarray(order)
    if sorted(order.tolist()) != list(range(rows)):
        raise ValueError(
            f"order must hold every example index from 0 to {rows - 1} once."
        )
    width = min(candidates.k, candidates.items.shape[1])
    times_shown = torch.zeros(item_count, dtype=torch.float64)
    top = torch.zeros((rows, width), dtype=candidates.items.dtype)
    for row in order.tolist():
        items = candidates.items[row]
        scores = candidates.scores[row].to(torch.float64)
        reserve = scores - penalty * torch.log1p(times_shown[items])
        positions = top_k_with_tail_quota(
            scores[None, :],
            candidates.is_tail,
            candidates.k,
            tail_slots,
            reserve_scores=reserve[None, :],
        )[0]
        top[row] = items[positions]
        times_shown[top[row]] += 1
    return top


@torch.no_grad()
def rank_candidates(
    score: ScoreFunction,
    examples: PrefixExamples,
    is_tail: np.ndarray,
    k: int = CUTOFF,
    batch_size: int = RANKING_BATCH_SIZE,
    prior: RecentItemPrior | None = None,
    *,
    tail_depth: int | None = None,
) -> HeadTailCandidates:
    """Score every example once and keep its k best head and tail items.

    With `tail_depth` above k, the `tail_depth` best tail items are kept.
    The items are ranked as in `rank_examples`. NOTE: `torch.topk` does
    not promise an order among equal scores, so with ties the candidates
    can differ from a full re-ranking by index order.
    """
    check_tail_slots(0, k)
    if tail_depth is not None and (
        isinstance(tail_depth, bool)
        or not isinstance(tail_depth, int)
        or tail_depth < 1
    ):
        raise ValueError(
            f"tail_depth must be a whole number of at least 1, got {tail_depth!r}."
        )
    tail_mask = _item_tail_mask(is_tail, len(is_tail))
    head_items = torch.nonzero(~tail_mask).flatten()
    tail_items = torch.nonzero(tail_mask).flatten()
    head_count = min(k, len(head_items))
    tail_count = min(max(k, tail_depth or k), len(tail_items))
    items_parts = []
    score_parts = []
    for scores in _score_batches(score, examples, batch_size, prior):
        if scores.shape[1] != len(tail_mask):
            raise ValueError(
                f"is_tail must have one flag per scored item, {scores.shape[1]}, "
                f"got {len(tail_mask)}."
            )
        head = torch.topk(scores[:, head_items], head_count, dim=1)
        tail = torch.topk(scores[:, tail_items], tail_count, dim=1)
        items_parts.append(
            torch.cat([head_items[head.indices], tail_items[tail.indices]], dim=1)
        )
        score_parts.append(torch.cat([head.values, tail.values], dim=1))
    candidate_tail = torch.cat(
        [
            torch.zeros(head_count, dtype=torch.bool),
            torch.ones(tail_count, dtype=torch.bool),
        ]
    )
    if not items_parts:
        empty = torch.zeros((0, head_count + tail_count))
        return HeadTailCandidates(empty.long(), empty, candidate_tail, k)
    return HeadTailCandidates(
        torch.cat(items_parts), torch.cat(score_parts), candidate_tail, k
    )


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
