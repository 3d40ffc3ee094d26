"""The epoch loop that BPR matrix factorization and LightGCN share.

Both train on the distinct (user, item) pairs of a log with one uniformly
drawn negative item per pair, never an item the user rated, and keep the
epoch with the best validation score. They differ only in the network and
in the loss of one batch, which the caller passes in.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Generic, Protocol, TypeVar

import numpy as np
import torch
from torch import nn

from recommender.ml.data import InteractionLog
from recommender.ml.gnn.graph import edge_keys, sample_negatives
from recommender.ml.metrics import head_item_mask
from recommender.ml.popularity import interaction_counts, rank_scores
from recommender.ml.ranking import (
    ScoreFunction,
    build_evaluation_users,
    rank_top_k,
    ranking_metrics,
    with_fallback,
)
from recommender.ml.training_support import EarlyStopping

logger = logging.getLogger(__name__)

HEAD_SHARE = 0.8
VALIDATION_CUTOFF = 50

ValidationFunction = Callable[[], dict[str, float]]
# Builds a score function for the given log user indices from the
# network's current weights.
UserScoreFunction = Callable[[np.ndarray], ScoreFunction]
# Returns the loss of one batch from its users, positive and negative items.
StepLoss = Callable[[torch.Tensor, torch.Tensor, torch.Tensor], torch.Tensor]
ModelT = TypeVar("ModelT")


class PairwiseSettings(Protocol):
    """The settings of a config that the epoch loop reads."""

    @property
    def learning_rate(self) -> float: ...

    @property
    def batch_size(self) -> int: ...

    @property
    def epochs(self) -> int: ...

    @property
    def patience(self) -> int: ...

    @property
    def seed(self) -> int: ...

    @property
    def selection_metric(self) -> str: ...


@dataclass
class PairwiseTrainResult(Generic[ModelT]):
    """A trained model and the figures of its training.

    `best_epoch` (1-based) is the epoch whose weights `model` has: the best
    validation epoch when a validation log was given, else the last.
    """

    model: ModelT
    losses: list[float] = field(default_factory=list)
    valid_metrics: list[dict[str, float]] = field(default_factory=list)
    best_epoch: int = 0
    seconds: float = 0.0


def fit_pairwise(
    model: ModelT,
    network: nn.Module,
    step_loss: StepLoss,
    edges: torch.Tensor,
    train: InteractionLog,
    valid: InteractionLog | None,
    score_users: UserScoreFunction,
    settings: PairwiseSettings,
    label: str,
) -> PairwiseTrainResult[ModelT]:
    """Train `network`, the trainable part of `model`, with Adam.

    `edges` are the positive (user, item) pairs of `train`, int64
    [2, pairs], taken in shuffled batches. With `valid`, each epoch ends
    with a full ranking of the valid users by `score_users`, and early
    stopping on `settings.selection_metric` restores the best epoch's
    weights at the end. `label` names the model in the log.
    """
    item_count = len(train.item_ids)
    validate = None
    if valid is not None:
        validate = validation_function(score_users, train, valid)
    generator = torch.Generator().manual_seed(settings.seed)
    optimizer = torch.optim.Adam(network.parameters(), lr=settings.learning_rate)
    positive_keys = torch.sort(edge_keys(edges, item_count)).values

    result = PairwiseTrainResult(model=model)
    stopping = EarlyStopping(settings.patience)
    for epoch in range(1, settings.epochs + 1):
        network.train()
        order = torch.randperm(edges.shape[1], generator=generator)
        total = 0.0
        for start in range(0, len(order), settings.batch_size):
            batch = edges[:, order[start : start + settings.batch_size]]
            users, positives = batch[0], batch[1]
            negatives = sample_negatives(users, positive_keys, item_count, generator)
            loss = step_loss(users, positives, negatives)
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
            total += loss.item() * len(users)
        result.losses.append(total / edges.shape[1])

        if validate is None:
            result.best_epoch = epoch
            continue
        network.eval()
        metrics = validate()
        result.valid_metrics.append(metrics)
        score = metrics[settings.selection_metric]
        logger.info(
            "%s epoch %d: loss %.4f, valid %s %.4f",
            label,
            epoch,
            result.losses[-1],
            settings.selection_metric,
            score,
        )
        stop = stopping.update(network, epoch, score)
        result.best_epoch = stopping.best_epoch
        if stop:
            break
    stopping.restore_best(network)
    network.eval()
    return result


def validation_function(
    score_users: UserScoreFunction,
    train: InteractionLog,
    valid: InteractionLog,
) -> ValidationFunction:
    """Return a function that ranks the `valid` users and measures them.

    Users without a `train` event get the all-time popularity of `train`,
    as in the evaluation.
    """
    users = build_evaluation_users(train, valid)
    counts = interaction_counts(train)
    is_tail = ~head_item_mask(counts, HEAD_SHARE)
    fallback = torch.from_numpy(rank_scores(counts))

    def validate() -> dict[str, float]:
        score = with_fallback(score_users(users.users), users, fallback)
        top = rank_top_k(score, users, VALIDATION_CUTOFF)
        return ranking_metrics(top, users, interaction_counts=counts, is_tail=is_tail)

    return validate
