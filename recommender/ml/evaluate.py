"""Command line for the offline evaluation, without Django.

Run `python -m recommender.ml.evaluate --data-dir DIR`; `--help` lists the
options. The Django command `python manage.py evaluate` takes the same ones,
and both check them with `parse_evaluation_options` before any work starts.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NoReturn

import torch

from recommender.ml.benchmark_files import find_benchmark_files
from recommender.ml.evaluation import (
    MAX_RECENT_DAYS,
    SPLIT_CHOICES,
    EvaluationSettings,
    format_report,
    run_evaluation,
)
from recommender.ml.two_tower import TwoTowerConfig

BOTH_SPLITS = "both"
DEFAULTS = TwoTowerConfig()
# torch.manual_seed raises for seeds above 2**64 - 1.
MAX_SEED = 2**64 - 1
PROGRAM = "python -m recommender.ml.evaluate"


class OptionError(ValueError):
    """An invalid option value; the message names the option."""


@dataclass(frozen=True)
class EvaluationOptions:
    """Checked and converted options of one evaluation run."""

    data_dir: Path
    split_names: tuple[str, ...]
    config: TwoTowerConfig
    settings: EvaluationSettings
    output: Path | None


def max_threads() -> int:
    """Return the largest accepted `--threads` value: the CPU count."""
    return os.cpu_count() or 1


def add_evaluation_arguments(
    parser: argparse.ArgumentParser, default_data_dir: Path | None
) -> None:
    """Add the evaluation options to `parser` (also used by manage.py).

    Numbers stay strings here, because `parse_evaluation_options` converts
    and checks them for both entry points with the same messages.
    """
    default_threads = min(DEFAULTS.threads, max_threads())
    parser.add_argument(
        "--data-dir",
        type=Path,
        default=default_data_dir,
        required=default_data_dir is None,
        metavar="DIR",
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
        default=DEFAULTS.epochs,
        metavar="N",
        help=(
            "Maximum Two-Tower training epochs, at least 1; the best epoch is "
            f"chosen on the valid file (default: {DEFAULTS.epochs})."
        ),
    )
    parser.add_argument(
        "--seed",
        default=DEFAULTS.seed,
        metavar="N",
        help=(
            "Seed of the Two-Tower weight initialization and example "
            f"sampling, an integer from 0 to 2**64 - 1 (default: {DEFAULTS.seed})."
        ),
    )
    parser.add_argument(
        "--threads",
        default=default_threads,
        metavar="N",
        help=(
            "Torch CPU threads for training and ranking, from 1 to the CPU "
            f"count ({max_threads()} here) (default: {default_threads})."
        ),
    )
    parser.add_argument(
        "--recent-days",
        default=EvaluationSettings.recent_days,
        metavar="DAYS",
        help=(
            "Window of the recent popularity baseline, in days before the "
            "last train or valid event; above 0 and at most "
            f"{MAX_RECENT_DAYS:,} (default: {EvaluationSettings.recent_days:g})."
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
        default=None,
        metavar="FILE",
        help=(
            "Also write the full results to this JSON file, after the table "
            "is printed; its directory must exist."
        ),
    )


def parse_evaluation_options(options: argparse.Namespace) -> EvaluationOptions:
    """Check and convert every evaluation option before any work starts.

    Values may be strings from a command line or typed values, because
    Django's `call_command` passes keyword options without parsing them.
    Raises OptionError, which names the option and the accepted values.
    """
    threads = _parse_integer(
        "--threads",
        options.threads,
        minimum=1,
        maximum=max_threads(),
        maximum_label=f"{max_threads()} (the CPU count)",
    )
    config = TwoTowerConfig(
        epochs=_parse_integer("--epochs", options.epochs, minimum=1),
        seed=_parse_integer("--seed", options.seed, minimum=0, maximum=MAX_SEED),
        threads=threads,
    )
    settings = EvaluationSettings(
        recent_days=_parse_recent_days(options.recent_days),
        retrain=not _parse_flag("--no-retrain", options.no_retrain),
    )
    return EvaluationOptions(
        data_dir=_parse_data_dir(options.data_dir),
        split_names=_parse_split(options.split),
        config=config,
        settings=settings,
        output=_parse_output(options.output),
    )


def evaluate_from_arguments(
    options: argparse.Namespace, show: Callable[[str], Any]
) -> None:
    """Run the evaluation that `options` describe and pass the table to `show`.

    The JSON report is written after `show`, so a failed write still leaves
    the table printed.
    """
    checked = parse_evaluation_options(options)
    # Ranking runs outside training, which sets its own thread count.
    torch.set_num_threads(checked.config.threads)
    report = run_evaluation(
        checked.data_dir, checked.split_names, checked.config, checked.settings
    )
    show(format_report(report))
    if checked.output is not None:
        write_report(report, checked.output)


def write_report(report: dict[str, Any], output: Path) -> None:
    """Write `report` as indented JSON, raising OptionError on failure."""
    try:
        output.write_text(json.dumps(report, indent=2))
    except OSError as error:
        raise OptionError(
            f"failed to write --output {output} ({error.strerror or error}); the "
            "table above is complete, so pass a writable --output path to "
            "keep the JSON report next time."
        ) from error


def _parse_integer(
    option: str,
    value: object,
    *,
    minimum: int,
    maximum: int | None = None,
    maximum_label: str | None = None,
) -> int:
    if maximum is None:
        expected = f"an integer of at least {minimum}"
    else:
        expected = f"an integer from {minimum} to {maximum_label or maximum}"
    number: int | None = None
    if isinstance(value, int) and not isinstance(value, bool):
        number = value
    elif isinstance(value, str):
        try:
            number = int(value.strip())
        except ValueError:
            number = None
    if number is None or number < minimum or (maximum is not None and number > maximum):
        raise OptionError(f"invalid {option} value {value!r}: pass {expected}.")
    return number


def _parse_recent_days(value: object) -> float:
    expected = f"a number of days above 0 and at most {MAX_RECENT_DAYS:,}"
    days: float | None = None
    if isinstance(value, int | float) and not isinstance(value, bool):
        days = float(value)
    elif isinstance(value, str):
        try:
            days = float(value.strip())
        except ValueError:
            days = None
    # The range check is false for NaN and infinity, so both are rejected.
    if days is None or not 0.0 < days <= MAX_RECENT_DAYS:
        raise OptionError(f"invalid --recent-days value {value!r}: pass {expected}.")
    return days


def _parse_flag(option: str, value: object) -> bool:
    if not isinstance(value, bool):
        raise OptionError(f"invalid {option} value {value!r}: pass True or False.")
    return value


def _parse_split(value: object) -> tuple[str, ...]:
    if value == BOTH_SPLITS:
        return SPLIT_CHOICES
    if isinstance(value, str) and value in SPLIT_CHOICES:
        return (value,)
    choices = ", ".join([*SPLIT_CHOICES, BOTH_SPLITS])
    raise OptionError(f"invalid --split value {value!r}: pass one of {choices}.")


def _parse_data_dir(value: object) -> Path:
    if not isinstance(value, str | Path):
        raise OptionError(
            f"invalid --data-dir value {value!r}: pass the directory that "
            "contains the *.train.csv, *.valid.csv and *.test.csv files."
        )
    directory = Path(value)
    try:
        find_benchmark_files(directory)
    except OSError as error:
        raise OptionError(f"invalid --data-dir: {error}") from error
    return directory


def _parse_output(value: object) -> Path | None:
    """Check that the report can be written, before the evaluation runs."""
    if value is None:
        return None
    if not isinstance(value, str | Path) or not str(value):
        raise OptionError(
            f"invalid --output value {value!r}: pass a JSON file path such as "
            "evaluation.json."
        )

    output = Path(value)
    example = output / "evaluation.json"
    if output.is_dir() or str(value).endswith(("/", os.sep)):
        raise OptionError(
            f"invalid --output value {value}: it names a directory; pass a "
            f"file path such as {example}."
        )

    parent = output.parent
    if not parent.exists():
        raise OptionError(
            f"invalid --output value {output}: directory {parent} does not "
            "exist; create it or pass a path in an existing directory."
        )
    if not parent.is_dir():
        raise OptionError(
            f"invalid --output value {output}: {parent} is not a directory; "
            "pass a path in an existing directory."
        )

    if output.exists() and not os.access(output, os.W_OK):
        raise OptionError(
            f"invalid --output value {output}: the file is not writable; change "
            "its permissions or pass another path."
        )
    if not output.exists() and not os.access(parent, os.W_OK | os.X_OK):
        raise OptionError(
            f"invalid --output value {output}: directory {parent} is not "
            "writable; pass a path in a writable directory."
        )
    return output


class _OneLineErrorParser(argparse.ArgumentParser):
    """Argument parser that reports a usage error in one line on stderr."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message}; see --help.\n")


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return 0, or 2 after a one-line error."""
    parser = _OneLineErrorParser(
        prog=PROGRAM,
        description=(
            "Train and evaluate the Two-Tower model against popularity "
            "baselines on benchmark files, ranking all items."
        ),
    )
    add_evaluation_arguments(parser, default_data_dir=None)
    options = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    try:
        evaluate_from_arguments(options, show=print)
    except (OSError, ValueError) as error:
        message = str(error).replace("\n", " ")
        print(f"{PROGRAM}: error: {message}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
