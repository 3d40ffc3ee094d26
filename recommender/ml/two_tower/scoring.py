"""Full-catalog scores of a Two-Tower model, for offline ranking."""

from __future__ import annotations

import numpy as np
import torch

from recommender.ml.data import InteractionLog
from recommender.ml.ranking import ScoreFunction
from recommender.ml.two_tower.model import TwoTowerModel


def two_tower_score_function(
    model: TwoTowerModel,
    log: InteractionLog,
    histories: list[list[int]],
    fallback: torch.Tensor,
) -> ScoreFunction:
    """Score every item of `log` for each history, as serving would.

    Items of the log that the model does not know are encoded from content
    only. History items are indices into `log.item_ids`, oldest first;
    unknown ones are dropped. A user left with no history gets the
    `fallback` scores [items], as the feed falls back to popularity.
    """
    known = model.index_of(log.item_ids)
    item_vectors = torch.from_numpy(model.encode_items(known, log.items))
    known_histories = []
    for history in histories:
        mapped = known[np.asarray(history, dtype=np.int64)]
        known_histories.append(mapped[mapped >= 0].tolist())
    user_vectors = torch.from_numpy(model.encode_users(known_histories))
    empty = ~user_vectors.any(dim=1)

    def score(positions: np.ndarray) -> torch.Tensor:
        rows = torch.from_numpy(positions)
        scores = user_vectors[rows] @ item_vectors.T
        return torch.where(empty[rows].unsqueeze(1), fallback.unsqueeze(0), scores)

    return score
