"""Offline evaluation: baselines, models and the full pipeline.

For each split, every model ranks all items of the catalog for every user
with a test event, leaving out the items the user rated in train or valid.
Popularity counts, the head/tail split and the users' histories all come
from train + valid, which is what is known before the test events.
Hyperparameters (the recent-popularity window, item-kNN's neighbourhood
and shrinkage, the regularization of BPR and LightGCN, the epochs of
every trained model and the pipeline's blend network) are chosen on the
valid file with models fitted on train. Test figures come from a refit
on train + valid with those choices, for every method alike. The trained
models run once per seed.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from recommender.ml.benchmark_files import (
    find_benchmark_files,
    read_benchmark_directory,
)
from recommender.ml.evaluation_models import (
    BPR,
    COLD_USERS_RECALL,
    GNN,
    ITEM_KNN,
    LIGHTGCN,
    NEW_ITEMS_RECALL,
    PIPELINE,
    POPULARITY,
    RECENT_POPULARITY,
    TWO_TOWER,
    EvaluationContext,
    evaluate_baselines,
    evaluate_seeded_models,
)
from recommender.ml.ranking import BEYOND_ACCURACY_CUTOFF, CUTOFFS
from recommender.ml.splits import (
    FILES_SPLIT,
    LEAVE_LAST_OUT_SPLIT,
    TIME_SPLIT,
    Split,
    files_split,
    leave_last_out_split,
    time_split,
)
from recommender.ml.statistics import summarize_runs
from recommender.ml.two_tower import TwoTowerConfig

logger = logging.getLogger(__name__)

SPLIT_CHOICES = (TIME_SPLIT, LEAVE_LAST_OUT_SPLIT, FILES_SPLIT)
MODEL_CHOICES = (
    POPULARITY,
    RECENT_POPULARITY,
    ITEM_KNN,
    BPR,
    LIGHTGCN,
    TWO_TOWER,
    GNN,
    PIPELINE,
)
# Models whose figures depend on the seed.
SEEDED_MODELS = (BPR, LIGHTGCN, TWO_TOWER, GNN, PIPELINE)
SPLIT_PARTS = ("train", "valid", "test")
# About 2,700 years. The cap keeps the window's length in milliseconds a
# finite float. Any window longer than the data's time span counts every
# event, like the all-time baseline.
MAX_RECENT_DAYS = 1_000_000


@dataclass(frozen=True)
class EvaluationSettings:
    """What one evaluation run measures.

    Args:
        head_share: share of train + valid events held by the head items;
            every other item is tail.
        recent_days: window, in days, of the fixed-window popularity row
            (`popularity-<days>d`). The `popularity-recent` row and the
            pipeline use the window chosen on valid instead.
        retrain: refit every model on train + valid, with the settings
            chosen on valid, before ranking the test users. When false,
            the models fitted on train alone rank them.
        seeds: seeds of the trained models; each runs once per seed.
        models: names of the models to evaluate, from `MODEL_CHOICES`.
            The pipeline needs the Two-Tower and the GNN, so it trains
            them even when they are not listed.
        gnn_steps: maximum GNN training steps; the best is chosen on
            valid.
    """

    head_share: float = 0.8
    recent_days: float = 30.0
    retrain: bool = True
    seeds: tuple[int, ...] = (0,)
    models: tuple[str, ...] = field(default=MODEL_CHOICES)
    gnn_steps: int = 200

    def __post_init__(self) -> None:
        if not 0.0 < self.head_share <= 1.0:
            raise ValueError(
                "EvaluationSettings.head_share must be in (0, 1], got "
                f"{self.head_share!r}."
            )
        if not 0.0 < self.recent_days <= MAX_RECENT_DAYS:
            raise ValueError(
                "EvaluationSettings.recent_days must be a number of days above "
                f"0 and at most {MAX_RECENT_DAYS:,}, got {self.recent_days!r}."
            )
        if not self.seeds:
            raise ValueError("EvaluationSettings.seeds must name at least one seed.")
        unknown = [name for name in self.models if name not in MODEL_CHOICES]
        if unknown or not self.models:
            raise ValueError(
                f"EvaluationSettings.models has unknown or no model names "
                f"{unknown or list(self.models)}; use names from "
                f"{', '.join(MODEL_CHOICES)}."
            )
        if self.gnn_steps < 1:
            raise ValueError(
                "EvaluationSettings.gnn_steps must be at least 1, got "
                f"{self.gnn_steps}."
            )

    @property
    def fixed_window_name(self) -> str:
        """Return the row name of the fixed-window popularity baseline."""
        return f"popularity-{self.recent_days:g}d"


def run_evaluation(
    data_dirs: Path | Sequence[Path],
    split_names: tuple[str, ...],
    config: TwoTowerConfig,
    settings: EvaluationSettings,
) -> dict[str, Any]:
    """Read benchmark directories and evaluate every model on each split."""
    started = time.perf_counter()
    directories = [data_dirs] if isinstance(data_dirs, Path) else list(data_dirs)
    for name in split_names:
        if name not in SPLIT_CHOICES:
            raise ValueError(
                f"Unknown split {name!r}; use one of {', '.join(SPLIT_CHOICES)}."
            )
    datasets = []
    for directory in directories:
        files, _ = find_benchmark_files(directory)
        data = read_benchmark_directory(directory)
        splits = [_make_split(name, data) for name in split_names]
        # Every split is checked before the first one trains, so an unusable
        # split fails in seconds rather than after another split's training.
        for split in splits:
            check_split_events(split, directory, files)
        datasets.append((directory, files, data, splits))

    results = []
    for directory, files, data, splits in datasets:
        for split in splits:
            result = evaluate_split(split, config, settings)
            result["data_dir"] = str(directory)
            result["dataset"] = files["train"].name.split(".")[0]
            result["catalog"] = {
                "events": len(data.log),
                "users": len(data.log.user_ids),
                "items": len(data.log.item_ids),
            }
            results.append(result)
    return {
        "data_dirs": [str(directory) for directory in directories],
        "config": config.to_state(),
        "settings": {
            "head_share": settings.head_share,
            "recent_days": settings.recent_days,
            "retrain": settings.retrain,
            "seeds": list(settings.seeds),
            "models": list(settings.models),
            "gnn_steps": settings.gnn_steps,
        },
        "splits": results,
        "seconds": time.perf_counter() - started,
    }


def _make_split(name: str, data: Any) -> Split:
    if name == TIME_SPLIT:
        return time_split(data)
    if name == FILES_SPLIT:
        return files_split(data)
    return leave_last_out_split(data.log)


def check_split_events(
    split: Split, data_dir: Path, files: dict[str, Path] | None = None
) -> None:
    """Raise ValueError unless the train, valid and test parts have events.

    The baselines need train and test events, and the Two-Tower needs valid
    events to choose its epoch count. `files` maps "train", "valid" and
    "test" to the benchmark files, so the message can name them.
    """
    empty = [part for part in SPLIT_PARTS if len(getattr(split, part)) == 0]
    if not empty:
        return
    if split.name == TIME_SPLIT:
        names = [files[part].name if files else f"*.{part}.csv" for part in empty]
        verb = "has" if len(names) == 1 else "have"
        reason = f"{_join_words(names)} {verb} no rows after the header"
    elif "train" in empty:
        reason = "the benchmark files have no rows after their headers"
    elif "test" in empty:
        reason = "no user has two or more distinct events"
    else:
        reason = "no user has three or more distinct events"
    raise ValueError(
        f"No {_join_words(empty, 'or')} events in {data_dir} for the "
        f"{split.name} split: {reason}. Pass a benchmark directory with "
        "train, valid and test events."
    )


def _join_words(words: list[str], conjunction: str = "and") -> str:
    if len(words) == 1:
        return words[0]
    return f"{', '.join(words[:-1])} {conjunction} {words[-1]}"


def evaluate_split(
    split: Split, config: TwoTowerConfig, settings: EvaluationSettings
) -> dict[str, Any]:
    """Evaluate the chosen models on one split, the trained ones per seed."""
    started = time.perf_counter()
    context = EvaluationContext.build(split, settings.head_share)
    logger.info(
        "Split %s: %d train, %d valid, %d test events; %d test users",
        split.name,
        len(split.train),
        len(split.valid),
        len(split.test),
        len(context.users),
    )
    runs: dict[str, list[dict[str, float]]] = {}
    selection: dict[str, Any] = {}
    evaluate_baselines(context, settings, runs, selection)
    for seed in settings.seeds:
        evaluate_seeded_models(context, config, settings, seed, runs, selection)

    models = {}
    intervals = {}
    for name, metric_runs in runs.items():
        models[name], intervals[name] = summarize_runs(metric_runs)
    return {
        "split": split.name,
        "time_respecting": split.time_respecting,
        "events": {
            "train": len(split.train),
            "valid": len(split.valid),
            "test": len(split.test),
        },
        "test_users": len(context.users),
        "test_users_without_history": context.cold_users,
        "test_items_new": context.new_test_items,
        "head_items": int(context.is_head.sum()),
        "items": len(context.is_head),
        "models": models,
        "intervals": intervals,
        "runs": runs,
        "cold_start": context.cold_start_metrics,
        "selection": selection,
        "seconds": time.perf_counter() - started,
    }


def format_report(report: dict[str, Any]) -> str:
    """Render a report of `run_evaluation` as Markdown tables.

    A value of a seeded model reads "mean ± half-width" of its 95%
    interval over the seeds; the other models ran once.
    """
    settings = report["settings"]
    k = BEYOND_ACCURACY_CUTOFF
    accuracy = [
        f"{name}@{cutoff}" for name in ("recall", "ndcg", "mrr") for cutoff in CUTOFFS
    ]
    beyond = [f"coverage@{k}", f"tail_share@{k}", f"average_popularity@{k}"]
    cold = [COLD_USERS_RECALL, NEW_ITEMS_RECALL]
    accuracy_rows = []
    beyond_rows = []
    cold_rows = []
    for result in report["splits"]:
        for model, metrics in result["models"].items():
            intervals = result["intervals"][model]
            label = [result["dataset"], result["split"], model]
            runs = str(len(result["runs"][model]))
            accuracy_rows.append(
                [*label, runs]
                + [_with_interval(metrics, intervals, name) for name in accuracy]
            )
            beyond_rows.append(
                [
                    *label,
                    _with_interval(metrics, intervals, beyond[0]),
                    _with_interval(metrics, intervals, beyond[1]),
                    _with_interval(metrics, intervals, beyond[2], digits=1),
                ]
            )
            cold_rows.append(
                [*label, *(_with_interval(metrics, intervals, name) for name in cold)]
            )

    lines = [
        "Every model ranks all items; items a user rated in train or valid are "
        "left out.",
        "",
        _table(["data", "split", "model", "runs", *accuracy], accuracy_rows),
        "",
        _table(["data", "split", "model", *beyond], beyond_rows),
        "",
        _table(["data", "split", "model", *cold], cold_rows),
        "",
        f"Tail items: all but the most popular items that have "
        f"{settings['head_share']:.0%} of train + valid events. "
        f"{settings['recent_days']:g}d counts the last "
        f"{settings['recent_days']:g} days before the prediction moment.",
        "",
    ]
    for result in report["splits"]:
        lines.append(f"- {_describe_split(result)}")
    lines.append("")
    lines.append(f"Wall time: {report['seconds']:.0f} s.")
    return "\n".join(lines)


def _with_interval(
    metrics: dict[str, float],
    intervals: dict[str, float | None],
    name: str,
    digits: int = 4,
) -> str:
    text = f"{metrics[name]:.{digits}f}"
    half_width = intervals.get(name)
    if half_width is not None:
        text += f" ± {half_width:.{digits}f}"
    return text


def _describe_split(result: dict[str, Any]) -> str:
    """Summarize a split's users and the settings chosen on its valid file."""
    selection = result["selection"]
    parts = [
        f"{result['dataset']} {result['split']}: {result['test_users']} test "
        f"users ({result['test_users_without_history']} without history, "
        f"ranked by popularity), {result['head_items']} of {result['items']} "
        f"items are head, {result['test_items_new']} relevant pairs with an "
        "item new in test",
        f"popularity-recent window {selection[RECENT_POPULARITY]['window_days']:g} "
        "days",
    ]
    if ITEM_KNN in selection:
        knn = selection[ITEM_KNN]
        parts.append(
            f"item-kNN {knn['neighbours']} neighbours, shrinkage {knn['shrinkage']:g}"
        )
    if BPR in selection:
        parts.append(
            "BPR regularization/epochs per seed "
            + ", ".join(
                f"{run['regularization']:g}/{run['best_epoch']}"
                for run in selection[BPR]
            )
        )
    if LIGHTGCN in selection:
        parts.append(
            "LightGCN regularization/epochs per seed "
            + ", ".join(
                f"{run['regularization']:g}/{run['best_epoch']}"
                for run in selection[LIGHTGCN]
            )
        )
    if TWO_TOWER in selection:
        parts.append(
            "Two-Tower epochs per seed "
            + ", ".join(str(run["best_epoch"]) for run in selection[TWO_TOWER])
        )
    if GNN in selection:
        parts.append(
            "GNN steps per seed "
            + ", ".join(str(run["best_step"]) for run in selection[GNN])
        )
    if PIPELINE in selection:
        parts.append(
            "blend network valid ndcg@20 per seed "
            + ", ".join(f"{run['valid_ndcg@20']:.4f}" for run in selection[PIPELINE])
        )
    return "; ".join(parts) + "."


def _table(header: list[str], rows: list[list[str]]) -> str:
    """Render a Markdown table; text columns left, numbers right-aligned."""
    text_columns = 3
    lines = [
        "| " + " | ".join(header) + " |",
        "| "
        + " | ".join(
            "---" if column < text_columns else "---:" for column in range(len(header))
        )
        + " |",
    ]
    for row in rows:
        lines.append("| " + " | ".join(row) + " |")
    return "\n".join(lines)
