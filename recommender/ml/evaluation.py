"""Offline evaluation: Two-Tower against popularity baselines.

For each split, every model ranks all items of the catalog for every user
with a test event, leaving out the items the user rated in train or valid.
Popularity counts, the head/tail split and the users' histories all come
from train + valid, which is what is known before the test events.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import torch

from recommender.ml.benchmark_files import (
    find_benchmark_files,
    read_benchmark_directory,
)
from recommender.ml.metrics import head_item_mask
from recommender.ml.popularity import interaction_counts, rank_scores, recent_counts
from recommender.ml.ranking import (
    BEYOND_ACCURACY_CUTOFF,
    CUTOFFS,
    EvaluationUsers,
    build_evaluation_users,
    rank_top_k,
    ranking_metrics,
)
from recommender.ml.splits import (
    LEAVE_LAST_OUT_SPLIT,
    TIME_SPLIT,
    Split,
    concatenate,
    leave_last_out_split,
    time_split,
)
from recommender.ml.two_tower import TwoTowerConfig, train_two_tower
from recommender.ml.two_tower.scoring import two_tower_score_function

logger = logging.getLogger(__name__)

SPLIT_CHOICES = (TIME_SPLIT, LEAVE_LAST_OUT_SPLIT)
POPULARITY = "popularity"
RECENT_POPULARITY = "popularity-recent"
TWO_TOWER = "two-tower"
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
        recent_days: window of the recent popularity baseline, in days
            before the last train or valid event.
        retrain: train the Two-Tower again on train + valid, for the
            epoch count chosen on valid, before ranking the test users.
            When false, the model trained on train alone ranks them.
    """

    head_share: float = 0.8
    recent_days: float = 30.0
    retrain: bool = True

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


def run_evaluation(
    data_dir: Path,
    split_names: tuple[str, ...],
    config: TwoTowerConfig,
    settings: EvaluationSettings,
) -> dict[str, Any]:
    """Read a benchmark directory and evaluate every model on each split."""
    started = time.perf_counter()
    for name in split_names:
        if name not in SPLIT_CHOICES:
            raise ValueError(
                f"Unknown split {name!r}; use one of {', '.join(SPLIT_CHOICES)}."
            )
    files, _ = find_benchmark_files(data_dir)
    data = read_benchmark_directory(data_dir)
    splits = [
        time_split(data) if name == TIME_SPLIT else leave_last_out_split(data.log)
        for name in split_names
    ]
    # Every split is checked before the first one trains, so an unusable
    # split fails in seconds rather than after another split's training.
    for split in splits:
        check_split_events(split, data_dir, files)
    results = [evaluate_split(split, config, settings) for split in splits]
    return {
        "data_dir": str(data_dir),
        "events": len(data.log),
        "users": len(data.log.user_ids),
        "items": len(data.log.item_ids),
        "config": config.to_state(),
        "settings": {
            "head_share": settings.head_share,
            "recent_days": settings.recent_days,
            "retrain": settings.retrain,
        },
        "splits": results,
        "seconds": time.perf_counter() - started,
    }


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
    """Evaluate the popularity baselines and the Two-Tower on one split."""
    started = time.perf_counter()
    known = concatenate(split.train, split.valid)
    users = build_evaluation_users(known, split.test)
    counts = interaction_counts(known)
    is_head = head_item_mask(counts, settings.head_share)
    recent = recent_counts(known, settings.recent_days)
    logger.info(
        "Split %s: %d train, %d valid, %d test events; %d test users",
        split.name,
        len(split.train),
        len(split.valid),
        len(split.test),
        len(users),
    )

    def measure(top_items: torch.Tensor) -> dict[str, float]:
        return ranking_metrics(
            top_items, users, interaction_counts=counts, is_tail=~is_head
        )

    all_time = torch.from_numpy(rank_scores(counts))
    models = {
        POPULARITY: measure(_rank_constant(all_time, users)),
        # Ties in the recent counts are broken by all-time counts.
        RECENT_POPULARITY: measure(
            _rank_constant(torch.from_numpy(rank_scores(recent, counts)), users)
        ),
    }

    selection = train_two_tower(split.train, config, split.valid)
    final = selection
    if settings.retrain:
        final = train_two_tower(
            known, replace(config, epochs=max(selection.best_epoch, 1))
        )
    score = two_tower_score_function(final.model, known, users.histories, all_time)
    models[TWO_TOWER] = measure(rank_top_k(score, users, max(CUTOFFS)))

    model_index = final.model.index_of(known.item_ids)
    without_history = sum(
        1 for history in users.histories if not (model_index[history] >= 0).any()
    )
    train_seconds = selection.seconds
    if final is not selection:
        train_seconds += final.seconds
    return {
        "split": split.name,
        "time_respecting": split.time_respecting,
        "events": {
            "train": len(split.train),
            "valid": len(split.valid),
            "test": len(split.test),
        },
        "test_users": len(users),
        "head_items": int(is_head.sum()),
        "items": len(is_head),
        "models": models,
        "two_tower": {
            "best_epoch": selection.best_epoch,
            "epoch_losses": selection.epoch_losses,
            "valid_metrics": selection.valid_metrics,
            "retrained_on_train_valid": settings.retrain,
            "test_users_without_history": without_history,
            "train_seconds": train_seconds,
        },
        "seconds": time.perf_counter() - started,
    }


def _rank_constant(scores: torch.Tensor, users: EvaluationUsers) -> torch.Tensor:
    return rank_top_k(lambda rows: scores.expand(len(rows), -1), users, max(CUTOFFS))


def format_report(report: dict[str, Any]) -> str:
    """Render a report of `run_evaluation` as plain-text tables."""
    settings = report["settings"]
    k = BEYOND_ACCURACY_CUTOFF
    accuracy = [
        f"{name}@{cutoff}" for name in ("recall", "ndcg", "mrr") for cutoff in CUTOFFS
    ]
    beyond = [f"coverage@{k}", f"tail_share@{k}", f"average_popularity@{k}"]
    accuracy_rows = []
    beyond_rows = []
    for result in report["splits"]:
        for model, metrics in result["models"].items():
            accuracy_rows.append(
                [result["split"], model, *(f"{metrics[n]:.4f}" for n in accuracy)]
            )
            beyond_rows.append(
                [
                    result["split"],
                    model,
                    f"{metrics[beyond[0]]:.4f}",
                    f"{metrics[beyond[1]]:.4f}",
                    f"{metrics[beyond[2]]:.1f}",
                ]
            )

    lines = [
        f"Data: {report['data_dir']} ({report['events']} events, "
        f"{report['users']} users, {report['items']} items).",
        "Every model ranks all items; items a user rated in train or valid are "
        "left out.",
        "",
        _table(["split", "model", *accuracy], accuracy_rows),
        "",
        _table(["split", "model", *beyond], beyond_rows),
        "",
        f"Tail items: all but the most popular items that have "
        f"{settings['head_share']:.0%} of train + valid events. "
        f"popularity-recent counts the last {settings['recent_days']:g} days "
        "of train + valid.",
    ]
    for result in report["splits"]:
        two_tower = result["two_tower"]
        retrained = "yes" if two_tower["retrained_on_train_valid"] else "no"
        lines.append(
            f"{result['split']}: {result['test_users']} test users, "
            f"{two_tower['test_users_without_history']} of them without history "
            f"(ranked by popularity); {result['head_items']} of "
            f"{result['items']} items are head. Two-Tower: best epoch "
            f"{two_tower['best_epoch']} on valid, retrained on train + valid: "
            f"{retrained}, training {two_tower['train_seconds']:.0f} s."
        )
    lines.append(f"Wall time: {report['seconds']:.0f} s.")
    return "\n".join(lines)


def _table(header: list[str], rows: list[list[str]]) -> str:
    """Align columns: the first two to the left, numbers to the right."""
    widths = [
        max(len(row[column]) for row in [header, *rows])
        for column in range(len(header))
    ]
    lines = []
    for row in [header, *rows]:
        cells = [
            cell.ljust(width) if column < 2 else cell.rjust(width)
            for column, (cell, width) in enumerate(zip(row, widths, strict=True))
        ]
        lines.append("  ".join(cells).rstrip())
    return "\n".join(lines)
