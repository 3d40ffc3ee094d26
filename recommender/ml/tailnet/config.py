"""Hyperparameters of TailNet and its training."""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, fields
from typing import Any

SELECTION_METRICS = ("recall@20", "mrr@20")


@dataclass(frozen=True)
class TailNetConfig:
    """Settings of one TailNet training run.

    The defaults are small, untuned values that train on a CPU in minutes
    on the Electronics kcore5 set (96,443 training examples).

    Args:
        embedding_dim: size of the item embeddings and of the session
            vector that is scored against them.
        hidden_dim: size of the GRU state.
        dropout: dropout on the item embeddings and on the joined session
            vector while training.
        rectification: whether the preference mechanism rectifies the
            scores of head and tail items. False gives the ablation, the
            same GRU and attention network without rectification.
        head_item_share: share of the items, most clicked first, that are
            head items; the rest are tail. 0.2 follows the Pareto rule
            that Liu and Zheng (RecSys 2020) use for TailNet.
        item_prior: whether a learned weight times the time-aware item
            prior log(1 + recent interactions) is added to the scores
            before the softmax. Needs timestamped interactions.
        prior_window_days: window of the item prior, in days before each
            example's own time. On the Electronics valid examples the
            prior alone, as popularity, reached Recall@20 0.0667 at 30
            days, 0.0719 at 60, 0.0736 at 90, 0.0730 at 120 and 0.0742 at
            180, and MRR@20 0.0188, 0.0199, 0.0197, 0.0193 and 0.0183, so
            the default is 90.
        prior_before_rectification: add the weighted prior to the raw
            scores, so that the rectification factors scale it too. False
            adds it to the rectified scores, which leaves the prior of
            head and tail items unscaled. On the Electronics valid
            examples TailNet reached Recall@20 0.0768 with True and 0.0767
            with False, MRR@20 0.0184 and 0.0201, and Tail-Coverage@20
            0.0215 and 0.0085. True keeps more of the tail at the same
            Recall@20, the selection metric, so it is the default.
        max_length: most recent items of a session that the model reads.
        batch_size: examples per training step.
        learning_rate: Adam step size.
        weight_decay: Adam L2 penalty.
        epochs: maximum passes over the training examples.
        patience: validations without a better score before training
            stops; only used when validation examples are given.
        seed: seed of the weights, the dropout and the example order.
        threads: torch intra-op threads used while training; the previous
            setting is restored afterwards.
        selection_metric: validation metric that picks the best epoch.
    """

    embedding_dim: int = 64
    hidden_dim: int = 64
    dropout: float = 0.2
    rectification: bool = True
    head_item_share: float = 0.2
    item_prior: bool = False
    prior_window_days: float = 90.0
    prior_before_rectification: bool = True
    max_length: int = 20
    batch_size: int = 256
    learning_rate: float = 0.002
    weight_decay: float = 0.0
    epochs: int = 10
    patience: int = 2
    seed: int = 0
    threads: int = 1
    selection_metric: str = "recall@20"

    def __post_init__(self) -> None:
        positive = (
            "embedding_dim",
            "hidden_dim",
            "max_length",
            "batch_size",
            "learning_rate",
            "prior_window_days",
            "patience",
            "threads",
        )
        for name in positive:
            value = getattr(self, name)
            if not value > 0 or not math.isfinite(value):
                raise ValueError(
                    f"TailNetConfig.{name} must be positive, got {value!r}."
                )
        if not 0.0 <= self.dropout < 1.0:
            raise ValueError(
                f"TailNetConfig.dropout must be in [0, 1), got {self.dropout!r}."
            )
        if not 0.0 < self.head_item_share < 1.0:
            raise ValueError(
                "TailNetConfig.head_item_share must be in (0, 1), got "
                f"{self.head_item_share!r}."
            )
        if self.weight_decay < 0:
            raise ValueError(
                f"TailNetConfig.weight_decay must be >= 0, got {self.weight_decay!r}."
            )
        if self.epochs < 0:
            raise ValueError(f"TailNetConfig.epochs must be >= 0, got {self.epochs!r}.")
        if self.selection_metric not in SELECTION_METRICS:
            raise ValueError(
                f"TailNetConfig.selection_metric must be one of "
                f"{', '.join(SELECTION_METRICS)}, got {self.selection_metric!r}."
            )

    def to_state(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_state(cls, state: dict[str, Any]) -> TailNetConfig:
        """Build a config from `to_state` output, ignoring unknown keys."""
        names = {field.name for field in fields(cls)}
        return cls(**{key: value for key, value in state.items() if key in names})
