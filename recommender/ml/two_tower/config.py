"""Hyperparameters of the Two-Tower model and its training loop."""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from typing import Any


@dataclass(frozen=True)
class TwoTowerConfig:
    """Settings of one Two-Tower training run.

    The defaults were chosen on the validation file of the Electronics
    kcore5 time split (see docs/evaluation.md); they are a starting point
    for other catalogs, not tuned values for them.

    Args:
        embedding_dim: size of the L2-normalized user and item vectors.
        feature_dim: size of each input embedding (id, title, category,
            store, price) before the item tower's MLP.
        hidden_dim: width of the hidden layer of both towers' MLPs.
        history_length: most recent history items the user tower pools.
        temperature: divisor of the cosine scores in the softmax.
        learning_rate: Adam step size.
        weight_decay: Adam L2 penalty.
        batch_size: training examples per step; the other positives of a
            batch are each example's sampled negatives.
        epochs: maximum passes over the training examples.
        patience: epochs without a better validation score before training
            stops; only used when a validation log is given.
        id_dropout: probability that an item in a step is encoded from
            content alone, so the tower learns to embed new items.
        recency_half_life_days: age in days at which an example's sampling
            weight has fallen by half from the newest event; None samples
            all examples uniformly.
        recency_floor: lowest sampling weight, as a share of the newest
            example's weight, so old examples still count.
        log_q_correction: subtract the log of each item's sampling
            probability from its logits.
        item_prior: reserve the last vector coordinate for a learned
            per-item prior that adds to every user's score.
        min_feature_count: items a title term, category or store must
            occur in to get its own embedding.
        seed: seed of the weight initialization and the example sampling.
        threads: torch intra-op threads used while training; the previous
            setting is restored afterwards.
        selection_metric: validation metric that picks the best epoch.
    """

    embedding_dim: int = 64
    feature_dim: int = 64
    hidden_dim: int = 256
    history_length: int = 20
    temperature: float = 0.05
    learning_rate: float = 0.001
    weight_decay: float = 0.0
    batch_size: int = 2048
    epochs: int = 10
    patience: int = 2
    id_dropout: float = 0.25
    recency_half_life_days: float | None = 90.0
    recency_floor: float = 0.05
    log_q_correction: bool = True
    item_prior: bool = True
    min_feature_count: int = 2
    seed: int = 0
    threads: int = 2
    selection_metric: str = "ndcg@20"

    def __post_init__(self) -> None:
        positive = (
            "embedding_dim",
            "feature_dim",
            "hidden_dim",
            "history_length",
            "temperature",
            "learning_rate",
            "batch_size",
            "threads",
        )
        for name in positive:
            if getattr(self, name) <= 0:
                raise ValueError(
                    f"TwoTowerConfig.{name} must be positive, got "
                    f"{getattr(self, name)!r}."
                )
        if self.epochs < 0:
            raise ValueError(f"TwoTowerConfig.epochs must be >= 0, got {self.epochs}.")
        if not 0.0 <= self.id_dropout < 1.0:
            raise ValueError(
                f"TwoTowerConfig.id_dropout must be in [0, 1), got {self.id_dropout}."
            )
        if not 0.0 <= self.recency_floor <= 1.0:
            raise ValueError(
                "TwoTowerConfig.recency_floor must be in [0, 1], got "
                f"{self.recency_floor}."
            )
        half_life = self.recency_half_life_days
        if half_life is not None and half_life <= 0:
            raise ValueError(
                "TwoTowerConfig.recency_half_life_days must be positive or None, "
                f"got {half_life}."
            )

    def to_state(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_state(cls, state: dict[str, Any]) -> TwoTowerConfig:
        """Build a config from `to_state` output, ignoring unknown keys."""
        names = {field.name for field in fields(cls)}
        return cls(**{key: value for key, value in state.items() if key in names})
