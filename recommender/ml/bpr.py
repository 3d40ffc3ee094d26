"""Matrix factorization trained with the BPR loss (a baseline).

Each user and item has a learned vector, and the score of a pair is their
dot product plus an item bias. Training takes the distinct (user, item)
pairs of the log as positives and pairs each with a uniformly drawn item
that the user never rated. The loss, -log sigmoid(positive score -
negative score), pushes the positive's score above the negative's.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import torch
from torch import nn
from torch.nn import functional

from recommender.ml.data import InteractionLog
from recommender.ml.gnn.graph import build_edges, edge_keys, sample_negatives
from recommender.ml.metrics import head_item_mask
from recommender.ml.popularity import interaction_counts, rank_scores
from recommender.ml.ranking import (
    ScoreFunction,
    build_evaluation_users,
    rank_top_k,
    ranking_metrics,
    with_fallback,
)
from recommender.ml.training_support import EarlyStopping, torch_threads

logger = logging.getLogger(__name__)

HEAD_SHARE = 0.8
VALIDATION_CUTOFF = 50

_ValidationFunction = Callable[[], dict[str, float]]


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


@dataclass
class BprTrainResult:
    """A trained model and the figures of its training.

    `best_epoch` (1-based) is the epoch whose weights `model` has: the best
    validation epoch when a validation log was given, else the last.
    """

    model: BprModel
    losses: list[float] = field(default_factory=list)
    valid_metrics: list[dict[str, float]] = field(default_factory=list)
    best_epoch: int = 0
    seconds: float = 0.0


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
        result = _fit(model, edges, train, valid, config)
    result.seconds = time.perf_counter() - started
    return result


def bpr_score_function(model: BprModel, user_indices: np.ndarray) -> ScoreFunction:
    """Score the users at `user_indices` (log user indices), by position."""
    users = torch.from_numpy(np.asarray(user_indices, dtype=np.int64))

    def score(positions: np.ndarray) -> torch.Tensor:
        return model.score_users(users[torch.from_numpy(positions)])

    return score


def _fit(
    model: BprModel,
    edges: torch.Tensor,
    train: InteractionLog,
    valid: InteractionLog | None,
    config: BprConfig,
) -> BprTrainResult:
    generator = torch.Generator().manual_seed(config.seed)
    optimizer = torch.optim.Adam(model.parameters(), lr=config.learning_rate)
    positive_keys = torch.sort(edge_keys(edges, len(train.item_ids))).values
    validate = _validation(model, train, valid) if valid is not None else None

    result = BprTrainResult(model=model)
    stopping = EarlyStopping(config.patience)
    for epoch in range(1, config.epochs + 1):
        model.train()
        order = torch.randperm(edges.shape[1], generator=generator)
        total = 0.0
        for start in range(0, len(order), config.batch_size):
            batch = edges[:, order[start : start + config.batch_size]]
            users, positives = batch[0], batch[1]
            negatives = sample_negatives(
                users, positive_keys, len(train.item_ids), generator
            )
            loss = _bpr_step_loss(model, users, positives, negatives, config)
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
            total += loss.item() * len(users)
        result.losses.append(total / edges.shape[1])

        if validate is None:
            result.best_epoch = epoch
            continue
        model.eval()
        metrics = validate()
        result.valid_metrics.append(metrics)
        score = metrics[config.selection_metric]
        logger.info(
            "BPR epoch %d: loss %.4f, valid %s %.4f",
            epoch,
            result.losses[-1],
            config.selection_metric,
            score,
        )
        stop = stopping.update(model, epoch, score)
        result.best_epoch = stopping.best_epoch
        if stop:
            break
    stopping.restore_best(model)
    model.eval()
    return result


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


def _validation(
    model: BprModel, train: InteractionLog, valid: InteractionLog
) -> _ValidationFunction:
    users = build_evaluation_users(train, valid)
    counts = interaction_counts(train)
    is_tail = ~head_item_mask(counts, HEAD_SHARE)
    fallback = torch.from_numpy(rank_scores(counts))

    def validate() -> dict[str, float]:
        score = with_fallback(bpr_score_function(model, users.users), users, fallback)
        top = rank_top_k(score, users, VALIDATION_CUTOFF)
        return ranking_metrics(top, users, interaction_counts=counts, is_tail=is_tail)

    return validate
