"""A faiss inner-product index over item vectors, with its file format.

Vectors are L2-normalized item-tower outputs, so the inner product is the
Two-Tower score. Small collections get an exact flat index and larger ones
an HNSW graph. The HNSW search depth (`ef_search`) is passed per query, so
threads can share one index.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import faiss
import numpy as np

INDEX_FILE = "index.faiss"
IDS_FILE = "ids.npy"
MANIFEST_FILE = "manifest.json"
FORMAT_VERSION = 1


@dataclass(frozen=True)
class AnnConfig:
    """Settings of one index build.

    Args:
        exact_below: collections with fewer vectors get an exact flat index.
        hnsw_neighbors: HNSW graph degree (faiss `M`).
        ef_construction: HNSW candidate list size while building.
        ef_search: HNSW candidate list size per query, raised to `k` when a
            query requests more results than that.
    """

    exact_below: int = 50_000
    hnsw_neighbors: int = 32
    ef_construction: int = 80
    ef_search: int = 256

    def __post_init__(self) -> None:
        for name in ("hnsw_neighbors", "ef_construction", "ef_search"):
            if getattr(self, name) <= 0:
                raise ValueError(
                    f"AnnConfig.{name} must be positive, got {getattr(self, name)!r}."
                )
        if self.exact_below < 0:
            raise ValueError(
                f"AnnConfig.exact_below must be >= 0, got {self.exact_below!r}."
            )


class AnnIndex:
    """Item ids and a faiss index whose row i is the vector of `ids[i]`."""

    def __init__(self, index: faiss.Index, ids: np.ndarray, config: AnnConfig):
        if index.ntotal != len(ids):
            raise ValueError(
                f"The faiss index has {index.ntotal} vectors for {len(ids)} ids; "
                "rebuild the index."
            )
        self.index = index
        self.ids = np.asarray(ids, dtype=np.int64)
        self.config = config

    @property
    def kind(self) -> str:
        return "hnsw" if isinstance(self.index, faiss.IndexHNSW) else "flat"

    @property
    def dimension(self) -> int:
        return int(self.index.d)

    def __len__(self) -> int:
        return len(self.ids)

    def search(self, query: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        """Return the ids and scores of the `k` best items for one query.

        Fewer than `k` come back when the index contains fewer items.
        """
        if len(self.ids) == 0 or k <= 0:
            return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.float32)
        vector = np.ascontiguousarray(query, dtype=np.float32).reshape(1, -1)
        if vector.shape[1] != self.dimension:
            raise ValueError(
                f"The query has {vector.shape[1]} dimensions and the index "
                f"{self.dimension}; encode it with the index's model version."
            )
        k = min(k, len(self.ids))
        params = None
        if isinstance(self.index, faiss.IndexHNSW):
            ef_search = max(self.config.ef_search, k)
            params = faiss.SearchParametersHNSW(  # type: ignore[attr-defined]
                efSearch=ef_search
            )
        scores, rows = self.index.search(vector, k, params=params)
        found = rows[0] >= 0
        return self.ids[rows[0][found]], scores[0][found]

    def vectors_of(self, rows: np.ndarray) -> np.ndarray:
        """Return the stored vectors of index rows, float32 [len(rows), d]."""
        if len(rows) == 0:
            return np.empty((0, self.dimension), dtype=np.float32)
        return np.stack([self.index.reconstruct(int(row)) for row in rows])


def build_ann_index(
    vectors: np.ndarray, ids: np.ndarray, config: AnnConfig | None = None
) -> AnnIndex:
    """Build an inner-product index of `vectors` [n, d], row i for `ids[i]`."""
    config = config or AnnConfig()
    matrix = np.ascontiguousarray(vectors, dtype=np.float32)
    if matrix.ndim != 2:
        raise ValueError(f"vectors must be 2-D [n, d], got shape {matrix.shape}.")
    if len(matrix) != len(ids):
        raise ValueError(f"{len(matrix)} vectors for {len(ids)} ids; align them.")
    if len(np.unique(ids)) != len(ids):
        raise ValueError("ids contain duplicates; pass each item once.")
    dimension = matrix.shape[1]
    index: faiss.Index
    if len(matrix) < config.exact_below:
        index = faiss.IndexFlatIP(dimension)
    else:
        index = faiss.IndexHNSWFlat(
            dimension, config.hnsw_neighbors, faiss.METRIC_INNER_PRODUCT
        )
        index.hnsw.efConstruction = config.ef_construction
    if len(matrix):
        index.add(matrix)
    return AnnIndex(index, np.asarray(ids, dtype=np.int64), config)


def save_ann_index(ann: AnnIndex, directory: Path) -> None:
    """Write the index, its ids and a manifest into a new `directory`.

    The directory must not exist yet, so a reader never sees a half-written
    index under a name it already uses.
    """
    directory.mkdir(parents=True, exist_ok=False)
    faiss.write_index(ann.index, str(directory / INDEX_FILE))
    np.save(directory / IDS_FILE, ann.ids)
    manifest = {
        "format_version": FORMAT_VERSION,
        "kind": ann.kind,
        "count": len(ann),
        "dimension": ann.dimension,
        "ef_search": ann.config.ef_search,
    }
    (directory / MANIFEST_FILE).write_text(json.dumps(manifest))


def load_ann_index(directory: Path) -> AnnIndex:
    """Read an index written by `save_ann_index`.

    Raises OSError when a file is missing or unreadable.
    """
    manifest_path = directory / MANIFEST_FILE
    manifest = json.loads(manifest_path.read_text())
    if manifest.get("format_version") != FORMAT_VERSION:
        raise ValueError(
            f"{manifest_path} has format version {manifest.get('format_version')!r}"
            f", expected {FORMAT_VERSION}; rebuild the index."
        )
    index_path = directory / INDEX_FILE
    try:
        index = faiss.read_index(str(index_path))
    except RuntimeError as error:
        # faiss reports a missing or corrupt file as RuntimeError; callers
        # handle unreadable artifacts as OSError.
        raise OSError(f"Cannot read the faiss index {index_path}: {error}") from error
    ids = np.load(directory / IDS_FILE)
    config = AnnConfig(ef_search=int(manifest["ef_search"]))
    return AnnIndex(index, ids, config)


def exact_top_k(
    vectors: np.ndarray, queries: np.ndarray, k: int
) -> tuple[np.ndarray, np.ndarray]:
    """Return rows [q, k] and scores [q, k] of exact inner-product search."""
    flat = faiss.IndexFlatIP(vectors.shape[1])
    flat.add(np.ascontiguousarray(vectors, dtype=np.float32))
    scores, rows = flat.search(np.ascontiguousarray(queries, dtype=np.float32), k)
    return rows, scores


def recall_at_k(approximate: np.ndarray, exact: np.ndarray) -> float:
    """Return the mean share of each exact top-k row found in `approximate`."""
    if len(exact) == 0:
        raise ValueError("recall_at_k needs at least one query.")
    hits = [
        len(np.intersect1d(found, truth)) / len(truth)
        for found, truth in zip(approximate, exact, strict=True)
    ]
    return float(np.mean(hits))
