"""Fit, tune and rank each model of the offline evaluation on one split.

Every function here follows the same protocol: choose settings with a fit
on train scored on the valid users, refit on train + valid with them (when
`retrain` is set), then rank the test users. Users with an empty history
get the all-time popularity ranking in every learned model.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

import numpy as np
import torch

from recommender.ml.blend import (
    blend_model_score_function,
    build_candidate_features,
    fit_blend_model,
)
from recommender.ml.bpr import BprConfig, bpr_score_function, train_bpr
from recommender.ml.data import InteractionLog
from recommender.ml.gnn import GnnConfig, GnnModel, train_gnn
from recommender.ml.gnn.graph import check_held_out_edges, held_out_pairs
from recommender.ml.item_knn import (
    ItemKnnConfig,
    count_co_ratings,
    fit_item_knn,
    item_knn_score_function,
)
from recommender.ml.lightgcn import (
    LightGcnConfig,
    lightgcn_score_function,
    train_lightgcn,
)
from recommender.ml.metrics import head_item_mask, hit_matrix
from recommender.ml.popularity import (
    ItemTimeline,
    interaction_counts,
    popularity_ranking_scores,
    rank_scores,
)
from recommender.ml.ranking import (
    BEYOND_ACCURACY_CUTOFF,
    CUTOFFS,
    EvaluationUsers,
    ScoreFunction,
    build_evaluation_users,
    rank_top_k,
    ranking_metrics,
    with_fallback,
)
from recommender.ml.splits import Split, concatenate
from recommender.ml.two_tower import TwoTowerConfig, TwoTowerModel, train_two_tower
from recommender.ml.two_tower.scoring import two_tower_score_function

if TYPE_CHECKING:
    from recommender.ml.evaluation import EvaluationSettings

logger = logging.getLogger(__name__)

POPULARITY = "popularity"
RECENT_POPULARITY = "popularity-recent"
ITEM_KNN = "item-knn"
BPR = "bpr"
LIGHTGCN = "lightgcn"
TWO_TOWER = "two-tower"
GNN = "gnn"
PIPELINE = "pipeline"

# Candidate windows of the recent popularity, in days.
RECENT_WINDOWS = (7.0, 14.0, 30.0, 60.0, 90.0, 180.0, 365.0)
KNN_NEIGHBOURS = (20, 50, 200, 500)
KNN_SHRINKAGES = (0.0, 20.0, 100.0, 300.0, 1000.0)
BPR_REGULARIZATIONS = (1e-3, 1e-2, 3e-2)
LIGHTGCN_REGULARIZATIONS = (1e-4, 1e-3)
SELECTION_METRIC = "ndcg@20"
COLD_USERS_RECALL = "recall@20_cold_users"
NEW_ITEMS_RECALL = "recall@20_new_items"


@dataclass
class EvaluationContext:
    """Everything one split's models share: users, counts and fallbacks.

    `users` are the test users with train + valid histories, and
    `valid_users` the valid users with train histories. `fallback` and
    `valid_fallback` are the all-time popularity rankings for users with
    an empty history, from train + valid and from train.
    """

    split: Split
    known: InteractionLog
    users: EvaluationUsers
    valid_users: EvaluationUsers
    counts: np.ndarray
    is_head: np.ndarray
    fallback: torch.Tensor
    valid_fallback: torch.Tensor
    cold_user_mask: torch.Tensor
    new_item_mask: np.ndarray

    @classmethod
    def build(cls, split: Split, head_share: float) -> EvaluationContext:
        known = concatenate(split.train, split.valid)
        per_user_time = not split.time_respecting
        users = build_evaluation_users(known, split.test, per_user_time)
        counts = interaction_counts(known)
        return cls(
            split=split,
            known=known,
            users=users,
            valid_users=build_evaluation_users(split.train, split.valid, per_user_time),
            counts=counts,
            is_head=head_item_mask(counts, head_share),
            fallback=torch.from_numpy(rank_scores(counts)),
            valid_fallback=torch.from_numpy(
                rank_scores(interaction_counts(split.train))
            ),
            cold_user_mask=torch.tensor([not h for h in users.histories]),
            new_item_mask=counts == 0,
        )

    @property
    def cold_users(self) -> int:
        return int(self.cold_user_mask.sum())

    @property
    def new_test_items(self) -> int:
        """Distinct relevant (user, item) pairs whose item is new in test."""
        return int(self.new_item_mask[self.users.relevant_indices].sum())

    @property
    def cold_start_metrics(self) -> dict[str, int]:
        return {
            "test_users_without_history": self.cold_users,
            "relevant_pairs_with_new_items": self.new_test_items,
        }

    def measure(self, top_items: torch.Tensor) -> dict[str, float]:
        """Compute the test metrics of `top_items`, with cold-start recall."""
        metrics = ranking_metrics(
            top_items, self.users, interaction_counts=self.counts, is_tail=~self.is_head
        )
        k = BEYOND_ACCURACY_CUTOFF
        hits = hit_matrix(
            top_items,
            self.users.relevant_indptr,
            self.users.relevant_indices,
            self.users.item_count,
        )[:, :k]
        relevant = self.users.relevant_counts().to(torch.float64)
        recall = hits.sum(dim=1).to(torch.float64) / relevant.clamp(min=1.0)
        metrics[COLD_USERS_RECALL] = (
            float(recall[self.cold_user_mask].mean()) if self.cold_users else 0.0
        )
        new_found = torch.from_numpy(self.new_item_mask)[top_items[:, :k]] & hits
        metrics[NEW_ITEMS_RECALL] = (
            float(new_found.sum()) / self.new_test_items if self.new_test_items else 0.0
        )
        return metrics

    def rank(
        self, score: ScoreFunction, fallback: torch.Tensor | None = None
    ) -> torch.Tensor:
        """Rank the test users, `fallback` for those without history.

        The fallback defaults to all-time popularity. Pass `score` itself
        as a model's own ranking for everyone with `rank_as_is`.
        """
        scores = self.fallback if fallback is None else fallback
        return rank_top_k(
            with_fallback(score, self.users, scores), self.users, max(CUTOFFS)
        )

    def rank_as_is(self, score: ScoreFunction) -> torch.Tensor:
        """Rank the test users with `score` alone, history or not."""
        return rank_top_k(score, self.users, max(CUTOFFS))

    def valid_score(self, score: ScoreFunction, fallback: bool = True) -> float:
        """Return the selection metric of `score` on the valid users.

        With `fallback`, valid users without history get the all-time
        popularity of train, as in `rank`.
        """
        if fallback:
            score = with_fallback(score, self.valid_users, self.valid_fallback)
        top = rank_top_k(score, self.valid_users, max(CUTOFFS))
        counts = interaction_counts(self.split.train)
        metrics = ranking_metrics(
            top,
            self.valid_users,
            interaction_counts=counts,
            is_tail=~head_item_mask(counts, 0.8),
        )
        return metrics[SELECTION_METRIC]


def evaluate_baselines(
    context: EvaluationContext,
    settings: EvaluationSettings,
    runs: dict[str, list[dict[str, float]]],
    selection: dict[str, Any],
) -> None:
    """Evaluate the models that need no seed: popularity and item-kNN."""
    chosen_days = choose_recent_window(context)
    selection[RECENT_POPULARITY] = {"window_days": chosen_days}
    if POPULARITY in settings.models:
        runs[POPULARITY] = [
            context.measure(
                context.rank_as_is(_constant_scores(context.fallback, context.users))
            )
        ]
    known_timeline = ItemTimeline(context.known)
    if RECENT_POPULARITY in settings.models:
        score = popularity_score_function(known_timeline, context.users, chosen_days)
        runs[RECENT_POPULARITY] = [context.measure(context.rank_as_is(score))]
        fixed = popularity_score_function(
            known_timeline, context.users, settings.recent_days
        )
        runs[settings.fixed_window_name] = [context.measure(context.rank_as_is(fixed))]
    if ITEM_KNN in settings.models:
        config, valid_ndcg = choose_item_knn(context)
        selection[ITEM_KNN] = {
            "neighbours": config.neighbours,
            "shrinkage": config.shrinkage,
            "valid_ndcg@20": valid_ndcg,
        }
        fitted = context.known if settings.retrain else context.split.train
        model = fit_item_knn(fitted, config)
        runs[ITEM_KNN] = [
            context.measure(
                context.rank(item_knn_score_function(model, context.users.histories))
            )
        ]


def choose_recent_window(context: EvaluationContext) -> float:
    """Pick the recent-popularity window with the best valid NDCG@20."""
    timeline = ItemTimeline(context.split.train)
    scores = {
        days: context.valid_score(
            popularity_score_function(timeline, context.valid_users, days),
            fallback=False,
        )
        for days in RECENT_WINDOWS
    }
    best = max(RECENT_WINDOWS, key=lambda days: (scores[days], -days))
    logger.info("Recent popularity windows on valid: %s; chosen %g", scores, best)
    return best


def choose_item_knn(context: EvaluationContext) -> tuple[ItemKnnConfig, float]:
    """Pick item-kNN's neighbourhood size and shrinkage on valid."""
    co_ratings = count_co_ratings(context.split.train)
    best: tuple[float, ItemKnnConfig] | None = None
    for neighbours in KNN_NEIGHBOURS:
        for shrinkage in KNN_SHRINKAGES:
            config = ItemKnnConfig(neighbours=neighbours, shrinkage=shrinkage)
            model = fit_item_knn(context.split.train, config, co_ratings)
            score = context.valid_score(
                item_knn_score_function(model, context.valid_users.histories)
            )
            if best is None or score > best[0]:
                best = (score, config)
    assert best is not None
    logger.info("Item-kNN on valid: %s, ndcg@20 %.4f", best[1], best[0])
    return best[1], best[0]


def popularity_score_function(
    timeline: ItemTimeline, users: EvaluationUsers, days: float | None
) -> ScoreFunction:
    """Rank items by their count as of each user's prediction moment.

    With `days`, only the events of the `days` days up to the moment
    count, and ties are broken by the count of all earlier events. Without
    `days`, all earlier events count.
    """
    cache: dict[int, torch.Tensor] = {}

    def scores_at(moment: int) -> torch.Tensor:
        if moment not in cache:
            if len(cache) > 64:
                cache.clear()
            cache[moment] = torch.from_numpy(
                popularity_ranking_scores(timeline, moment, days)
            )
        return cache[moment]

    def score(positions: np.ndarray) -> torch.Tensor:
        moments = users.prediction_ms[positions].tolist()
        return torch.stack([scores_at(int(moment)) for moment in moments])

    return score


def evaluate_seeded_models(
    context: EvaluationContext,
    config: TwoTowerConfig,
    settings: EvaluationSettings,
    seed: int,
    runs: dict[str, list[dict[str, float]]],
    selection: dict[str, Any],
) -> None:
    """Evaluate BPR, LightGCN, the Two-Tower, the GNN and the pipeline."""
    models = settings.models
    if BPR in models:
        metrics, chosen = _evaluate_bpr(context, config, settings, seed)
        runs.setdefault(BPR, []).append(metrics)
        selection.setdefault(BPR, []).append(chosen)
    if LIGHTGCN in models:
        metrics, chosen = _evaluate_lightgcn(context, config, settings, seed)
        runs.setdefault(LIGHTGCN, []).append(metrics)
        selection.setdefault(LIGHTGCN, []).append(chosen)
    if not {TWO_TOWER, GNN, PIPELINE} & set(models):
        return

    tower_config = replace(config, seed=seed)
    towers = _fit_two_tower(context, tower_config, settings.retrain)
    selection.setdefault(TWO_TOWER, []).append(towers.summary)
    if TWO_TOWER in models:
        score = two_tower_score_function(
            towers.final, context.known, context.users.histories, context.fallback
        )
        runs.setdefault(TWO_TOWER, []).append(context.measure(context.rank(score)))
    if not {GNN, PIPELINE} & set(models):
        return

    gnn_config = GnnConfig(epochs=settings.gnn_steps, seed=seed, threads=config.threads)
    graphs = _fit_gnn(context, gnn_config, settings.retrain)
    selection.setdefault(GNN, []).append(graphs.summary)
    if GNN in models:
        runs.setdefault(GNN, []).append(
            context.measure(context.rank(_gnn_score_function(graphs.final, context)))
        )
    if PIPELINE in models:
        metrics, chosen = _evaluate_pipeline(context, towers, graphs, selection)
        runs.setdefault(PIPELINE, []).append(metrics)
        selection.setdefault(PIPELINE, []).append(chosen)


@dataclass
class _Fitted:
    """A model fitted on train (`selected`) and its refit (`final`)."""

    selected: Any
    final: Any
    summary: dict[str, Any]


def _fit_two_tower(
    context: EvaluationContext, config: TwoTowerConfig, retrain: bool
) -> _Fitted:
    selection = train_two_tower(context.split.train, config, context.split.valid)
    final: TwoTowerModel = selection.model
    seconds = selection.seconds
    if retrain:
        refit = train_two_tower(
            context.known, replace(config, epochs=max(selection.best_epoch, 1))
        )
        final, seconds = refit.model, seconds + refit.seconds
    return _Fitted(
        selected=selection.model,
        final=final,
        summary={
            "seed": config.seed,
            "best_epoch": selection.best_epoch,
            "valid_metrics": selection.valid_metrics,
            "epoch_losses": selection.epoch_losses,
            "train_seconds": seconds,
        },
    )


def _fit_gnn(context: EvaluationContext, config: GnnConfig, retrain: bool) -> _Fitted:
    selection = train_gnn(context.split.train, config, context.split.valid)
    final: GnnModel = selection.model
    seconds = selection.seconds
    if retrain:
        refit = train_gnn(context.known, replace(config, epochs=selection.best_epoch))
        final, seconds = refit.model, seconds + refit.seconds
    # The graph that ranks the test users must hold no test-only pair.
    check_held_out_edges(
        final.graph_edges,
        held_out_pairs(context.known, context.split.test),
        len(context.known.item_ids),
    )
    best = selection.valid_epochs.index(selection.best_epoch)
    return _Fitted(
        selected=selection.model,
        final=final,
        summary={
            "seed": config.seed,
            "best_step": selection.best_epoch,
            "valid_ndcg@20": selection.valid_metrics[best]["ndcg@20"],
            "train_seconds": seconds,
        },
    )


def _gnn_score_function(model: GnnModel, context: EvaluationContext) -> ScoreFunction:
    user_vectors = model.user_vectors(context.users.histories)
    item_vectors = model.item_vectors()

    def score(positions: np.ndarray) -> torch.Tensor:
        return user_vectors[torch.from_numpy(positions)] @ item_vectors.T

    return score


def _evaluate_bpr(
    context: EvaluationContext,
    config: TwoTowerConfig,
    settings: EvaluationSettings,
    seed: int,
) -> tuple[dict[str, float], dict[str, Any]]:
    best = None
    for regularization in BPR_REGULARIZATIONS:
        bpr_config = BprConfig(
            regularization=regularization, seed=seed, threads=config.threads
        )
        result = train_bpr(context.split.train, bpr_config, context.split.valid)
        valid_score = result.valid_metrics[result.best_epoch - 1][SELECTION_METRIC]
        if best is None or valid_score > best[0]:
            best = (valid_score, bpr_config, result)
    assert best is not None
    valid_ndcg, bpr_config, result = best
    model = result.model
    if settings.retrain:
        model = train_bpr(
            context.known, replace(bpr_config, epochs=max(result.best_epoch, 1))
        ).model
    score = bpr_score_function(model, context.users.users)
    chosen = {
        "seed": seed,
        "regularization": bpr_config.regularization,
        "best_epoch": result.best_epoch,
        "valid_ndcg@20": valid_ndcg,
    }
    return context.measure(context.rank(score)), chosen


def _evaluate_lightgcn(
    context: EvaluationContext,
    config: TwoTowerConfig,
    settings: EvaluationSettings,
    seed: int,
) -> tuple[dict[str, float], dict[str, Any]]:
    best = None
    for regularization in LIGHTGCN_REGULARIZATIONS:
        lightgcn_config = LightGcnConfig(
            regularization=regularization, seed=seed, threads=config.threads
        )
        result = train_lightgcn(
            context.split.train, lightgcn_config, context.split.valid
        )
        valid_score = result.valid_metrics[result.best_epoch - 1][SELECTION_METRIC]
        if best is None or valid_score > best[0]:
            best = (valid_score, lightgcn_config, result)
    assert best is not None
    valid_ndcg, lightgcn_config, result = best
    model = result.model
    if settings.retrain:
        model = train_lightgcn(
            context.known, replace(lightgcn_config, epochs=max(result.best_epoch, 1))
        ).model
    score = lightgcn_score_function(model, context.users.users)
    chosen = {
        "seed": seed,
        "regularization": lightgcn_config.regularization,
        "best_epoch": result.best_epoch,
        "valid_ndcg@20": valid_ndcg,
    }
    return context.measure(context.rank(score)), chosen


def _evaluate_pipeline(
    context: EvaluationContext,
    towers: _Fitted,
    graphs: _Fitted,
    selection: dict[str, Any],
) -> tuple[dict[str, float], dict[str, Any]]:
    days = selection[RECENT_POPULARITY]["window_days"]
    valid_retrieval = two_tower_score_function(
        towers.selected,
        context.split.train,
        context.valid_users.histories,
        context.valid_fallback,
    )
    valid_features = build_candidate_features(
        valid_retrieval, graphs.selected, context.split.train, context.valid_users, days
    )
    seed = int(towers.summary["seed"])
    model = fit_blend_model(valid_features, context.valid_users, seed=seed)

    test_retrieval = two_tower_score_function(
        towers.final, context.known, context.users.histories, context.fallback
    )
    test_features = build_candidate_features(
        test_retrieval, graphs.final, context.known, context.users, days
    )
    score = blend_model_score_function(test_features, model, context.users.item_count)
    chosen = {"valid_ndcg@20": model.valid_ndcg, "window_days": days}
    # The pipeline is the time-aware system, so users without history get
    # the recent popularity of its window, as the feed's cold start does.
    recent = popularity_score_function(ItemTimeline(context.known), context.users, days)
    pipeline_scores = _with_score_fallback(score, recent, context.users)
    return context.measure(context.rank_as_is(pipeline_scores)), chosen


def _with_score_fallback(
    score: ScoreFunction, fallback: ScoreFunction, users: EvaluationUsers
) -> ScoreFunction:
    """Score users without history with `fallback`, the others with `score`."""
    empty = torch.tensor([not history for history in users.histories])

    def combined(positions: np.ndarray) -> torch.Tensor:
        rows = empty[torch.from_numpy(positions)].unsqueeze(1)
        return torch.where(rows, fallback(positions), score(positions))

    return combined


def _constant_scores(scores: torch.Tensor, users: EvaluationUsers) -> ScoreFunction:
    return lambda positions: scores.expand(len(positions), -1)
