"""Command line for the offline evaluation, without Django.

Run `python -m recommender.ml.evaluate --data-dir DIR`; `--help` lists the
options. The Django command `python manage.py evaluate` takes the same ones.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from collections.abc import Sequence
from pathlib import Path

import torch

from recommender.ml.evaluation import (
    SPLIT_CHOICES,
    EvaluationSettings,
    format_report,
    run_evaluation,
)
from recommender.ml.two_tower import TwoTowerConfig

BOTH_SPLITS = "both"
DEFAULTS = TwoTowerConfig()


def add_evaluation_arguments(
    parser: argparse.ArgumentParser, default_data_dir: Path | None
) -> None:
    """Add the evaluation options to `parser` (also used by manage.py)."""
    parser.add_argument(
        "--data-dir",
        type=Path,
        default=default_data_dir,
        required=default_data_dir is None,
        help=(
            "Directory with the benchmark files *.train.csv, *.valid.csv, "
            "*.test.csv and meta_*.jsonl, plain or gzipped"
            + (f" (default: {default_data_dir})." if default_data_dir else ".")
        ),
    )
    parser.add_argument(
        "--split",
        choices=[*SPLIT_CHOICES, BOTH_SPLITS],
        default=BOTH_SPLITS,
        help=(
            "Split to evaluate: the files' global time split, leave-last-out "
            "per user, or both (default: both)."
        ),
    )
    parser.add_argument(
        "--epochs",
        type=int,
        default=DEFAULTS.epochs,
        help=(
            "Maximum Two-Tower training epochs; the best epoch is chosen on "
            f"the valid file (default: {DEFAULTS.epochs})."
        ),
    )
    parser.add_argument(
        "--seed",
        type=int,
        default=DEFAULTS.seed,
        help=(
            "Seed of the Two-Tower weight initialization and example "
            f"sampling (default: {DEFAULTS.seed})."
        ),
    )
    parser.add_argument(
        "--threads",
        type=int,
        default=DEFAULTS.threads,
        help=(
            f"Torch CPU threads for training and ranking (default: {DEFAULTS.threads})."
        ),
    )
    parser.add_argument(
        "--recent-days",
        type=float,
        default=EvaluationSettings.recent_days,
        help=(
            "Window of the recent popularity baseline, in days before the "
            f"last train or valid event (default: "
            f"{EvaluationSettings.recent_days:g})."
        ),
    )
    parser.add_argument(
        "--no-retrain",
        action="store_true",
        help=(
            "Rank the test users with the model trained on train alone "
            "instead of retraining on train + valid with the chosen epochs."
        ),
    )
    parser.add_argument(
        "--output",
        type=Path,
        default=None,
        help="Also write the full results to this JSON file.",
    )


def evaluate_from_arguments(options: argparse.Namespace) -> str:
    """Run the evaluation that `options` describe and return the table."""
    if options.epochs < 1:
        raise ValueError(f"--epochs must be at least 1, got {options.epochs}.")
    if options.threads < 1:
        raise ValueError(f"--threads must be at least 1, got {options.threads}.")
    splits = SPLIT_CHOICES if options.split == BOTH_SPLITS else (options.split,)
    config = TwoTowerConfig(
        epochs=options.epochs, seed=options.seed, threads=options.threads
    )
    settings = EvaluationSettings(
        recent_days=options.recent_days, retrain=not options.no_retrain
    )
    # Ranking runs outside training, which sets its own thread count.
    torch.set_num_threads(options.threads)
    report = run_evaluation(Path(options.data_dir), splits, config, settings)
    if options.output is not None:
        output = Path(options.output)
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(json.dumps(report, indent=2))
    return format_report(report)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m recommender.ml.evaluate",
        description=(
            "Train and evaluate the Two-Tower model against popularity "
            "baselines on benchmark files, ranking all items."
        ),
    )
    add_evaluation_arguments(parser, default_data_dir=None)
    options = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    try:
        table = evaluate_from_arguments(options)
    except (FileNotFoundError, ValueError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    print(table)
    return 0


if __name__ == "__main__":
    sys.exit(main())
