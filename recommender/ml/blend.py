"""The offline full pipeline: retrieval, GNN scoring and a time-aware blend.

The Two-Tower model retrieves each user's best candidates (500 by default,
items of the user's history left out). Every candidate then gets five
features, and a linear blend of them ranks the candidates:

- `two_tower`: the retrieval score;
- `gnn`: the GNN link-prediction score;
- `recent_popularity`: log(1 + events of the item in the recent window
  before the prediction moment);
- `item_age`: log(1 + days since the item's first event). An item with
  no event before the prediction moment gets the neutral value 0 after
  standardization. The benchmark catalogs are k-core filtered over the
  whole period, so an item that exists but has no event yet is certain to
  be rated later. An age of 0 for such items would let the blend find
  them and use that knowledge of the future;
- `inactive_user_popularity`: `recent_popularity` times log(1 + days since
  the user's last event), so that users who have been away for long can
  lean more on what is popular now.

The first four are standardized per user over the candidates, so their
weights compare. The blend weights are chosen on the validation file by
coordinate ascent over a grid (`choose_blend_weights`).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import numpy as np
import torch

from recommender.ml.data import InteractionLog
from recommender.ml.gnn import GnnModel
from recommender.ml.metrics import ndcg_at_k
from recommender.ml.popularity import MILLISECONDS_PER_DAY, ItemTimeline
from recommender.ml.ranking import (
    EvaluationUsers,
    ScoreFunction,
    top_k_with_scores,
)

logger = logging.getLogger(__name__)

FEATURES = (
    "two_tower",
    "gnn",
    "recent_popularity",
    "item_age",
    "inactive_user_popularity",
)
CANDIDATES = 500
# The Two-Tower weight stays 1, so the others are relative to it.
WEIGHT_GRID = (-2.0, -1.0, -0.5, -0.25, 0.0, 0.25, 0.5, 1.0, 2.0, 4.0)
SEARCH_ROUNDS = 2
SELECTION_CUTOFF = 20
GNN_BATCH = 1024


@dataclass
class CandidateFeatures:
    """Retrieved candidates of each user with their blend features.

    Args:
        candidates: int64 [users, C] item indices, best retrieved first.
        valid: bool [users, C], false where the slot contains an item left
            out of the ranking (only when the catalog has fewer than C
            items beside the user's history).
        features: float32 [len(FEATURES), users, C].
    """

    candidates: torch.Tensor
    valid: torch.Tensor
    features: torch.Tensor

    def blend(self, weights: dict[str, float]) -> torch.Tensor:
        """Return the blended scores [users, C], with -inf in invalid slots."""
        vector = torch.tensor([weights[name] for name in FEATURES])
        scores = torch.tensordot(vector, self.features, dims=1)
        return torch.where(self.valid, scores, -torch.inf)


def build_candidate_features(
    two_tower_score: ScoreFunction,
    gnn: GnnModel,
    history_log: InteractionLog,
    users: EvaluationUsers,
    recent_days: float,
    candidate_count: int = CANDIDATES,
) -> CandidateFeatures:
    """Retrieve candidates with the Two-Tower and compute their features.

    `history_log` is what is known before the prediction moments of
    `users` (train for validation, train + valid for test). Events after a
    user's prediction moment are never counted for that user.
    """
    retrieval, candidates = top_k_with_scores(two_tower_score, users, candidate_count)
    valid = torch.isfinite(retrieval)
    gnn_scores = _gnn_scores(gnn, users, candidates)

    timeline = ItemTimeline(history_log)
    recent = torch.zeros(candidates.shape, dtype=torch.float32)
    age = torch.zeros(candidates.shape, dtype=torch.float32)
    seen = torch.zeros(candidates.shape, dtype=torch.bool)
    for moment in np.unique(users.prediction_ms):
        rows = torch.from_numpy(np.flatnonzero(users.prediction_ms == moment))
        counts = torch.from_numpy(timeline.counts(int(moment), recent_days))
        ages = torch.from_numpy(timeline.age_days(int(moment)))
        seen_items = torch.from_numpy(timeline.first_seen_ms <= moment)
        recent[rows] = torch.log1p(counts[candidates[rows]].to(torch.float32))
        age[rows] = torch.log1p(ages[candidates[rows]].to(torch.float32))
        seen[rows] = seen_items[candidates[rows]]
    away = torch.from_numpy(np.log1p(_days_since_last_event(history_log, users)))

    standardized = [
        _standardize(values, valid)
        for values in (torch.where(valid, retrieval, 0.0), gnn_scores, recent)
    ]
    standardized.append(_standardize(age, valid & seen))
    inactive = standardized[2] * away.to(torch.float32).unsqueeze(1)
    return CandidateFeatures(
        candidates=candidates,
        valid=valid,
        features=torch.stack([*standardized, inactive]),
    )


def choose_blend_weights(
    features: CandidateFeatures, users: EvaluationUsers
) -> tuple[dict[str, float], float]:
    """Pick the weights with the best NDCG@20 on `users` (validation users).

    Starts from the Two-Tower alone and, for `SEARCH_ROUNDS` rounds, sets
    each other weight in turn to its best value on `WEIGHT_GRID`. A value
    must beat the current best score to replace it, so ties keep the
    earlier weights. Returns the weights and their NDCG@20.
    """
    relevant = _relevant_candidates(features.candidates, users)
    relevant_counts = users.relevant_counts()
    cutoff = min(SELECTION_CUTOFF, features.candidates.shape[1])

    def evaluate(weights: dict[str, float]) -> float:
        top = torch.topk(features.blend(weights), cutoff, dim=1).indices
        hits = torch.gather(relevant, 1, top)
        return float(ndcg_at_k(hits, relevant_counts, SELECTION_CUTOFF).mean())

    weights = {name: 0.0 for name in FEATURES}
    weights["two_tower"] = 1.0
    best = evaluate(weights)
    for _ in range(SEARCH_ROUNDS):
        for name in FEATURES[1:]:
            for value in WEIGHT_GRID:
                trial = {**weights, name: value}
                score = evaluate(trial)
                if score > best:
                    best, weights = score, trial
        logger.info("Blend weights %s: valid ndcg@20 %.4f", weights, best)
    return weights, best


def blend_score_function(
    features: CandidateFeatures, weights: dict[str, float], item_count: int
) -> ScoreFunction:
    """Score every item by the blend, with -inf outside the candidates."""
    blended = features.blend(weights)

    def score(positions: np.ndarray) -> torch.Tensor:
        rows = torch.from_numpy(positions)
        scores = torch.full((len(positions), item_count), -torch.inf)
        scores.scatter_(1, features.candidates[rows], blended[rows])
        return scores

    return score


def _gnn_scores(
    gnn: GnnModel, users: EvaluationUsers, candidates: torch.Tensor
) -> torch.Tensor:
    rows = []
    for start in range(0, len(users), GNN_BATCH):
        end = min(start + GNN_BATCH, len(users))
        scores = gnn.score(users.histories[start:end], candidates[start:end].numpy())
        rows.append(torch.from_numpy(scores))
    if not rows:
        return torch.zeros(candidates.shape, dtype=torch.float32)
    return torch.cat(rows)


def _days_since_last_event(
    history_log: InteractionLog, users: EvaluationUsers
) -> np.ndarray:
    """Return days from each user's last event to their moment, else 0."""
    position = np.searchsorted(users.users, history_log.user)
    in_scope = (position < len(users)) & (
        users.users[position.clip(max=len(users) - 1)] == history_log.user
    )
    position = position[in_scope]
    timestamps = history_log.timestamp_ms[in_scope]
    before = timestamps <= users.prediction_ms[position]
    last = np.full(len(users), -1, dtype=np.int64)
    np.maximum.at(last, position[before], timestamps[before])
    days = (users.prediction_ms - last).astype(np.float64) / MILLISECONDS_PER_DAY
    return np.where(last >= 0, days, 0.0)


def _standardize(values: torch.Tensor, valid: torch.Tensor) -> torch.Tensor:
    """Center and scale each row over its valid slots, other slots to 0."""
    weight = valid.to(torch.float32)
    count = weight.sum(dim=1, keepdim=True).clamp(min=1.0)
    mean = (values * weight).sum(dim=1, keepdim=True) / count
    spread = (((values - mean) * weight).pow(2).sum(dim=1, keepdim=True) / count).sqrt()
    return torch.where(valid, (values - mean) / spread.clamp(min=1e-6), 0.0)


def _relevant_candidates(
    candidates: torch.Tensor, users: EvaluationUsers
) -> torch.Tensor:
    """Mark candidates [users, C] that are relevant to their user."""
    relevant = torch.zeros((len(users), users.item_count), dtype=torch.bool)
    lengths = np.diff(users.relevant_indptr)
    rows = torch.from_numpy(np.repeat(np.arange(len(users)), lengths))
    relevant[rows, torch.from_numpy(users.relevant_indices)] = True
    return torch.gather(relevant, 1, candidates)
