"""Training of the Two-Tower model with in-batch sampled softmax.

Each interaction, in time order, is one example: the target item and the
user's earlier items (the last `history_length`, the target itself left
out). Examples are sampled with weights that fall with their age, the other
targets of a batch serve as negatives, and each logit is corrected by the
log of its item's sampling probability (log-Q correction).
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field

import numpy as np
import torch
from torch.nn import functional

from recommender.ml.data import InteractionLog
from recommender.ml.features import FeatureVocabulary
from recommender.ml.metrics import head_item_mask
from recommender.ml.popularity import interaction_counts, rank_scores
from recommender.ml.ranking import (
    build_evaluation_users,
    rank_top_k,
    ranking_metrics,
)
from recommender.ml.training_support import EarlyStopping, torch_threads
from recommender.ml.two_tower.config import TwoTowerConfig
from recommender.ml.two_tower.model import TwoTowerModel
from recommender.ml.two_tower.scoring import two_tower_score_function

logger = logging.getLogger(__name__)

MILLISECONDS_PER_DAY = 86_400_000
# Head items have this share of the training events (for the validation
# tail share).
HEAD_SHARE = 0.8
VALIDATION_CUTOFF = 50
ROW_BLOCK = 1024


@dataclass
class TrainingExamples:
    """Examples as arrays over the model's known item indices.

    Args:
        target: int64 [examples] target item.
        history: int64 [examples, history_length] earlier items, most
            recent first, -1 where there is none.
        weight: float64 [examples] sampling weight.
    """

    target: np.ndarray
    history: np.ndarray
    weight: np.ndarray

    def __len__(self) -> int:
        return len(self.target)


@dataclass
class TrainResult:
    """A trained model and the figures of each epoch.

    `best_epoch` (1-based) is the epoch whose weights `model` has: the
    best validation epoch when a validation log was given, else the last.
    """

    model: TwoTowerModel
    epoch_losses: list[float] = field(default_factory=list)
    valid_metrics: list[dict[str, float]] = field(default_factory=list)
    best_epoch: int = 0
    seconds: float = 0.0


def train_two_tower(
    train: InteractionLog,
    config: TwoTowerConfig,
    valid: InteractionLog | None = None,
) -> TrainResult:
    """Train a Two-Tower model on `train`, selecting the epoch on `valid`.

    With `valid`, the model is scored after each epoch on the users of
    `valid` (history from `train`, full ranking), training stops after
    `config.patience` epochs without a better `config.selection_metric`,
    and the best epoch's weights are returned.
    """
    started = time.perf_counter()
    known = np.unique(train.item)
    if len(known) == 0:
        raise ValueError("The training log has no events; nothing to train on.")
    with torch_threads(config.threads), torch.random.fork_rng():
        torch.manual_seed(config.seed)
        model = _build_model(train, known, config)
        examples = build_training_examples(train, model, config)
        if len(examples) == 0:
            raise ValueError(
                "No training example has a history: every user in the training "
                "log has a single event. Add users with two or more events."
            )
        logger.info(
            "Training Two-Tower on %d examples, %d items, %d epochs at most",
            len(examples),
            len(known),
            config.epochs,
        )
        result = _fit(model, examples, config, train, valid)
    result.seconds = time.perf_counter() - started
    return result


def build_training_examples(
    log: InteractionLog, model: TwoTowerModel, config: TwoTowerConfig
) -> TrainingExamples:
    """Turn every event with at least one earlier event into an example.

    Events are ordered per user by timestamp, then by position in `log`.
    History entries equal to the target are dropped, so an item never
    predicts itself (repeat ratings and duplicate rows included).
    """
    known_index = model.index_of(log.item_ids)
    order = np.lexsort((np.arange(len(log)), log.timestamp_ms, log.user))
    users = log.user[order]
    items = known_index[log.item[order]]
    timestamps = log.timestamp_ms[order]
    starts = np.searchsorted(users, users, side="left")

    width = config.history_length
    offsets = np.arange(1, width + 1)
    previous = np.arange(len(order))[:, None] - offsets[None, :]
    valid = previous >= starts[:, None]
    history = np.where(valid, items[previous.clip(min=0)], -1)
    history[history == items[:, None]] = -1
    keep = (history >= 0).any(axis=1) & (items >= 0)

    weight = np.ones(int(keep.sum()), dtype=np.float64)
    if config.recency_half_life_days is not None and len(weight):
        age_days = (timestamps.max() - timestamps[keep]) / MILLISECONDS_PER_DAY
        decay = np.power(0.5, age_days / config.recency_half_life_days)
        weight = config.recency_floor + (1.0 - config.recency_floor) * decay
    return TrainingExamples(target=items[keep], history=history[keep], weight=weight)


def log_q_correction(
    target: torch.Tensor, item_probability: torch.Tensor
) -> torch.Tensor:
    """Return the term added to every row of the in-batch logits.

    Column j of a batch is item target[j], a negative for all other rows.
    That item is in a batch with a probability proportional to
    item_probability[target[j]], so its logit is lowered by that log.
    """
    return -torch.log(item_probability[target]).unsqueeze(0)


def in_batch_loss(
    user_vectors: torch.Tensor,
    target_vectors: torch.Tensor,
    target: torch.Tensor,
    temperature: float,
    correction: torch.Tensor | None,
) -> torch.Tensor:
    """Sampled softmax loss over the batch, with colliding targets masked.

    Row i's positive is column i. Another column with the same item as
    row i's target is removed from row i's softmax instead of counting
    as a negative.
    """
    logits = user_vectors @ target_vectors.T / temperature
    if correction is not None:
        logits = logits + correction
    same_item = target.unsqueeze(0) == target.unsqueeze(1)
    same_item.fill_diagonal_(False)
    logits = logits.masked_fill(same_item, -torch.inf)
    labels = torch.arange(len(target))
    return functional.cross_entropy(logits, labels)


def _build_model(
    train: InteractionLog, known: np.ndarray, config: TwoTowerConfig
) -> TwoTowerModel:
    vocabulary = FeatureVocabulary.fit(
        train.items, known, min_count=config.min_feature_count
    )
    encoded = vocabulary.encode(train.items).take(known)
    item_ids = [train.item_ids[index] for index in known.tolist()]
    return TwoTowerModel(config, item_ids, vocabulary, encoded)


def _fit(
    model: TwoTowerModel,
    examples: TrainingExamples,
    config: TwoTowerConfig,
    train: InteractionLog,
    valid: InteractionLog | None,
) -> TrainResult:
    generator = torch.Generator().manual_seed(config.seed)
    optimizer = torch.optim.Adam(
        model.parameters(), lr=config.learning_rate, weight_decay=config.weight_decay
    )
    probability = torch.from_numpy(examples.weight / examples.weight.sum())
    item_probability = torch.zeros(len(model.item_ids), dtype=torch.float64)
    item_probability.index_add_(0, torch.from_numpy(examples.target), probability)
    # Items that are never a target still appear as history items only;
    # the clamp keeps their (unused) log finite.
    item_probability = item_probability.clamp(min=1e-12).to(torch.float32)
    target = torch.from_numpy(examples.target)
    history = torch.from_numpy(examples.history)
    validation = _Validation(model, train, valid) if valid is not None else None

    result = TrainResult(model=model)
    stopping = EarlyStopping(config.patience)
    for epoch in range(1, config.epochs + 1):
        model.train()
        order = torch.multinomial(
            probability, len(examples), replacement=True, generator=generator
        )
        total, steps = 0.0, 0
        for batch in order.split(config.batch_size):
            if len(batch) < 2:
                continue
            loss = _step(model, target[batch], history[batch], item_probability)
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
            total += loss.item()
            steps += 1
        result.epoch_losses.append(total / max(steps, 1))

        if validation is None:
            result.best_epoch = epoch
            logger.info("Epoch %d: loss %.4f", epoch, result.epoch_losses[-1])
            continue
        metrics = validation.evaluate()
        result.valid_metrics.append(metrics)
        score = metrics[config.selection_metric]
        logger.info(
            "Epoch %d: loss %.4f, valid %s %.4f",
            epoch,
            result.epoch_losses[-1],
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


def _step(
    model: TwoTowerModel,
    target: torch.Tensor,
    history: torch.Tensor,
    item_probability: torch.Tensor,
) -> torch.Tensor:
    """Return the loss of one batch; each item is encoded once per step."""
    config = model.config
    used, inverse = torch.unique(
        torch.cat([target, history[history >= 0]]), return_inverse=True
    )
    # Repeating the first item up to a multiple of ROW_BLOCK keeps tensor
    # sizes the same across steps. With a different size every step, glibc
    # malloc fragmented the heap, and a full evaluation of both splits grew
    # past 3 GB of resident memory. The extra rows are never read.
    padding = -len(used) % ROW_BLOCK
    used = torch.cat([used, used[:1].expand(padding)])

    id_rows = used + 1
    if config.id_dropout > 0:
        dropped = torch.rand(len(used)) < config.id_dropout
        id_rows = id_rows.masked_fill(dropped, 0)
    vectors = model.item_tower(
        id_rows,
        model.known_title[used],
        model.known_category[used],
        model.known_store[used],
        model.known_price[used],
    )

    target_rows = inverse[: len(target)]
    history_rows = torch.full_like(history, -1)
    history_rows[history >= 0] = inverse[len(target) :]
    users = model.pool_histories(vectors, history_rows)
    correction = (
        log_q_correction(target, item_probability) if config.log_q_correction else None
    )
    return in_batch_loss(
        users, vectors[target_rows], target, config.temperature, correction
    )


class _Validation:
    """Full-ranking scores of the validation users after each epoch."""

    def __init__(
        self, model: TwoTowerModel, train: InteractionLog, valid: InteractionLog
    ) -> None:
        self.model = model
        self.log = train
        self.users = build_evaluation_users(train, valid)
        counts = interaction_counts(train)
        self.counts = counts
        self.is_tail = ~head_item_mask(counts, HEAD_SHARE)
        self.fallback = torch.from_numpy(rank_scores(counts))

    def evaluate(self) -> dict[str, float]:
        score = two_tower_score_function(
            self.model, self.log, self.users.histories, self.fallback
        )
        top = rank_top_k(score, self.users, VALIDATION_CUTOFF)
        return ranking_metrics(
            top, self.users, interaction_counts=self.counts, is_tail=self.is_tail
        )
