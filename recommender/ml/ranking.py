"""Full-catalog top-K ranking of evaluation users, and its metrics.

Every evaluated user gets a score for every item in the log's vocabulary;
the items the user interacted with before the evaluation period are left
out of the ranking, and the rest are sorted with `torch.topk` in batches.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import torch

from recommender.ml.data import InteractionLog
from recommender.ml.metrics import (
    average_popularity,
    hit_matrix,
    item_coverage,
    mrr_at_k,
    ndcg_at_k,
    recall_at_k,
    tail_share,
)

CUTOFFS = (10, 20, 50)
BEYOND_ACCURACY_CUTOFF = 20

# Returns scores [len(positions), items] for positions into EvaluationUsers.
ScoreFunction = Callable[[np.ndarray], torch.Tensor]


@dataclass
class EvaluationUsers:
    """Users who have events in an evaluation period, with what they saw.

    `relevant_*` and `excluded_*` are CSR arrays over `users`: the distinct
    items of each user's evaluation events, and the distinct items of the
    user's earlier events (left out of the ranking). `histories` contains each
    user's earlier item indices, oldest first, repeats kept.
    `prediction_ms` is the moment, in Unix milliseconds, at which each
    user's ranking is made: features that change over time (recent
    popularity, item age) may use events at or before it only.
    """

    users: np.ndarray
    relevant_indptr: np.ndarray
    relevant_indices: np.ndarray
    excluded_indptr: np.ndarray
    excluded_indices: np.ndarray
    histories: list[list[int]]
    item_count: int
    prediction_ms: np.ndarray = field(
        default_factory=lambda: np.zeros(0, dtype=np.int64)
    )

    def __len__(self) -> int:
        return len(self.users)

    def relevant_counts(self) -> torch.Tensor:
        return torch.from_numpy(np.diff(self.relevant_indptr).astype(np.int64))


def build_evaluation_users(
    history: InteractionLog, target: InteractionLog, per_user_time: bool = False
) -> EvaluationUsers:
    """Collect every user with an event in `target`, with the user's history.

    A target item that the user already had in `history` stays relevant
    but is left out of the ranking, so it counts as a miss. The prediction
    moment is the last event of `history` for every user (a global time
    split) or, with `per_user_time`, 1 ms before the user's first event in
    `target` (a leave-last-out split).
    """
    item_count = len(target.item_ids)
    users = np.unique(target.user)
    relevant_indptr, relevant_indices = _distinct_items_per_user(
        target.user, target.item, users
    )
    excluded_indptr, excluded_indices = _distinct_items_per_user(
        history.user, history.item, users
    )

    in_scope = np.isin(history.user, users)
    order = np.lexsort(
        (np.arange(len(history))[in_scope], history.timestamp_ms[in_scope])
    )
    scoped_users = history.user[in_scope][order]
    scoped_items = history.item[in_scope][order]
    position = {int(user): index for index, user in enumerate(users)}
    histories: list[list[int]] = [[] for _ in users]
    for user, item in zip(scoped_users.tolist(), scoped_items.tolist(), strict=True):
        histories[position[user]].append(item)

    return EvaluationUsers(
        users=users,
        relevant_indptr=relevant_indptr,
        relevant_indices=relevant_indices,
        excluded_indptr=excluded_indptr,
        excluded_indices=excluded_indices,
        histories=histories,
        item_count=item_count,
        prediction_ms=_prediction_times(history, target, users, per_user_time),
    )


def rank_top_k(
    score_users: ScoreFunction,
    users: EvaluationUsers,
    k: int,
    batch_size: int = 1024,
) -> torch.Tensor:
    """Return the top-k item indices [users, k] of each user, best first.

    Scores of a user's excluded items are set to -inf before `torch.topk`.
    """
    return top_k_with_scores(score_users, users, k, batch_size)[1]


def top_k_with_scores(
    score_users: ScoreFunction,
    users: EvaluationUsers,
    k: int,
    batch_size: int = 1024,
) -> tuple[torch.Tensor, torch.Tensor]:
    """Return the top-k scores and item indices, both [users, k].

    Excluded items score -inf, so they come last, and only when fewer than
    k other items are left.
    """
    k = min(k, users.item_count)
    values = []
    indices = []
    for start in range(0, len(users), batch_size):
        positions = np.arange(start, min(start + batch_size, len(users)))
        scores = score_users(positions).to(torch.float32).clone()
        lengths = np.diff(users.excluded_indptr[start : positions[-1] + 2])
        rows = np.repeat(np.arange(len(positions)), lengths)
        columns = users.excluded_indices[
            users.excluded_indptr[start] : users.excluded_indptr[positions[-1] + 1]
        ]
        scores[torch.from_numpy(rows), torch.from_numpy(columns)] = -torch.inf
        top = torch.topk(scores, k, dim=1)
        values.append(top.values)
        indices.append(top.indices)
    if not indices:
        return (
            torch.zeros((0, k), dtype=torch.float32),
            torch.zeros((0, k), dtype=torch.int64),
        )
    return torch.cat(values), torch.cat(indices)


def ranking_metrics(
    top_items: torch.Tensor,
    users: EvaluationUsers,
    *,
    interaction_counts: np.ndarray,
    is_tail: np.ndarray,
    cutoffs: tuple[int, ...] = CUTOFFS,
    beyond_accuracy_cutoff: int = BEYOND_ACCURACY_CUTOFF,
) -> dict[str, float]:
    """Average the accuracy metrics over users and add catalog-level ones.

    `interaction_counts` and `is_tail` come from the training events and
    give the average popularity and the tail share of the recommendations.
    """
    hits = hit_matrix(
        top_items, users.relevant_indptr, users.relevant_indices, users.item_count
    )
    counts = users.relevant_counts()
    results: dict[str, float] = {"users": float(len(users))}
    for k in cutoffs:
        results[f"recall@{k}"] = float(recall_at_k(hits, counts, k).mean())
        results[f"ndcg@{k}"] = float(ndcg_at_k(hits, counts, k).mean())
        results[f"mrr@{k}"] = float(mrr_at_k(hits, k).mean())
    k = beyond_accuracy_cutoff
    results[f"coverage@{k}"] = item_coverage(top_items, k, users.item_count)
    results[f"tail_share@{k}"] = tail_share(top_items, k, is_tail)
    results[f"average_popularity@{k}"] = average_popularity(
        top_items, k, interaction_counts
    )
    return results


def _prediction_times(
    history: InteractionLog,
    target: InteractionLog,
    users: np.ndarray,
    per_user_time: bool,
) -> np.ndarray:
    if not per_user_time:
        last = int(history.timestamp_ms.max()) if len(history) else 0
        return np.full(len(users), last, dtype=np.int64)
    first_target = np.full(len(users), np.iinfo(np.int64).max, dtype=np.int64)
    np.minimum.at(
        first_target, np.searchsorted(users, target.user), target.timestamp_ms
    )
    return first_target - 1


def _distinct_items_per_user(
    user: np.ndarray, item: np.ndarray, users: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Return CSR arrays of the distinct items of each of `users` (sorted)."""
    in_scope = np.isin(user, users)
    pairs = np.unique(np.stack([user[in_scope], item[in_scope]], axis=1), axis=0)
    rows = np.searchsorted(users, pairs[:, 0])
    indptr = np.zeros(len(users) + 1, dtype=np.int64)
    np.add.at(indptr, rows + 1, 1)
    return np.cumsum(indptr), pairs[:, 1].astype(np.int64)


def with_fallback(
    score_users: ScoreFunction, users: EvaluationUsers, fallback: torch.Tensor
) -> ScoreFunction:
    """Give users with an empty history the `fallback` scores [items].

    A model that learns from a user's history has nothing to go on for
    such a user, so every model of the evaluation ranks them alike, as
    the feed does, by popularity.
    """
    empty = torch.tensor([not history for history in users.histories])

    def score(positions: np.ndarray) -> torch.Tensor:
        scores = score_users(positions).to(torch.float32)
        rows = empty[torch.from_numpy(positions)].unsqueeze(1)
        return torch.where(rows, fallback.unsqueeze(0), scores)

    return score
