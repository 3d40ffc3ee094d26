"""Full-graph training of the GNN scorer with BPR loss.

Each step splits the distinct training edges at random into a
message-passing graph and a disjoint set of supervision edges. It encodes
users and items over the message-passing graph and scores each supervision
edge against sampled negative items. A negative is never an item that the
user has in any training edge. Validation, when given, ranks all items for
the users of the validation log from their training histories and picks
the best step.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import torch
from torch.nn import functional

from recommender.ml.data import InteractionLog
from recommender.ml.features import FeatureVocabulary
from recommender.ml.gnn.config import GnnConfig
from recommender.ml.gnn.graph import (
    EdgeSplit,
    build_edges,
    check_held_out_edges,
    edge_keys,
    held_out_pairs,
    sample_negatives,
    split_edges,
)
from recommender.ml.gnn.model import GnnModel
from recommender.ml.metrics import head_item_mask
from recommender.ml.popularity import interaction_counts
from recommender.ml.ranking import (
    EvaluationUsers,
    build_evaluation_users,
    rank_top_k,
    ranking_metrics,
)
from recommender.ml.training_support import EarlyStopping, torch_threads

logger = logging.getLogger(__name__)

# Head items have this share of the training events (for the tail share).
HEAD_SHARE = 0.8
VALIDATION_CUTOFF = 50

# Called with each training step's edges, after the leakage checks.
StepCallback = Callable[[EdgeSplit, torch.Tensor], None]


@dataclass
class GnnTrainResult:
    """A trained model and the figures of its training.

    `best_epoch` (1-based) is the step whose weights `model` has: the best
    validated step when a validation log was given, else the last.
    `valid_epochs` lists the step of each entry of `valid_metrics`.
    """

    model: GnnModel
    losses: list[float] = field(default_factory=list)
    valid_epochs: list[int] = field(default_factory=list)
    valid_metrics: list[dict[str, float]] = field(default_factory=list)
    best_epoch: int = 0
    seconds: float = 0.0


def train_gnn(
    train: InteractionLog,
    config: GnnConfig,
    valid: InteractionLog | None = None,
    on_step: StepCallback | None = None,
) -> GnnTrainResult:
    """Train a GNN scorer on `train`, selecting the step on `valid`.

    Only `train` builds the graph. Validation pairs that are not also in
    `train` are checked to be absent from it. There is no test argument,
    so model selection uses the validation log only.

    Args:
        train: training events; its vocabularies index the model's users
            and items.
        config: hyperparameters.
        valid: validation events over the same vocabularies, or None to
            keep the last step.
        on_step: called with each step's edge split and negatives
            [supervision edges, negatives_per_positive], for inspection.
    """
    started = time.perf_counter()
    edges = build_edges(train)
    item_count = len(train.item_ids)
    if valid is not None:
        check_held_out_edges(edges, held_out_pairs(train, valid), item_count)
    with torch_threads(config.threads), torch.random.fork_rng():
        torch.manual_seed(config.seed)
        model = _build_model(train, edges, config)
        logger.info(
            "Training GNN on %d edges, %d users, %d items, %d steps at most",
            edges.shape[1],
            len(train.user_ids),
            item_count,
            config.epochs,
        )
        result = _fit(model, edges, train, valid, config, on_step)
    model.clear_cache()
    result.seconds = time.perf_counter() - started
    return result


def bpr_loss(positive: torch.Tensor, negative: torch.Tensor) -> torch.Tensor:
    """Mean of -log sigmoid(positive - negative) over [edges, negatives]."""
    return -functional.logsigmoid(positive.unsqueeze(1) - negative).mean()


def _build_model(
    train: InteractionLog, edges: torch.Tensor, config: GnnConfig
) -> GnnModel:
    known = np.unique(train.item)
    vocabulary = FeatureVocabulary.fit(
        train.items, known, min_count=config.min_feature_count
    )
    encoded = vocabulary.encode(train.items)
    return GnnModel(config, train.item_ids, vocabulary, encoded, edges)


def _fit(
    model: GnnModel,
    edges: torch.Tensor,
    train: InteractionLog,
    valid: InteractionLog | None,
    config: GnnConfig,
    on_step: StepCallback | None,
) -> GnnTrainResult:
    generator = torch.Generator().manual_seed(config.seed)
    optimizer = torch.optim.Adam(
        model.parameters(), lr=config.learning_rate, weight_decay=config.weight_decay
    )
    user_count = len(train.user_ids)
    positive_keys = torch.sort(edge_keys(edges, model.item_count)).values
    validation = _Validation(model, train, valid) if valid is not None else None

    result = GnnTrainResult(model=model)
    stopping = EarlyStopping(config.patience)
    for epoch in range(1, config.epochs + 1):
        model.train()
        split = split_edges(edges, config.supervision_share, generator)
        users = split.supervision[0]
        negatives = sample_negatives(
            users.repeat_interleave(config.negatives_per_positive),
            positive_keys,
            model.item_count,
            generator,
        ).view(-1, config.negatives_per_positive)
        if on_step is not None:
            on_step(split, negatives)
        user_vectors, item_states = model.encode(split.message, user_count)
        item_vectors = item_states[-1]
        user_rows = user_vectors[users]
        positive = (user_rows * item_vectors[split.supervision[1]]).sum(dim=1)
        negative = (user_rows.unsqueeze(1) * item_vectors[negatives]).sum(dim=2)
        loss = bpr_loss(positive, negative)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
        result.losses.append(loss.item())

        if validation is None:
            result.best_epoch = epoch
            continue
        if epoch % config.validate_every and epoch != config.epochs:
            continue
        model.eval()
        model.clear_cache()
        metrics = validation.evaluate()
        result.valid_epochs.append(epoch)
        result.valid_metrics.append(metrics)
        score = metrics[config.selection_metric]
        logger.info(
            "Step %d: loss %.4f, valid %s %.4f",
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


class _Validation:
    """Full-ranking metrics of the validation users, histories from train."""

    def __init__(
        self, model: GnnModel, train: InteractionLog, valid: InteractionLog
    ) -> None:
        self.model = model
        self.users: EvaluationUsers = build_evaluation_users(train, valid)
        self.counts = interaction_counts(train)
        self.is_tail = ~head_item_mask(self.counts, HEAD_SHARE)

    @torch.no_grad()
    def evaluate(self) -> dict[str, float]:
        user_vectors = self.model.user_vectors(self.users.histories)
        item_vectors = self.model.item_vectors()

        def score(positions: np.ndarray) -> torch.Tensor:
            return user_vectors[torch.from_numpy(positions)] @ item_vectors.T

        top = rank_top_k(score, self.users, VALIDATION_CUTOFF)
        return ranking_metrics(
            top, self.users, interaction_counts=self.counts, is_tail=self.is_tail
        )
