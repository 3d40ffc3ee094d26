"""Evaluate the GNN scorer on a benchmark directory's global time split.

The graph and training use the train file, and the step is chosen on the
valid file. Each test user is then embedded from their train and valid
events and ranked over all items, with those earlier items left out, as
`recommender.ml.evaluation` does. All-time popularity of train and valid is
printed beside it. Usage:

    .venv/bin/python bench/gnn_electronics.py DIRECTORY [--epochs N]
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
import time
from dataclasses import replace
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from recommender.ml.benchmark_files import read_benchmark_directory
from recommender.ml.gnn import GnnConfig, train_gnn
from recommender.ml.metrics import head_item_mask
from recommender.ml.popularity import interaction_counts, rank_scores
from recommender.ml.ranking import (
    build_evaluation_users,
    rank_top_k,
    ranking_metrics,
)
from recommender.ml.splits import concatenate, time_split

HEAD_SHARE = 0.8


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "directory",
        type=Path,
        help="directory with the *.train.csv, *.valid.csv and *.test.csv files",
    )
    parser.add_argument(
        "--epochs",
        type=int,
        default=GnnConfig.epochs,
        help="maximum full-graph training steps",
    )
    parser.add_argument(
        "--dim",
        type=int,
        default=GnnConfig.embedding_dim,
        help="size of the user and item vectors",
    )
    parser.add_argument(
        "--threads",
        type=int,
        default=2,
        help="torch intra-op threads for training and scoring",
    )
    arguments = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    started = time.perf_counter()

    split = time_split(read_benchmark_directory(arguments.directory))
    config = replace(
        GnnConfig(),
        epochs=arguments.epochs,
        embedding_dim=arguments.dim,
        threads=arguments.threads,
    )
    result = train_gnn(split.train, config, split.valid)

    known = concatenate(split.train, split.valid)
    users = build_evaluation_users(known, split.test)
    counts = interaction_counts(known)
    is_tail = ~head_item_mask(counts, HEAD_SHARE)
    torch.set_num_threads(arguments.threads)
    user_vectors = result.model.user_vectors(users.histories)
    item_vectors = result.model.item_vectors()

    def score(positions: np.ndarray) -> torch.Tensor:
        return user_vectors[torch.from_numpy(positions)] @ item_vectors.T

    popularity = torch.from_numpy(rank_scores(counts))

    def score_popularity(positions: np.ndarray) -> torch.Tensor:
        return popularity.expand(len(positions), -1)

    report = {
        "gnn": ranking_metrics(
            rank_top_k(score, users, 50),
            users,
            interaction_counts=counts,
            is_tail=is_tail,
        ),
        "popularity": ranking_metrics(
            rank_top_k(score_popularity, users, 50),
            users,
            interaction_counts=counts,
            is_tail=is_tail,
        ),
        "best_step": result.best_epoch,
        "valid_steps": result.valid_epochs,
        "valid_ndcg@20": [metrics["ndcg@20"] for metrics in result.valid_metrics],
        "train_seconds": result.seconds,
        "seconds": time.perf_counter() - started,
    }
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
