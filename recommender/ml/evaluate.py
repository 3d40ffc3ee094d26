"""Command line for the offline evaluation, without Django.

Run `python -m recommender.ml.evaluate --data-dir DIR [DIR ...]`; `--help`
lists the options. The Django command `python manage.py evaluate` takes the
same ones, and both check them with `parse_evaluation_options` before any
work starts.
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
    MODEL_CHOICES,
    SPLIT_CHOICES,
    EvaluationSettings,
    format_report,
    run_evaluation,
)
from recommender.ml.statistics import MAX_RUNS
from recommender.ml.two_tower import TwoTowerConfig

BOTH_SPLITS = "both"
# The time split and leave-last-out built from the files.
BOTH_SPLIT_NAMES = ("time", "leave-last-out")
DEFAULTS = TwoTowerConfig()
# torch.manual_seed raises for seeds above 2**64 - 1.
MAX_SEED = 2**64 - 1
PROGRAM = "python -m recommender.ml.evaluate"


class OptionError(ValueError):
    """An invalid option value; the message names the option."""


@dataclass(frozen=True)
class EvaluationOptions:
    """Checked and converted options of one evaluation run."""

    data_dirs: list[Path]
    split_names: tuple[str, ...]
    config: TwoTowerConfig
    settings: EvaluationSettings
    output: Path | None
    report_dir: Path | None


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
        nargs="+",
        default=[default_data_dir] if default_data_dir else None,
        required=default_data_dir is None,
        metavar="DIR",
        help=(
            "One or more directories with the benchmark files *.train.csv, "
            "*.valid.csv, *.test.csv and optionally meta_*.jsonl, plain or "
            "gzipped; each is evaluated on every chosen split"
            + (f" (default: {default_data_dir})." if default_data_dir else ".")
        ),
    )
    parser.add_argument(
        "--split",
        choices=[*SPLIT_CHOICES, BOTH_SPLITS],
        default=BOTH_SPLITS,
        help=(
            "Split to evaluate: time (the files taken as a global time "
            "split), leave-last-out (each user's last event, built from the "
            "files), files (the files' own split: a time split when their "
            "periods do not overlap, else per-user held-out events, as in "
            "the official leave-last-out files), or both (time and "
            "leave-last-out) (default: both)."
        ),
    )
    parser.add_argument(
        "--models",
        default=",".join(MODEL_CHOICES),
        metavar="NAMES",
        help=(
            "Comma-separated models to evaluate, from "
            f"{', '.join(MODEL_CHOICES)} (default: all). The pipeline also "
            "trains the Two-Tower and the GNN."
        ),
    )
    parser.add_argument(
        "--seeds",
        default=1,
        metavar="N",
        help=(
            "Number of seeds for the trained models, from 1 to "
            f"{MAX_RUNS}: seeds --seed to --seed + N - 1; with 2 or more the "
            "table gives a 95%% interval (default: 1)."
        ),
    )
    parser.add_argument(
        "--gnn-steps",
        default=EvaluationSettings.gnn_steps,
        metavar="N",
        help=(
            "Maximum GNN full-graph training steps, at least 1; the best is "
            f"chosen on the valid file (default: {EvaluationSettings.gnn_steps})."
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
            "Window of the fixed-window popularity row, in days before the "
            "prediction moment (the last train or valid event on a time "
            "split); above 0 and at most "
            f"{MAX_RECENT_DAYS:,} (default: {EvaluationSettings.recent_days:g}). "
            "The popularity-recent row chooses its window on the valid file."
        ),
    )
    parser.add_argument(
        "--no-retrain",
        action="store_true",
        help=(
            "Rank the test users with the models fitted on train alone "
            "instead of refitting them on train + valid with the settings "
            "chosen on valid."
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
    parser.add_argument(
        "--report-dir",
        default=None,
        metavar="DIR",
        help=(
            "Also write the tables as evaluation-results.md and the plots as "
            "PNG files into this existing directory, for example docs."
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
    seed = _parse_integer("--seed", options.seed, minimum=0, maximum=MAX_SEED)
    seed_count = _parse_integer(
        "--seeds", getattr(options, "seeds", 1), minimum=1, maximum=MAX_RUNS
    )
    if seed + seed_count - 1 > MAX_SEED:
        raise OptionError(
            f"invalid --seeds value {seed_count!r}: --seed {seed} plus "
            f"{seed_count} seeds passes {MAX_SEED}; pass a lower --seed."
        )
    config = TwoTowerConfig(
        epochs=_parse_integer("--epochs", options.epochs, minimum=1),
        seed=seed,
        threads=threads,
    )
    settings = EvaluationSettings(
        recent_days=_parse_recent_days(options.recent_days),
        retrain=not _parse_flag("--no-retrain", options.no_retrain),
        seeds=tuple(range(seed, seed + seed_count)),
        models=_parse_models(getattr(options, "models", ",".join(MODEL_CHOICES))),
        gnn_steps=_parse_integer(
            "--gnn-steps",
            getattr(options, "gnn_steps", EvaluationSettings.gnn_steps),
            minimum=1,
        ),
    )
    return EvaluationOptions(
        data_dirs=_parse_data_dirs(options.data_dir),
        split_names=_parse_split(options.split),
        config=config,
        settings=settings,
        output=_parse_output(options.output),
        report_dir=_parse_report_dir(getattr(options, "report_dir", None)),
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
        checked.data_dirs, checked.split_names, checked.config, checked.settings
    )
    show(format_report(report))
    if checked.output is not None:
        write_report(report, checked.output)
    if checked.report_dir is not None:
        # matplotlib is a development requirement, so it is imported only
        # when plots are requested.
        from recommender.ml.report_files import write_report_files

        try:
            written = write_report_files(report, checked.report_dir)
        except OSError as error:
            raise OptionError(
                f"failed to write the report files into --report-dir "
                f"{checked.report_dir} ({error.strerror or error}); the table "
                "above is complete."
            ) from error
        show("Wrote " + ", ".join(str(path) for path in written) + ".")


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


def _parse_models(value: object) -> tuple[str, ...]:
    names: list[str] = []
    if isinstance(value, str):
        names = [name.strip() for name in value.split(",") if name.strip()]
    elif isinstance(value, list | tuple):
        names = [str(name) for name in value]
    unknown = [name for name in names if name not in MODEL_CHOICES]
    if not names or unknown:
        raise OptionError(
            f"invalid --models value {value!r}: pass comma-separated names from "
            f"{', '.join(MODEL_CHOICES)}."
        )
    return tuple(dict.fromkeys(names))


def _parse_split(value: object) -> tuple[str, ...]:
    if value == BOTH_SPLITS:
        return BOTH_SPLIT_NAMES
    if isinstance(value, str) and value in SPLIT_CHOICES:
        return (value,)
    choices = ", ".join([*SPLIT_CHOICES, BOTH_SPLITS])
    raise OptionError(f"invalid --split value {value!r}: pass one of {choices}.")


def _parse_data_dirs(value: object) -> list[Path]:
    values = value if isinstance(value, list | tuple) else [value]
    if not values:
        raise OptionError(
            "invalid --data-dir value []: pass at least one directory that "
            "contains the *.train.csv, *.valid.csv and *.test.csv files."
        )
    return [_parse_data_dir(item) for item in values]


def _parse_report_dir(value: object) -> Path | None:
    if value is None:
        return None
    if not isinstance(value, str | Path) or not str(value):
        raise OptionError(
            f"invalid --report-dir value {value!r}: pass an existing directory "
            "such as docs."
        )
    directory = Path(value)
    if not directory.is_dir():
        raise OptionError(
            f"invalid --report-dir value {directory}: it is not an existing "
            "directory; create it or pass another one."
        )
    if not os.access(directory, os.W_OK | os.X_OK):
        raise OptionError(
            f"invalid --report-dir value {directory}: the directory is not "
            "writable; pass a writable directory."
        )
    return directory


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
            "Evaluate popularity, item-kNN, BPR, LightGCN, the Two-Tower, the "
            "GNN and the full pipeline on benchmark files, ranking all items."
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
