"""Matrix factorization trained with the BPR loss (a baseline).

Each user and item has a learned vector, and the score of a pair is their
dot product plus an item bias. Training takes the distinct (user, item)
pairs of the log as positives and pairs each with a uniformly drawn item
that the user never rated. The loss, -log sigmoid(positive score -
negative score), pushes the positive's score above the negative's.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
import torch
from torch import nn
from torch.nn import functional

from recommender.ml.data import InteractionLog
from recommender.ml.gnn.graph import build_edges
from recommender.ml.pairwise_training import PairwiseTrainResult, fit_pairwise
from recommender.ml.ranking import ScoreFunction
from recommender.ml.training_support import torch_threads


@dataclass(frozen=True)
class BprConfig:
    """Settings of one BPR training run.

    Args:
        embedding_dim: size of the user and item vectors.
        learning_rate: Adam step size.
        regularization: L2 penalty on the vectors and biases of each
            batch, per example.
        batch_size: positive pairs per step.
        epochs: maximum passes over the positive pairs.
        patience: validations without a better score before training
            stops; only used when a validation log is given.
        seed: seed of the weights, the pair order and the negatives.
        threads: torch intra-op threads used while training.
        selection_metric: validation metric that picks the best epoch.
    """

    embedding_dim: int = 64
    learning_rate: float = 0.005
    regularization: float = 1e-4
    batch_size: int = 4096
    epochs: int = 60
    patience: int = 3
    seed: int = 0
    threads: int = 1
    selection_metric: str = "ndcg@20"

    def __post_init__(self) -> None:
        for name in ("embedding_dim", "learning_rate", "batch_size", "threads"):
            if getattr(self, name) <= 0:
                raise ValueError(
                    f"BprConfig.{name} must be positive, got {getattr(self, name)!r}."
                )
        if self.epochs < 0:
            raise ValueError(f"BprConfig.epochs must be 0 or more, got {self.epochs}.")
        if not self.regularization >= 0.0:
            raise ValueError(
                "BprConfig.regularization must be 0 or more, got "
                f"{self.regularization!r}."
            )
        if self.patience < 1:
            raise ValueError(
                f"BprConfig.patience must be positive, got {self.patience}."
            )


class BprModel(nn.Module):
    """User and item vectors with an item bias."""

    def __init__(self, user_count: int, item_count: int, dim: int) -> None:
        super().__init__()
        self.user_embedding = nn.Embedding(user_count, dim)
        self.item_embedding = nn.Embedding(item_count, dim)
        self.item_bias = nn.Embedding(item_count, 1)
        nn.init.normal_(self.user_embedding.weight, std=0.1)
        nn.init.normal_(self.item_embedding.weight, std=0.1)
        nn.init.zeros_(self.item_bias.weight)

    def pair_scores(self, users: torch.Tensor, items: torch.Tensor) -> torch.Tensor:
        """Score (user, item) pairs given as two int64 tensors of one shape."""
        return (self.user_embedding(users) * self.item_embedding(items)).sum(
            dim=-1
        ) + self.item_bias(items).squeeze(-1)

    @torch.no_grad()
    def score_users(self, users: torch.Tensor) -> torch.Tensor:
        """Score every item for each user index; float32 [users, items]."""
        return (
            self.user_embedding(users) @ self.item_embedding.weight.T
            + self.item_bias.weight.T
        )


BprTrainResult = PairwiseTrainResult[BprModel]


def train_bpr(
    train: InteractionLog, config: BprConfig, valid: InteractionLog | None = None
) -> BprTrainResult:
    """Train on `train`, choosing the epoch by full ranking of `valid`.

    Validation users are scored from their `train` vectors, and those with
    no `train` event get the all-time popularity of `train`, as in the
    evaluation.
    """
    started = time.perf_counter()
    edges = build_edges(train)
    item_count = len(train.item_ids)
    with torch_threads(config.threads), torch.random.fork_rng():
        torch.manual_seed(config.seed)
        model = BprModel(len(train.user_ids), item_count, config.embedding_dim)

        def step_loss(
            users: torch.Tensor, positives: torch.Tensor, negatives: torch.Tensor
        ) -> torch.Tensor:
            return _bpr_step_loss(model, users, positives, negatives, config)

        result = fit_pairwise(
            model,
            model,
            step_loss,
            edges,
            train,
            valid,
            lambda users: bpr_score_function(model, users),
            config,
            "BPR",
        )
    result.seconds = time.perf_counter() - started
    return result


def bpr_score_function(model: BprModel, user_indices: np.ndarray) -> ScoreFunction:
    """Score the users at `user_indices` (log user indices), by position."""
    users = torch.from_numpy(np.asarray(user_indices, dtype=np.int64))

    def score(positions: np.ndarray) -> torch.Tensor:
        return model.score_users(users[torch.from_numpy(positions)])

    return score


def _bpr_step_loss(
    model: BprModel,
    users: torch.Tensor,
    positives: torch.Tensor,
    negatives: torch.Tensor,
    config: BprConfig,
) -> torch.Tensor:
    difference = model.pair_scores(users, positives) - model.pair_scores(
        users, negatives
    )
    penalty = (
        model.user_embedding(users).pow(2).sum()
        + model.item_embedding(positives).pow(2).sum()
        + model.item_embedding(negatives).pow(2).sum()
        + model.item_bias(positives).pow(2).sum()
        + model.item_bias(negatives).pow(2).sum()
    ) / len(users)
    return -functional.logsigmoid(difference).mean() + config.regularization * penalty
