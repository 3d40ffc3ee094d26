"""Train TailNet on next-item examples with early stopping on validation."""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import torch
from torch.nn import functional

from recommender.ml.sessions import PrefixExamples
from recommender.ml.tailnet.config import TailNetConfig
from recommender.ml.tailnet.model import TailNet
from recommender.ml.tailnet.prior import RecentItemPrior
from recommender.ml.tailnet.ranking import (
    model_score_function,
    next_item_metrics,
    rank_examples,
)
from recommender.ml.training_support import EarlyStopping, torch_threads

logger = logging.getLogger(__name__)


@dataclass
class TailNetTrainResult:
    """A trained model and the history of its training run.

    `best_epoch` is the 1-based epoch whose weights the model contains: the
    last epoch when no validation examples were given, 0 for no epoch.
    """

    model: TailNet
    best_epoch: int
    epoch_losses: list[float] = field(default_factory=list)
    valid_metrics: list[dict[str, float]] = field(default_factory=list)
    seconds: float = 0.0


def train_tailnet(
    train: PrefixExamples,
    item_ids: Sequence[str],
    click_counts: np.ndarray,
    config: TailNetConfig,
    valid: PrefixExamples | None = None,
    prior: RecentItemPrior | None = None,
) -> TailNetTrainResult:
    """Train a TailNet by minimizing the cross-entropy of its scores.

    Args:
        train: training examples; item indices refer to `item_ids`.
        item_ids: the item vocabulary, in index order.
        click_counts: training clicks per item, which split head from tail.
        config: sizes, optimizer settings and the epoch budget.
        valid: examples scored after every epoch. With them, training
            stops after `config.patience` epochs without a better
            `config.selection_metric`, and the best epoch's weights are
            kept.
        prior: the interactions that the item prior counts; required
            when `config.item_prior` is on, and then every example needs
            timestamps. Each example's prior is computed at its own time.
    """
    _check_examples(train, len(item_ids), "train")
    if valid is not None:
        _check_examples(valid, len(item_ids), "valid")
    if config.item_prior:
        _check_prior(prior, len(item_ids), train, valid)
    started = time.perf_counter()
    with torch_threads(config.threads):
        torch.manual_seed(config.seed)
        model = TailNet(config, item_ids, click_counts)
        result = _fit(model, train, valid, config, prior if config.item_prior else None)
    result.seconds = time.perf_counter() - started
    return result


def _fit(
    model: TailNet,
    train: PrefixExamples,
    valid: PrefixExamples | None,
    config: TailNetConfig,
    prior: RecentItemPrior | None,
) -> TailNetTrainResult:
    optimizer = torch.optim.Adam(
        model.parameters(), lr=config.learning_rate, weight_decay=config.weight_decay
    )
    generator = torch.Generator().manual_seed(config.seed)
    history = torch.from_numpy(train.history[:, : config.max_length])
    lengths = torch.from_numpy(np.minimum(train.lengths, config.max_length))
    targets = torch.from_numpy(train.targets)
    stopping = EarlyStopping(config.patience)
    result = TailNetTrainResult(model=model, best_epoch=0)
    is_tail = model.is_tail.numpy()
    switch = "on" if config.rectification else "off"
    if config.item_prior:
        switch += ", item prior"

    for epoch in range(1, config.epochs + 1):
        model.train()
        order = torch.randperm(len(train), generator=generator)
        total = 0.0
        for start in range(0, len(order), config.batch_size):
            rows = order[start : start + config.batch_size]
            batch_prior = None
            if prior is not None and train.timestamp_ms is not None:
                batch_prior = prior.features(train.timestamp_ms[rows.numpy()])
            scores = model(history[rows], lengths[rows], batch_prior)
            loss = functional.cross_entropy(scores, targets[rows])
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            total += loss.item() * len(rows)
        result.epoch_losses.append(total / max(len(train), 1))
        result.best_epoch = epoch
        if valid is None:
            logger.info(
                "TailNet (rectification %s) epoch %d: loss %.4f",
                switch,
                epoch,
                result.epoch_losses[-1],
            )
            continue
        top = rank_examples(
            model_score_function(model), valid, model.item_count, prior=prior
        )
        metrics = next_item_metrics(top, valid.targets, is_tail)
        result.valid_metrics.append(metrics)
        logger.info(
            "TailNet (rectification %s) epoch %d: loss %.4f, valid recall@20 "
            "%.4f, mrr@20 %.4f",
            switch,
            epoch,
            result.epoch_losses[-1],
            metrics["recall@20"],
            metrics["mrr@20"],
        )
        if stopping.update(model, epoch, metrics[config.selection_metric]):
            break

    if valid is not None and result.valid_metrics:
        stopping.restore_best(model)
        result.best_epoch = stopping.best_epoch
    model.eval()
    return result


def _check_prior(
    prior: RecentItemPrior | None,
    item_count: int,
    train: PrefixExamples,
    valid: PrefixExamples | None,
) -> None:
    if prior is None:
        raise ValueError(
            "config.item_prior is on but no prior was given; pass a "
            "RecentItemPrior or turn item_prior off."
        )
    if prior.item_count != item_count:
        raise ValueError(
            f"The prior counts {prior.item_count} items but the vocabulary "
            f"has {item_count}; build both from the same data."
        )
    for name, examples in (("train", train), ("valid", valid)):
        if examples is not None and examples.timestamp_ms is None:
            raise ValueError(
                f"The {name} examples have no timestamps, which the item "
                "prior needs; turn item_prior off for data without times."
            )


def _check_examples(examples: PrefixExamples, item_count: int, name: str) -> None:
    if len(examples) == 0:
        raise ValueError(f"No {name} examples; every split needs at least one.")
    used = np.concatenate([examples.targets, examples.history[examples.history >= 0]])
    if used.min() < 0 or used.max() >= item_count:
        raise ValueError(
            f"{name} examples refer to item index {int(used.max())} or "
            f"{int(used.min())}, outside the {item_count} item ids; build the "
            "examples and the vocabulary from the same data."
        )
