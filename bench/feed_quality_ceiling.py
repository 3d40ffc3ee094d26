"""How far any popularity ranking can go on a global time split.

The home feed's quality goal on the Electronics time split is stated
relative to the popularity of the last 30 days before the test period.
This script measures reference rankings that no real model can produce,
because they read the test file itself:

- "future popularity (test events per product)": every product ranked
  by its number of test events, ties by its train + valid count. It uses
  the test period's popularity itself, so it is close to the best list
  that is the same for every user.
- "future popularity, products with an earlier event only": the same,
  but products without a train or valid event are ranked last, as the
  pipeline leaves them out.
- "future popularity + category share": log(1 + test events) plus
  `weight` times the share of the user's history in the product's
  category. Each weight of `CATEGORY_WEIGHTS` is tried, and the best one
  on test is kept.
- "the same + item-kNN score": the best of the above plus `weight` times
  the user's item-kNN score scaled to [0, 1] per user, with the weight
  again picked on test.

The last two show how much two cheap personal signals add once the
popularity of the test period is known. Every figure uses the harness's
own users, exclusions and metrics, so it compares with
docs/evaluation-results.md. Usage:

    .venv/bin/python bench/feed_quality_ceiling.py DIRECTORY [--goal 1.2]
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from recommender.ml.benchmark_files import read_benchmark_directory
from recommender.ml.blend import KNN_CONFIG
from recommender.ml.evaluation_models import EvaluationContext
from recommender.ml.item_knn import fit_item_knn
from recommender.ml.popularity import ItemTimeline, interaction_counts, rank_scores
from recommender.ml.ranking import ScoreFunction, rank_top_k
from recommender.ml.splits import files_split

HEAD_SHARE = 0.8
RECENT_DAYS = 30.0
CATEGORY_WEIGHTS = (0.25, 0.5, 1.0, 2.0, 4.0)
KNN_WEIGHTS = (0.05, 0.1, 0.2, 0.5, 1.0)
CUTOFF = 50


def same_for_everyone(scores: np.ndarray) -> ScoreFunction:
    """Give every user the same item scores."""
    row = torch.from_numpy(scores.astype(np.float32)).unsqueeze(0)

    def score(positions: np.ndarray) -> torch.Tensor:
        return row.expand(len(positions), -1)

    return score


def category_shares(context: EvaluationContext) -> tuple[np.ndarray, np.ndarray]:
    """Return each user's history share per category [users, categories]
    and each item's category index [items].

    Items without a category share one "" category, like any other.
    """
    names = context.known.items.categories
    vocabulary = {name: index for index, name in enumerate(sorted(set(names)))}
    category = np.array([vocabulary[name] for name in names], dtype=np.int64)
    shares = np.zeros((len(context.users), len(vocabulary)), dtype=np.float32)
    for row, history in enumerate(context.users.histories):
        if history:
            np.add.at(shares[row], category[history], 1.0 / len(history))
    return shares, category


def measure(
    context: EvaluationContext, score: ScoreFunction
) -> tuple[float, float, float]:
    """Return Recall@20, NDCG@20 and Recall@50 of ranking by `score`."""
    metrics = context.measure(rank_top_k(score, context.users, CUTOFF))
    return metrics["recall@20"], metrics["ndcg@20"], metrics["recall@50"]


def best_of(
    context: EvaluationContext,
    weights: tuple[float, ...],
    make_score: Callable[[float], ScoreFunction],
) -> tuple[float, tuple[float, float, float]]:
    """Return the weight with the best test NDCG@20, and its figures."""
    results = {weight: measure(context, make_score(weight)) for weight in weights}
    weight = max(results, key=lambda value: results[value][1])
    return weight, results[weight]


def ratio(value: float, reference: float) -> str:
    """Format value / reference, or "n/a" when the reference is 0."""
    return f"{value / reference:.2f}" if reference > 0 else "n/a"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "directory",
        type=Path,
        help="directory with the *.train.csv, *.valid.csv and *.test.csv files",
    )
    parser.add_argument(
        "--goal",
        type=float,
        default=1.2,
        help="the goal as a multiple of the 30-day popularity (default 1.2)",
    )
    arguments = parser.parse_args()
    if not arguments.goal > 0:
        parser.error(f"--goal must be a number above 0, got {arguments.goal}.")
    started = time.perf_counter()

    try:
        split = files_split(read_benchmark_directory(arguments.directory))
    except (OSError, ValueError) as error:
        parser.error(str(error))
    if not split.time_respecting:
        parser.error(
            f"{arguments.directory} holds a leave-last-out split; the test "
            "period's popularity is defined only on a global time split. Pass "
            "a directory of time-split files, such as the Electronics kcore5 one."
        )
    context = EvaluationContext.build(split, HEAD_SHARE)
    users = context.users
    if len(users) == 0:
        parser.error(
            f"The test file in {arguments.directory} has no events; pass a "
            "directory whose test file holds the test period's ratings."
        )
    known_counts = interaction_counts(context.known)
    moment = int(users.prediction_ms[0])
    recent = ItemTimeline(context.known).counts(moment, RECENT_DAYS)
    future = interaction_counts(split.test)

    rows: list[tuple[str, tuple[float, float, float]]] = [
        (
            "all-time popularity",
            measure(context, same_for_everyone(rank_scores(known_counts))),
        ),
        (
            f"popularity of the last {RECENT_DAYS:g} days",
            measure(context, same_for_everyone(rank_scores(recent, known_counts))),
        ),
        (
            "future popularity (test events per product)",
            measure(context, same_for_everyone(rank_scores(future, known_counts))),
        ),
        (
            "future popularity, products with an earlier event only",
            measure(
                context,
                same_for_everyone(
                    rank_scores(np.where(known_counts > 0, future, 0), known_counts)
                ),
            ),
        ),
    ]

    shares, category = category_shares(context)
    # A rank term of at most 0.001 breaks ties as in the rows above.
    base = np.log1p(future).astype(np.float32)
    tie_break = rank_scores(future, known_counts) / len(future) * 1e-3

    def with_category(weight: float) -> ScoreFunction:
        def score(positions: np.ndarray) -> torch.Tensor:
            personal = shares[positions][:, category] * weight
            return torch.from_numpy(base + tie_break + personal)

        return score

    category_weight, figures = best_of(context, CATEGORY_WEIGHTS, with_category)
    rows.append(
        (
            f"future popularity + category share (weight {category_weight:g}, "
            "best on test)",
            figures,
        )
    )

    knn = fit_item_knn(context.known, KNN_CONFIG)

    def with_knn(weight: float) -> ScoreFunction:
        category_score = with_category(category_weight)

        def score(positions: np.ndarray) -> torch.Tensor:
            neighbours = knn.score([users.histories[p] for p in positions])
            top = neighbours.max(dim=1, keepdim=True).values.clamp(min=1e-9)
            return category_score(positions) + weight * neighbours / top

        return score

    knn_weight, figures = best_of(context, KNN_WEIGHTS, with_knn)
    rows.append(
        (
            f"the same + item-kNN score (weight {knn_weight:g}, best on test)",
            figures,
        )
    )

    reference = rows[1][1]
    print(f"{split.name} split of {arguments.directory}: {len(users)} test users")
    print()
    print(
        "| ranking | Recall@20 | NDCG@20 | Recall@50 | "
        "against 30-day popularity (R@20, N@20) |"
    )
    print("| --- | ---: | ---: | ---: | ---: |")
    for name, (recall, ndcg, recall_50) in rows:
        print(
            f"| {name} | {recall:.4f} | {ndcg:.4f} | {recall_50:.4f} | "
            f"{ratio(recall, reference[0])}, {ratio(ndcg, reference[1])} |"
        )
    print()
    print(
        f"Goal ({arguments.goal:g} x the 30-day row): Recall@20 "
        f"{arguments.goal * reference[0]:.4f}, NDCG@20 "
        f"{arguments.goal * reference[1]:.4f}. Weights on test rows were "
        "picked on test; those rows are ceilings, not methods."
    )
    print(f"Wall time: {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
