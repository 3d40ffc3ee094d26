"""Command line for the TailNet evaluation, without Django.

Run `python -m recommender.ml.tailnet.evaluate --dataset electronics`;
`--help` lists the options. It prints a Markdown table of Recall@20,
MRR@20, Coverage@20 and Tail-Coverage@20 for TailNet, its ablation and
popularity, and can write the full report as JSON.
"""

from __future__ import annotations

import argparse
import json
import logging
import math
import os
import sys
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path

from recommender.ml.tailnet.config import TailNetConfig
from recommender.ml.tailnet.evaluation import (
    AUTO,
    AUTO_RECALL_SHARE,
    DATASETS,
    ELECTRONICS,
    MAX_AUTO_TAIL_SLOTS,
    PRIOR_DAYS,
    TAIL_DEPTH,
    TailSlots,
    format_report,
    run_evaluation,
)
from recommender.ml.tailnet.ranking import CUTOFF

PROGRAM = "python -m recommender.ml.tailnet.evaluate"
DEFAULTS = TailNetConfig()
REPOSITORY_ROOT = Path(__file__).resolve().parents[3]


def default_data_dir() -> Path:
    """Return $MARKETPLACE_DATA_DIR, else ../shared/data beside the repo."""
    configured = os.environ.get("MARKETPLACE_DATA_DIR")
    if configured:
        return Path(configured)
    return REPOSITORY_ROOT.parent / "shared" / "data"


def _number(
    kind: Callable[[str], float], low: float, high: float, unit: str
) -> Callable[[str], float]:
    def parse(text: str) -> float:
        try:
            value = kind(text)
        except ValueError:
            value = math.nan
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(
                f"invalid value {text!r}; expected {unit} from {low:g} to {high:g}"
            )
        return value

    return parse


def _tail_slots(text: str) -> TailSlots:
    if text == AUTO:
        return AUTO
    try:
        value = int(text)
    except ValueError:
        value = -1
    if not 0 <= value <= CUTOFF:
        raise argparse.ArgumentTypeError(
            f"invalid value {text!r}; expected {AUTO} or a whole number of "
            f"positions from 0 to {CUTOFF}"
        )
    return value


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=PROGRAM,
        description=(
            "Train TailNet and its ablation (no rectification) on one data "
            "set and rank all items for every test example beside popularity."
        ),
    )
    parser.add_argument(
        "--dataset",
        choices=DATASETS,
        required=True,
        help=(
            "electronics: Amazon 2023 Electronics kcore5, global time split; "
            "beauty: Amazon 2014 Beauty sequences, leave-last-out."
        ),
    )
    parser.add_argument(
        "--data-dir",
        type=Path,
        default=default_data_dir(),
        metavar="DIR",
        help=(
            "Directory that contains amazon2023/ and amazon2014/ "
            f"(default: $MARKETPLACE_DATA_DIR or {default_data_dir()})."
        ),
    )
    parser.add_argument(
        "--epochs",
        type=_number(int, 1, 1000, "a whole number of epochs"),
        default=DEFAULTS.epochs,
        metavar="N",
        help=(
            "Maximum training epochs of each model; the epoch with the best "
            f"validation Recall@20 is kept (default: {DEFAULTS.epochs})."
        ),
    )
    parser.add_argument(
        "--cutoff",
        type=_number(int, 1, CUTOFF, "a whole number of positions"),
        default=CUTOFF,
        metavar="K",
        help=(
            "Length of the measured lists, the K of Recall@K and the other "
            f"metrics; early stopping still uses Recall@{CUTOFF} "
            f"(default: {CUTOFF})."
        ),
    )
    parser.add_argument(
        "--head-item-share",
        type=_number(float, 0.001, 0.999, "a share of the items"),
        default=DEFAULTS.head_item_share,
        metavar="SHARE",
        help=(
            "Share of the items, most clicked in training first, that are "
            f"head items (default: {DEFAULTS.head_item_share})."
        ),
    )
    parser.add_argument(
        "--recent-days",
        type=_number(float, 0.001, 100_000, "a number of days"),
        default=30.0,
        metavar="DAYS",
        help=(
            "Window of the recency-aware popularity on electronics, in days "
            "before the last train or valid interaction (default: 30)."
        ),
    )
    parser.add_argument(
        "--item-prior",
        action=argparse.BooleanOptionalAction,
        default=None,
        help=(
            "Add the time-aware item prior to the scores of TailNet and the "
            "ablation (default: on for electronics; beauty has no "
            "timestamps, so it is always off there)."
        ),
    )
    parser.add_argument(
        "--prior-days",
        type=_number(float, 0.001, 100_000, "a number of days"),
        default=PRIOR_DAYS,
        metavar="DAYS",
        help=(
            "Window of the item prior, in days before each example's time "
            f"(default: {PRIOR_DAYS:g}, chosen on the electronics valid set)."
        ),
    )
    parser.add_argument(
        "--prior-before-rectification",
        action=argparse.BooleanOptionalAction,
        default=DEFAULTS.prior_before_rectification,
        help=(
            "Add the weighted prior to TailNet's raw scores, so that the "
            "rectification factors scale it too (default: "
            f"{'on' if DEFAULTS.prior_before_rectification else 'off'}). "
            "With --no-prior-before-rectification it is added to the "
            "rectified scores."
        ),
    )
    parser.add_argument(
        "--without-prior-too",
        action="store_true",
        help=(
            "With the item prior on, also train TailNet and the ablation "
            "without it, for comparison."
        ),
    )
    parser.add_argument(
        "--refit",
        action="store_true",
        help=(
            "After early stopping on valid, train each model again from "
            "scratch on train + valid for its best epoch count and test "
            "both models."
        ),
    )
    parser.add_argument(
        "--tail-slots",
        type=_tail_slots,
        default=0,
        metavar="auto|N",
        help=(
            "Also test TailNet and the ablation with N of the K (--cutoff) "
            "positions reserved for their best tail items, and print the "
            f"valid curve of quotas 0 to {MAX_AUTO_TAIL_SLOTS} (at most K). "
            f"{AUTO} picks the largest quota up to {MAX_AUTO_TAIL_SLOTS} whose "
            # argparse formats help with %, so the percent sign is doubled.
            f"valid Recall@K keeps {AUTO_RECALL_SHARE * 100:.0f}%% of the "
            "Recall@K without a quota (default: 0, no quota rows)."
        ),
    )
    parser.add_argument(
        "--exposure-penalty",
        type=_number(float, 0.0, 100.0, "a number"),
        default=0.0,
        metavar="NATS",
        help=(
            "With --tail-slots, give the reserved positions to the tail "
            "items with the best score - NATS * log(1 + earlier lists that "
            "showed the item), lists formed in time order (default: 0, each "
            "example's best tail items)."
        ),
    )
    parser.add_argument(
        "--tail-depth",
        type=_number(int, CUTOFF, 1_000_000, "a whole number"),
        default=TAIL_DEPTH,
        metavar="N",
        help=(
            f"Tail candidates per example for --exposure-penalty, at least "
            f"{CUTOFF} (default: {TAIL_DEPTH})."
        ),
    )
    parser.add_argument(
        "--embedding-dim",
        type=_number(int, 1, 4096, "a whole number"),
        default=DEFAULTS.embedding_dim,
        metavar="N",
        help=(
            "Size of the item embeddings and of the GRU state "
            f"(default: {DEFAULTS.embedding_dim})."
        ),
    )
    parser.add_argument(
        "--seed",
        type=_number(int, 0, 2**63 - 1, "an integer"),
        default=DEFAULTS.seed,
        metavar="N",
        help=f"Seed of weights, dropout and example order (default: {DEFAULTS.seed}).",
    )
    parser.add_argument(
        "--threads",
        type=_number(int, 1, os.cpu_count() or 1, "a thread count"),
        default=DEFAULTS.threads,
        metavar="N",
        help=f"Torch CPU threads for training (default: {DEFAULTS.threads}).",
    )
    parser.add_argument(
        "--output",
        type=Path,
        metavar="FILE",
        help="Also write the full report, per-epoch figures included, as JSON.",
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Parse the options, run the evaluation and print the report."""
    parser = build_parser()
    options = parser.parse_args(argv)
    if options.tail_slots != AUTO and options.tail_slots > options.cutoff:
        parser.error(
            f"argument --tail-slots: invalid value {options.tail_slots}; expected "
            f"at most the --cutoff of {options.cutoff} positions"
        )
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(message)s")
    config = replace(
        DEFAULTS,
        epochs=int(options.epochs),
        head_item_share=float(options.head_item_share),
        embedding_dim=int(options.embedding_dim),
        hidden_dim=int(options.embedding_dim),
        seed=int(options.seed),
        threads=int(options.threads),
        prior_before_rectification=bool(options.prior_before_rectification),
    )
    item_prior = options.item_prior
    if item_prior is None:
        item_prior = options.dataset == ELECTRONICS
    variants = [item_prior]
    if item_prior and options.without_prior_too:
        variants.append(False)
    try:
        report = run_evaluation(
            options.dataset,
            options.data_dir,
            config,
            float(options.recent_days),
            prior_days=float(options.prior_days),
            variants=variants,
            refit=bool(options.refit),
            tail_slots=options.tail_slots,
            exposure_penalty=float(options.exposure_penalty),
            tail_depth=int(options.tail_depth),
            cutoff=int(options.cutoff),
        )
    except (OSError, ValueError) as error:
        print(f"{PROGRAM}: error: {error}", file=sys.stderr)
        return 2
    if options.output is not None:
        options.output.parent.mkdir(parents=True, exist_ok=True)
        options.output.write_text(json.dumps(report, indent=2))
    print(format_report(report))
    return 0


if __name__ == "__main__":
    sys.exit(main())
