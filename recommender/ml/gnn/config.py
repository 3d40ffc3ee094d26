"""Hyperparameters of the GNN link-prediction scorer and its training."""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from typing import Any


@dataclass(frozen=True)
class GnnConfig:
    """Settings of one GNN training run.

    The defaults were not tuned. On the Electronics kcore5 time split
    (110,414 training edges) validation NDCG@20 stopped improving after
    150 to 250 steps with them (see docs/evaluation.md).

    Args:
        embedding_dim: size of the item input vectors and of every layer's
            output, so of the user and item vectors that are scored.
        layers: GraphSAGE layers (1 or 2). With 2, a user vector mixes
            the user's items and the other users of those items.
        supervision_share: share of the training edges held out of the
            message-passing graph in each step and used as positives.
        negatives_per_positive: sampled negative items per positive edge.
        learning_rate: Adam step size.
        weight_decay: Adam L2 penalty.
        epochs: maximum full-graph training steps.
        patience: validations without a better score before training
            stops; only used when a validation log is given.
        validate_every: steps between two validations.
        min_feature_count: items a title term, category level or store
            must occur in to get its own embedding.
        seed: seed of the weights, the edge splits and the negatives.
        threads: torch intra-op threads used while training; the previous
            setting is restored afterwards.
        selection_metric: validation metric that picks the best step.
    """

    embedding_dim: int = 64
    layers: int = 2
    supervision_share: float = 0.3
    negatives_per_positive: int = 1
    learning_rate: float = 0.01
    weight_decay: float = 0.0
    epochs: int = 200
    patience: int = 5
    validate_every: int = 10
    min_feature_count: int = 2
    seed: int = 0
    threads: int = 2
    selection_metric: str = "ndcg@20"

    def __post_init__(self) -> None:
        positive = (
            "embedding_dim",
            "negatives_per_positive",
            "learning_rate",
            "validate_every",
            "threads",
            "patience",
        )
        for name in positive:
            if getattr(self, name) <= 0:
                raise ValueError(
                    f"GnnConfig.{name} must be positive, got {getattr(self, name)!r}."
                )
        if self.layers not in (1, 2):
            raise ValueError(f"GnnConfig.layers must be 1 or 2, got {self.layers}.")
        if not 0.0 < self.supervision_share < 1.0:
            raise ValueError(
                "GnnConfig.supervision_share must be in (0, 1), got "
                f"{self.supervision_share}."
            )
        if self.epochs < 0:
            raise ValueError(f"GnnConfig.epochs must be >= 0, got {self.epochs}.")

    def to_state(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_state(cls, state: dict[str, Any]) -> GnnConfig:
        """Build a config from `to_state` output, ignoring unknown keys."""
        names = {field.name for field in fields(cls)}
        return cls(**{key: value for key, value in state.items() if key in names})
