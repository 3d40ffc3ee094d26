"""The offline full pipeline: candidates, per-candidate features and a blend.

Each user's candidates are the union of three sources, items of the
user's history and items without an event before the prediction moment
left out:

- the Two-Tower's best `candidate_count` items (500 by default);
- the `popular_count` items with the highest decayed popularity at the
  prediction moment, so that a product popular now can be ranked even
  when the Two-Tower does not retrieve it;
- the `neighbour_count` items with the highest item-kNN score from the
  user's history.

Every candidate then gets the features of `FEATURES`, and a blend of them
ranks the candidates:

- `two_tower`: the retrieval score;
- `gnn`: the GNN link-prediction score;
- `recent_popularity`: log(1 + events of the item in the recent window
  before the prediction moment);
- `item_age`: log(1 + days since the item's first event);
- `inactive_user_popularity`: `recent_popularity` times log(1 + days since
  the user's last event), so that users who have been away for long can
  lean more on what is popular now;
- `popularity_<n>d`: log(1 + events weighted by 2^(-age / n days)), a
  recency-weighted popularity with a half-life of n days, for each n in
  `HALF_LIVES_DAYS`. The blend, fitted on the validation file, sets the
  mix of half-lives;
- `popularity_trend`: log(1 + events of the last `TREND_DAYS` days) minus
  log(1 + events of the recent window times `TREND_DAYS` / window);
- `item_knn`: the item-kNN score of the candidate from the whole history;
- `recent_item_knn`: the same from the user's last `RECENT_HISTORY` items;
- `category_affinity`: share of the user's history in the candidate's
  category.

Every feature but `inactive_user_popularity` is standardized per user over
the candidates, so their weights compare.

Items without an event before the prediction moment are left out because
the benchmark catalogs are k-core filtered over the whole period: an item
that exists but has no event yet is certain to be rated later. The blend
network learned to single such items out from their feature values, even
with neutral popularity and age values. That is knowledge of the future,
which a live marketplace does not have.

`fit_blend_model` fits a small network over the features on the
validation users, and `choose_blend_weights` picks linear weights there
instead.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import numpy as np
import torch

from recommender.ml.data import InteractionLog
from recommender.ml.gnn import GnnModel
from recommender.ml.item_knn import ItemKnnConfig, ItemKnnModel, fit_item_knn
from recommender.ml.metrics import ndcg_at_k
from recommender.ml.popularity import MILLISECONDS_PER_DAY, ItemTimeline
from recommender.ml.ranking import EvaluationUsers, ScoreFunction

logger = logging.getLogger(__name__)

HALF_LIVES_DAYS = (7.0, 30.0, 120.0)
TREND_DAYS = 7.0
RECENT_HISTORY = 3
FEATURES = (
    "two_tower",
    "gnn",
    "recent_popularity",
    "item_age",
    "inactive_user_popularity",
    *(f"popularity_{days:g}d" for days in HALF_LIVES_DAYS),
    "popularity_trend",
    "item_knn",
    "recent_item_knn",
    "category_affinity",
)
CANDIDATES = 500
POPULAR_CANDIDATES = 200
NEIGHBOUR_CANDIDATES = 100
# The item-kNN settings that the item-kNN baseline chose on the
# Electronics validation file.
# NOTE: they are not chosen again for other data; All_Beauty's valid
# file chose 50 neighbours without shrinkage for the baseline.
KNN_CONFIG = ItemKnnConfig(neighbours=50, shrinkage=300.0)
# The Two-Tower weight stays 1, so the others are relative to it.
WEIGHT_GRID = (-2.0, -1.0, -0.5, -0.25, 0.0, 0.25, 0.5, 1.0, 2.0, 4.0)
SEARCH_ROUNDS = 2
SELECTION_CUTOFF = 20
GNN_BATCH = 1024
USER_BATCH = 1024
# The blend network's width, L2 penalty and L-BFGS iterations, chosen by
# a two-fold split of the Electronics validation users.
BLEND_HIDDEN = 16
BLEND_WEIGHT_DECAY = 0.01
BLEND_STEPS = 200


@dataclass
class CandidateFeatures:
    """Candidates of each user with their blend features.

    Args:
        candidates: int64 [users, C] item indices, in falling order of the
            Two-Tower score.
        valid: bool [users, C], false where the slot contains no candidate
            (the union of the sources is smaller than C) or an item left
            out of the ranking.
        features: float32 [len(FEATURES), users, C].
    """

    candidates: torch.Tensor
    valid: torch.Tensor
    features: torch.Tensor

    def blend(self, weights: dict[str, float]) -> torch.Tensor:
        """Return the blended scores [users, C], with -inf in invalid slots.

        A feature missing from `weights` gets weight 0.
        """
        vector = torch.tensor([weights.get(name, 0.0) for name in FEATURES])
        scores = torch.tensordot(vector, self.features, dims=1)
        return torch.where(self.valid, scores, -torch.inf)


def build_candidate_features(
    two_tower_score: ScoreFunction,
    gnn: GnnModel,
    history_log: InteractionLog,
    users: EvaluationUsers,
    recent_days: float,
    candidate_count: int = CANDIDATES,
    popular_count: int = POPULAR_CANDIDATES,
    neighbour_count: int = NEIGHBOUR_CANDIDATES,
) -> CandidateFeatures:
    """Collect each user's candidates and compute their features.

    `history_log` is what is known before the prediction moments of
    `users` (train for validation, train + valid for test). Events after a
    user's prediction moment are never counted for that user.
    """
    counts = {
        "candidate_count": candidate_count,
        "popular_count": popular_count,
        "neighbour_count": neighbour_count,
    }
    for name, count in counts.items():
        if count < 0 or (name == "candidate_count" and count == 0):
            raise ValueError(
                f"build_candidate_features: {name} must be "
                f"{'at least 1' if name == 'candidate_count' else '0 or more'}, "
                f"got {count}."
            )
    timeline = ItemTimeline(history_log)
    moments = _MomentFeatures(timeline, users.prediction_ms, recent_days)
    knn = fit_item_knn(history_log, KNN_CONFIG)
    width = min(candidate_count + popular_count + neighbour_count, users.item_count)
    retrieval, candidates, valid = _collect_candidates(
        two_tower_score,
        knn,
        moments,
        users,
        (candidate_count, popular_count, neighbour_count),
        width,
    )
    gnn_scores = _gnn_scores(gnn, users, candidates)
    knn_scores, recent_knn_scores = _knn_scores(knn, users, candidates)

    per_moment = moments.gather(candidates)
    away = torch.from_numpy(np.log1p(_days_since_last_event(history_log, users)))
    affinity = _category_affinity(history_log, users, candidates)

    def standardize(values: torch.Tensor) -> torch.Tensor:
        return _standardize(values, valid)

    recent = standardize(per_moment["recent"])
    features = [
        standardize(torch.where(valid, retrieval, 0.0)),
        standardize(gnn_scores),
        recent,
        standardize(per_moment["age"]),
        recent * away.to(torch.float32).unsqueeze(1),
        *(standardize(per_moment[f"decayed_{days:g}"]) for days in HALF_LIVES_DAYS),
        standardize(per_moment["trend"]),
        standardize(knn_scores),
        standardize(recent_knn_scores),
        standardize(affinity),
    ]
    return CandidateFeatures(
        candidates=candidates, valid=valid, features=torch.stack(features)
    )


class _MomentFeatures:
    """Item features as of each distinct prediction moment, float32 [items]."""

    def __init__(
        self, timeline: ItemTimeline, prediction_ms: np.ndarray, recent_days: float
    ) -> None:
        self.prediction_ms = prediction_ms
        self.by_moment: dict[int, dict[str, torch.Tensor]] = {}
        for moment in np.unique(prediction_ms).tolist():
            self.by_moment[int(moment)] = _item_features_at(
                timeline, int(moment), recent_days
            )

    def popular_scores(self, positions: np.ndarray) -> torch.Tensor:
        """Return the decayed popularity [len(positions), items] that ranks
        the popular candidates."""
        name = f"decayed_{HALF_LIVES_DAYS[0]:g}"
        return torch.stack(
            [
                self.by_moment[int(moment)][name]
                for moment in self.prediction_ms[positions].tolist()
            ]
        )

    def seen_mask(self, positions: np.ndarray) -> torch.Tensor:
        """Mark the items with an event at or before each user's moment."""
        return torch.stack(
            [
                self.by_moment[int(moment)]["seen"]
                for moment in self.prediction_ms[positions].tolist()
            ]
        )

    def gather(self, candidates: torch.Tensor) -> dict[str, torch.Tensor]:
        """Gather every item feature at the candidates [users, C]."""
        gathered: dict[str, torch.Tensor] = {}
        for moment, values in self.by_moment.items():
            rows = torch.from_numpy(np.flatnonzero(self.prediction_ms == moment))
            for name, column in values.items():
                if name not in gathered:
                    gathered[name] = torch.zeros(candidates.shape, dtype=column.dtype)
                gathered[name][rows] = column[candidates[rows]]
        return gathered


def _item_features_at(
    timeline: ItemTimeline, moment: int, recent_days: float
) -> dict[str, torch.Tensor]:
    end = int(np.searchsorted(timeline.timestamp_ms, moment, side="right"))
    age_ms = (moment - timeline.timestamp_ms[:end]).astype(np.float64)
    features: dict[str, torch.Tensor] = {}
    for days in HALF_LIVES_DAYS:
        weights = np.exp2(-age_ms / (days * MILLISECONDS_PER_DAY))
        decayed = np.bincount(
            timeline.item[:end], weights=weights, minlength=timeline.item_count
        )
        features[f"decayed_{days:g}"] = torch.from_numpy(
            np.log1p(decayed).astype(np.float32)
        )
    window = timeline.counts(moment, recent_days).astype(np.float64)
    short = timeline.counts(moment, TREND_DAYS).astype(np.float64)
    expected = window * min(TREND_DAYS / recent_days, 1.0)
    features["recent"] = torch.from_numpy(np.log1p(window).astype(np.float32))
    features["trend"] = torch.from_numpy(
        (np.log1p(short) - np.log1p(expected)).astype(np.float32)
    )
    features["age"] = torch.from_numpy(
        np.log1p(timeline.age_days(moment)).astype(np.float32)
    )
    features["seen"] = torch.from_numpy(timeline.first_seen_ms <= moment)
    return features


def _collect_candidates(
    two_tower_score: ScoreFunction,
    knn: ItemKnnModel,
    moments: _MomentFeatures,
    users: EvaluationUsers,
    counts: tuple[int, int, int],
    width: int,
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Return the Two-Tower scores, item indices and validity [users, width].

    Candidates are ordered by falling Two-Tower score, and slots beyond a
    user's union of sources are invalid.
    """
    retrieval_rows, candidate_rows, valid_rows = [], [], []
    for start in range(0, len(users), USER_BATCH):
        positions = np.arange(start, min(start + USER_BATCH, len(users)))
        allowed = ~_excluded_mask(users, positions) & moments.seen_mask(positions)
        retrieval = two_tower_score(positions).to(torch.float32)
        histories = [users.histories[position] for position in positions]
        sources = (
            retrieval,
            moments.popular_scores(positions),
            knn.score(histories),
        )
        chosen = torch.zeros(allowed.shape, dtype=torch.bool)
        for index, (scores, count) in enumerate(zip(sources, counts, strict=True)):
            if count == 0:
                continue
            # Popularity and item-kNN propose only items with a positive
            # score: an item without events or neighbours is no candidate.
            proposed = allowed if index == 0 else allowed & (scores > 0.0)
            masked = torch.where(proposed, scores, -torch.inf)
            top = torch.topk(masked, min(count, users.item_count), dim=1)
            chosen.scatter_(1, top.indices, torch.isfinite(top.values))
        order = torch.where(chosen, retrieval, -torch.inf)
        top = torch.topk(order, width, dim=1)
        valid = torch.gather(chosen, 1, top.indices)
        retrieval_rows.append(torch.where(valid, top.values, 0.0))
        candidate_rows.append(top.indices)
        valid_rows.append(valid)
    if not candidate_rows:
        empty = torch.zeros((0, width), dtype=torch.int64)
        return empty.to(torch.float32), empty, empty.to(torch.bool)
    return torch.cat(retrieval_rows), torch.cat(candidate_rows), torch.cat(valid_rows)


def _excluded_mask(users: EvaluationUsers, positions: np.ndarray) -> torch.Tensor:
    """Mark the items left out of each user's ranking, bool [rows, items]."""
    mask = torch.zeros((len(positions), users.item_count), dtype=torch.bool)
    first, last = int(positions[0]), int(positions[-1])
    lengths = np.diff(users.excluded_indptr[first : last + 2])
    rows = np.repeat(np.arange(len(positions)), lengths)
    columns = users.excluded_indices[
        users.excluded_indptr[first] : users.excluded_indptr[last + 1]
    ]
    mask[torch.from_numpy(rows), torch.from_numpy(columns.astype(np.int64))] = True
    return mask


def _knn_scores(
    knn: ItemKnnModel, users: EvaluationUsers, candidates: torch.Tensor
) -> tuple[torch.Tensor, torch.Tensor]:
    """Return the item-kNN scores of the candidates from the whole history
    and from its last `RECENT_HISTORY` items."""
    whole, recent = [], []
    for start in range(0, len(users), USER_BATCH):
        end = min(start + USER_BATCH, len(users))
        rows = candidates[start:end]
        histories = users.histories[start:end]
        whole.append(torch.gather(knn.score(histories), 1, rows))
        latest = [history[-RECENT_HISTORY:] for history in histories]
        recent.append(torch.gather(knn.score(latest), 1, rows))
    if not whole:
        empty = torch.zeros(candidates.shape, dtype=torch.float32)
        return empty, empty
    return torch.cat(whole), torch.cat(recent)


def _category_affinity(
    history_log: InteractionLog, users: EvaluationUsers, candidates: torch.Tensor
) -> torch.Tensor:
    """Return the share of each user's history in each candidate's category.

    Items with an unknown category ("") never match.
    """
    names = history_log.items.categories
    vocabulary = {name: index for index, name in enumerate(sorted(set(names)))}
    category = torch.tensor([vocabulary[name] for name in names], dtype=torch.int64)
    known = torch.tensor([name != "" for name in names], dtype=torch.bool)
    shares = torch.zeros((len(users), len(vocabulary)), dtype=torch.float32)
    for row, history in enumerate(users.histories):
        if history:
            items = torch.tensor(history, dtype=torch.int64)
            items = items[known[items]]
            shares[row].index_add_(
                0, category[items], torch.full((len(items),), 1.0 / len(history))
            )
    affinity = torch.gather(shares, 1, category[candidates])
    return torch.where(known[candidates], affinity, 0.0)


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
    """Score every item by the linear blend, -inf outside the candidates."""
    return _candidate_score_function(features, features.blend(weights), item_count)


@dataclass
class BlendModel:
    """A small network that scores each candidate from its features.

    Args:
        network: maps float32 [..., len(FEATURES)] features to [..., 1].
        valid_ndcg: NDCG@20 of the candidates it ranked on the validation
            users it was fitted on.
    """

    network: torch.nn.Module
    valid_ndcg: float

    @torch.no_grad()
    def score(self, features: CandidateFeatures) -> torch.Tensor:
        """Return the scores [users, C], with -inf in invalid slots."""
        scores = torch.cat(
            [
                self.network(
                    features.features[:, start : start + USER_BATCH].permute(1, 2, 0)
                ).squeeze(-1)
                for start in range(0, features.candidates.shape[0], USER_BATCH)
            ]
            or [torch.zeros((0, features.candidates.shape[1]))]
        )
        return torch.where(features.valid, scores, -torch.inf)


def fit_blend_model(
    features: CandidateFeatures,
    users: EvaluationUsers,
    hidden: int = BLEND_HIDDEN,
    weight_decay: float = BLEND_WEIGHT_DECAY,
    seed: int = 0,
) -> BlendModel:
    """Fit a one-hidden-layer network on the candidates of `users`.

    The loss is listwise: the softmax cross-entropy of each user's relevant
    candidates against all of the user's candidates, plus `weight_decay`
    times the squared weights. Users without a relevant candidate carry no
    signal and are left out. L-BFGS runs for at most `BLEND_STEPS`
    iterations from a start that `seed` fixes.
    """
    if hidden < 1:
        raise ValueError(f"fit_blend_model: hidden must be at least 1, got {hidden}.")
    if not weight_decay >= 0.0:
        raise ValueError(
            f"fit_blend_model: weight_decay must be 0 or more, got {weight_decay!r}."
        )
    # A forked generator keeps the seed from changing the global random
    # state that later training steps draw from.
    with torch.random.fork_rng():
        torch.manual_seed(seed)
        network = torch.nn.Sequential(
            torch.nn.Linear(len(FEATURES), hidden),
            torch.nn.Tanh(),
            torch.nn.Linear(hidden, 1),
        )

    relevant = _relevant_candidates(features.candidates, users) & features.valid
    rows = relevant.any(dim=1)
    inputs = features.features[:, rows].permute(1, 2, 0)
    valid = features.valid[rows]
    targets = relevant[rows].to(torch.float32)
    optimizer = torch.optim.LBFGS(
        network.parameters(), max_iter=BLEND_STEPS, line_search_fn="strong_wolfe"
    )

    def closure() -> torch.Tensor:
        optimizer.zero_grad()
        scores = network(inputs).squeeze(-1).masked_fill(~valid, -1e9)
        log_shares = torch.log_softmax(scores, dim=1)
        loss = -(log_shares * targets).sum() / targets.sum().clamp(min=1.0)
        penalty = sum(parameter.pow(2).sum() for parameter in network.parameters())
        loss = loss + weight_decay * penalty
        loss.backward()
        return loss

    if bool(rows.any()):
        optimizer.step(closure)
    model = BlendModel(network=network, valid_ndcg=0.0)
    model.valid_ndcg = _candidate_ndcg(model.score(features), features, users)
    logger.info("Blend network fitted: valid ndcg@20 %.4f", model.valid_ndcg)
    return model


def blend_model_score_function(
    features: CandidateFeatures, model: BlendModel, item_count: int
) -> ScoreFunction:
    """Score every item by `model`, with -inf outside the candidates."""
    return _candidate_score_function(features, model.score(features), item_count)


def _candidate_score_function(
    features: CandidateFeatures, candidate_scores: torch.Tensor, item_count: int
) -> ScoreFunction:
    def score(positions: np.ndarray) -> torch.Tensor:
        rows = torch.from_numpy(positions)
        scores = torch.full((len(positions), item_count), -torch.inf)
        scores.scatter_(1, features.candidates[rows], candidate_scores[rows])
        return scores

    return score


def _candidate_ndcg(
    scores: torch.Tensor, features: CandidateFeatures, users: EvaluationUsers
) -> float:
    """Return the mean NDCG@20 of ranking the candidates by `scores`."""
    relevant = _relevant_candidates(features.candidates, users)
    cutoff = min(SELECTION_CUTOFF, features.candidates.shape[1])
    top = torch.topk(scores, cutoff, dim=1).indices
    hits = torch.gather(relevant, 1, top)
    return float(ndcg_at_k(hits, users.relevant_counts(), SELECTION_CUTOFF).mean())


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
