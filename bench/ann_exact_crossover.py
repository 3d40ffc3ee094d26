"""Time one exact and one HNSW listing-index query at several sizes.

The index task builds an exact faiss index below
`RECOMMENDER_ANN_EXACT_BELOW` listings and HNSW from there on. This script
finds where HNSW starts to pay: for each size it builds both kinds over
the same synthetic vectors and prints the median time of a query for the
feed's depth (500 neighbours) with each, and their ratio.

The vectors are synthetic: unit-length 64-dimensional points around 200
random centres, so that neighbourhoods exist as they do for real
listings. One faiss thread, like a web worker. Usage:

    .venv/bin/python bench/ann_exact_crossover.py [--sizes 10000 50000 100000]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import faiss
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from recommender.ml.ann_index import AnnConfig, AnnIndex, build_ann_index

DIMENSION = 64
CENTRES = 200
QUERIES = 200
REPEATS = 3


def synthetic_vectors(count: int, rng: np.random.Generator) -> np.ndarray:
    """Return `count` unit vectors [count, DIMENSION] in clusters."""
    centres = rng.normal(size=(CENTRES, DIMENSION))
    points = centres[rng.integers(0, CENTRES, count)]
    points = points + 0.5 * rng.normal(size=(count, DIMENSION))
    points /= np.linalg.norm(points, axis=1, keepdims=True)
    return points.astype(np.float32)


def median_query_ms(index: AnnIndex, queries: np.ndarray, depth: int) -> float:
    """Return the median milliseconds of one `depth`-neighbour query."""
    timings = []
    for _ in range(REPEATS):
        for query in queries:
            started = time.perf_counter()
            index.search(query, depth)
            timings.append(time.perf_counter() - started)
    return float(np.median(timings)) * 1000.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--sizes",
        type=int,
        nargs="+",
        default=[10_000, 20_000, 30_000, 50_000, 100_000],
        help="numbers of indexed vectors to measure",
    )
    parser.add_argument(
        "--ef-search",
        type=int,
        default=640,
        help="HNSW candidate list size per query, raised to --depth when "
        "smaller (default: the feed's 640)",
    )
    parser.add_argument(
        "--depth", type=int, default=500, help="neighbours per query (default 500)"
    )
    arguments = parser.parse_args()
    if any(size < 1 for size in arguments.sizes):
        parser.error(f"--sizes must all be at least 1, got {arguments.sizes}.")
    if arguments.depth < 1:
        parser.error(f"--depth must be at least 1, got {arguments.depth}.")
    if arguments.ef_search < 1:
        parser.error(f"--ef-search must be at least 1, got {arguments.ef_search}.")
    faiss.omp_set_num_threads(1)
    rng = np.random.default_rng(0)

    print("| vectors | exact query | HNSW query | exact / HNSW |")
    print("| ---: | ---: | ---: | ---: |")
    for size in arguments.sizes:
        vectors = synthetic_vectors(size, rng)
        ids = np.arange(size, dtype=np.int64)
        exact = build_ann_index(vectors, ids, AnnConfig(exact_below=size + 1))
        hnsw = build_ann_index(
            vectors, ids, AnnConfig(exact_below=0, ef_search=arguments.ef_search)
        )
        picks = rng.integers(0, size, QUERIES)
        queries = vectors[picks] + 0.1 * rng.normal(size=(QUERIES, DIMENSION))
        queries = queries.astype(np.float32)
        exact_ms = median_query_ms(exact, queries, arguments.depth)
        hnsw_ms = median_query_ms(hnsw, queries, arguments.depth)
        print(
            f"| {size:,} | {exact_ms:.3f} ms | {hnsw_ms:.3f} ms | "
            f"{exact_ms / hnsw_ms:.2f} |",
            flush=True,
        )


if __name__ == "__main__":
    main()
