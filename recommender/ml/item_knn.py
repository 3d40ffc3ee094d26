"""Item-based k-nearest-neighbour baseline over co-rating counts.

Two items are similar when the same users rated them. The similarity of
items i and j is the shrunk cosine of their binary user vectors,

    sim(i, j) = |U(i) & U(j)| / (sqrt(|U(i)| * |U(j)|) + shrinkage),

where U(i) is the set of users who rated i. The shrinkage pulls pairs with
few common users towards 0. Each item keeps its `neighbours` most similar
items, and a user's score for item j is the sum of sim(j, i) over the
items i of the user's history that are among j's neighbours.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import torch

from recommender.ml.data import InteractionLog
from recommender.ml.ranking import ScoreFunction


@dataclass(frozen=True)
class ItemKnnConfig:
    """Settings of the item-kNN baseline.

    Args:
        neighbours: most similar items kept per item.
        shrinkage: added to the cosine's denominator; 0 gives the plain
            cosine.
    """

    neighbours: int = 100
    shrinkage: float = 10.0

    def __post_init__(self) -> None:
        if self.neighbours < 1:
            raise ValueError(
                f"ItemKnnConfig.neighbours must be at least 1, got {self.neighbours}."
            )
        if not self.shrinkage >= 0.0:
            raise ValueError(
                f"ItemKnnConfig.shrinkage must be 0 or more, got {self.shrinkage!r}."
            )


@dataclass
class CoRatings:
    """Distinct co-rating counts of item pairs, without the diagonal.

    Args:
        rows, columns: int64 item indices of each pair with a common user.
        counts: float64 number of users who rated both items.
        item_users: float64 [items] number of distinct users per item.
    """

    rows: np.ndarray
    columns: np.ndarray
    counts: np.ndarray
    item_users: np.ndarray


def count_co_ratings(log: InteractionLog) -> CoRatings:
    """Count, for every pair of items, the distinct users who rated both."""
    item_count = len(log.item_ids)
    pairs = np.unique(np.stack([log.user, log.item]), axis=1)
    values = torch.ones(pairs.shape[1], dtype=torch.float64)
    ratings = torch.sparse_coo_tensor(
        torch.from_numpy(pairs[::-1].copy()),
        values,
        (item_count, len(log.user_ids)),
        check_invariants=True,
    ).coalesce()
    with warnings.catch_warnings():
        # torch 2.13 warns that its sparse CSR support, used inside this
        # product, is in beta; the result is checked in the tests.
        warnings.filterwarnings("ignore", message="Sparse CSR tensor support")
        co_ratings = torch.sparse.mm(ratings, ratings.t()).coalesce()
    indices = co_ratings.indices().numpy()
    counts = co_ratings.values().numpy()
    off_diagonal = indices[0] != indices[1]
    return CoRatings(
        rows=indices[0][off_diagonal],
        columns=indices[1][off_diagonal],
        counts=counts[off_diagonal],
        item_users=np.bincount(pairs[1], minlength=item_count).astype(np.float64),
    )


class ItemKnnModel:
    """Pruned item-item similarities as a sparse [items, items] matrix.

    Row j contains the neighbours of item j and their similarities.
    """

    def __init__(self, co_ratings: CoRatings, config: ItemKnnConfig) -> None:
        self.config = config
        self.item_count = len(co_ratings.item_users)
        norms = np.sqrt(
            co_ratings.item_users[co_ratings.rows]
            * co_ratings.item_users[co_ratings.columns]
        )
        similarity = co_ratings.counts / (norms + config.shrinkage)
        # Sort each row by falling similarity, ties by column, and keep the
        # first `neighbours` entries of each row.
        order = np.lexsort((co_ratings.columns, -similarity, co_ratings.rows))
        rows = co_ratings.rows[order]
        row_starts = np.searchsorted(rows, rows, side="left")
        keep = np.arange(len(rows)) - row_starts < config.neighbours
        self.similarity = torch.sparse_coo_tensor(
            torch.from_numpy(np.stack([rows[keep], co_ratings.columns[order][keep]])),
            torch.from_numpy(similarity[order][keep].astype(np.float32)),
            (self.item_count, self.item_count),
            check_invariants=True,
        ).coalesce()

    def score(self, histories: list[list[int]]) -> torch.Tensor:
        """Score every item for each history; float32 [users, items].

        Repeated history items count once.
        """
        indicator = torch.zeros((self.item_count, len(histories)), dtype=torch.float32)
        for column, history in enumerate(histories):
            if history:
                indicator[torch.tensor(sorted(set(history))), column] = 1.0
        return torch.sparse.mm(self.similarity, indicator).T.contiguous()


def fit_item_knn(
    log: InteractionLog,
    config: ItemKnnConfig,
    co_ratings: CoRatings | None = None,
) -> ItemKnnModel:
    """Build the model from `log`, or from its precomputed `co_ratings`."""
    if co_ratings is None:
        co_ratings = count_co_ratings(log)
    return ItemKnnModel(co_ratings, config)


def item_knn_score_function(
    model: ItemKnnModel, histories: list[list[int]]
) -> ScoreFunction:
    """Score the users of `histories` (by position) with `model`."""

    def score(positions: np.ndarray) -> torch.Tensor:
        return model.score([histories[position] for position in positions])

    return score
