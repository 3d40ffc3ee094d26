"""Per-process caches of model artifacts and of the listing index.

Web processes and workers load an artifact the first time they need it and
keep it until a newer version or index is registered. Nothing here is
written back, so any number of processes can serve side by side.

The listing index is swapped without a restart: at most every
`RECOMMENDER_INDEX_CHECK_SECONDS` a request checks the database for a newer
index or for changed fresh listing vectors, and replaces the process's
`ServingIndex` reference in one assignment. A request that already holds
the old reference finishes with it.
"""

import logging
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
from django.conf import settings
from django.db import DatabaseError
from django.db.models import Count, Max

from marketplace.gc_freeze import freeze_heap
from recommender.feed_cache import clear_rankings
from recommender.ml.ann_index import AnnIndex, load_ann_index
from recommender.ml.gnn import GnnModel, load_gnn
from recommender.ml.two_tower import TwoTowerModel, load_two_tower
from recommender.models import FreshListingVector, ListingEmbeddingSet, ModelVersion

logger = logging.getLogger(__name__)

_lock = threading.Lock()
_models: dict[int, TwoTowerModel] = {}
_gnn_models: dict[int, "GnnScorer"] = {}


@dataclass(frozen=True)
class ServingIndex:
    """The faiss index of one embedding set plus the fresh listing vectors.

    `fresh_pks` [f] and `fresh_vectors` [f, d] are listings created or
    edited after the build; where a pk is in both, the fresh vector wins.
    """

    embedding_set_pk: int
    model_version_pk: int
    ann: AnnIndex
    fresh_pks: np.ndarray
    fresh_vectors: np.ndarray
    fresh_stamp: tuple[object, int]

    def vectors_of(self, listing_pks: list[int]) -> dict[int, np.ndarray]:
        """Return the served vector of each listing pk that has one."""
        fresh_row = {int(pk): row for row, pk in enumerate(self.fresh_pks)}
        found: dict[int, np.ndarray] = {}
        indexed: list[tuple[int, int]] = []
        for pk in listing_pks:
            if pk in fresh_row:
                found[pk] = self.fresh_vectors[fresh_row[pk]]
                continue
            # The build writes ids in ascending pk order.
            row = int(np.searchsorted(self.ann.ids, pk))
            if row < len(self.ann.ids) and self.ann.ids[row] == pk:
                indexed.append((pk, row))
        rows = np.asarray([row for _, row in indexed], dtype=np.int64)
        for (pk, _), vector in zip(indexed, self.ann.vectors_of(rows), strict=True):
            found[pk] = vector
        return found


@dataclass(frozen=True)
class GnnScorer:
    """A loaded GNN and the row of each catalog id in its item table."""

    model: GnnModel
    positions: dict[str, int]


@dataclass
class _IndexState:
    current: ServingIndex | None = None
    checked_at: float = float("-inf")


_index_state = _IndexState()
_index_refresh_lock = threading.Lock()


def load_model(version: ModelVersion) -> TwoTowerModel:
    """Return the loaded model of `version`, from this process's cache."""
    with _lock:
        model = _models.get(version.pk)
        if model is None:
            torch.set_num_threads(settings.RECOMMENDER_SERVING_THREADS)
            model = load_two_tower(Path(version.artifact_path))
            # Keep only the newest model; older ones are no longer served.
            _models.clear()
            _models[version.pk] = model
            logger.info("Loaded two_tower version %s", version.pk)
            freeze_heap()
        return model


def load_gnn_model(version: ModelVersion) -> GnnScorer:
    """Return the loaded GNN of `version`, from this process's cache."""
    with _lock:
        scorer = _gnn_models.get(version.pk)
        if scorer is None:
            torch.set_num_threads(settings.RECOMMENDER_SERVING_THREADS)
            model = load_gnn(Path(version.artifact_path))
            # Item states are computed once here, not in the first request.
            model.item_vectors()
            positions = {item: row for row, item in enumerate(model.item_ids)}
            scorer = GnnScorer(model=model, positions=positions)
            _gnn_models.clear()
            _gnn_models[version.pk] = scorer
            logger.info("Loaded gnn version %s", version.pk)
            freeze_heap()
        return scorer


def warm_up() -> None:
    """Load the serving models and the listing index before any request.

    Web servers call this when a process starts (see the gunicorn
    configuration), so the first feed request does not pay for the loads
    and the heap is frozen (`freeze_heap`) before serving begins. A missing
    or unreadable artifact is logged and left to the first request.
    """
    try:
        versions = get_serving_versions()
        if versions.two_tower is not None:
            load_model(versions.two_tower)
            get_serving_index(versions.two_tower)
        if versions.gnn is not None:
            load_gnn_model(versions.gnn)
    except (OSError, DatabaseError) as error:
        logger.error("Warm-up could not load the serving artifacts: %s", error)
    freeze_heap()


def current_embedding_set(version: ModelVersion) -> ListingEmbeddingSet | None:
    """Return the newest embedding set of `version` that has an index."""
    return (
        ListingEmbeddingSet.objects.filter(model_version=version)
        .exclude(index_path="")
        .order_by("-created_at", "-pk")
        .first()
    )


def serving_version() -> ModelVersion | None:
    """Return the newest promoted Two-Tower version that has a built index.

    Right after a promotion, the previous version keeps serving until the
    new one's index is built.
    """
    embedding_set = (
        ListingEmbeddingSet.objects.filter(
            model_version__kind=ModelVersion.Kind.TWO_TOWER,
            model_version__promoted_at__isnull=False,
        )
        .exclude(index_path="")
        .select_related("model_version")
        .order_by("-model_version__promoted_at", "-created_at", "-pk")
        .first()
    )
    return embedding_set.model_version if embedding_set is not None else None


@dataclass(frozen=True)
class ServingVersions:
    """The model versions that serve the feed at one moment."""

    two_tower: ModelVersion | None
    gnn: ModelVersion | None


_versions_cache: list[tuple[float, ServingVersions]] = []


def get_serving_versions() -> ServingVersions:
    """Return the serving versions, looked up at most once per check interval.

    The lookup shares `RECOMMENDER_INDEX_CHECK_SECONDS` with the index, so a
    promotion reaches each process within that time.
    """
    interval = settings.RECOMMENDER_INDEX_CHECK_SECONDS
    if _versions_cache and time.monotonic() - _versions_cache[0][0] < interval:
        return _versions_cache[0][1]
    gnn = (
        ModelVersion.objects.filter(
            kind=ModelVersion.Kind.GNN, promoted_at__isnull=False
        )
        .order_by("-promoted_at", "-pk")
        .first()
    )
    versions = ServingVersions(two_tower=serving_version(), gnn=gnn)
    # One list assignment, so other threads read the old or the new entry.
    _versions_cache[:] = [(time.monotonic(), versions)]
    return versions


def get_serving_index(version: ModelVersion) -> ServingIndex | None:
    """Return this process's listing index for `version`, refreshed if due.

    Returns None while `version` has no built index. Raises OSError when
    the index files cannot be read.
    """
    state = _index_state
    current = state.current
    interval = settings.RECOMMENDER_INDEX_CHECK_SECONDS
    fresh_enough = time.monotonic() - state.checked_at < interval
    if current is not None and current.model_version_pk == version.pk:
        if fresh_enough:
            return current
        # Another thread is already checking: serve what is loaded.
        if not _index_refresh_lock.acquire(blocking=False):
            return current
    else:
        _index_refresh_lock.acquire()
    try:
        return _refresh_index(version)
    finally:
        _index_refresh_lock.release()


def _refresh_index(version: ModelVersion) -> ServingIndex | None:
    """Load a newer index or fresh vectors of `version`, if there are any."""
    state = _index_state
    current = state.current
    embedding_set = current_embedding_set(version)
    if embedding_set is None:
        state.checked_at = time.monotonic()
        return None
    stamp = _fresh_stamp(version.pk)
    same_set = current is not None and current.embedding_set_pk == embedding_set.pk
    if current is not None and same_set and current.fresh_stamp == stamp:
        state.checked_at = time.monotonic()
        return current

    ann = current.ann if current is not None and same_set else None
    if ann is None:
        ann = load_ann_index(Path(embedding_set.index_path))
        logger.info(
            "Loaded listing index %s (%s, %d listings) of model version %s",
            embedding_set.pk,
            ann.kind,
            len(ann),
            version.pk,
        )
        freeze_heap()
    fresh_pks, fresh_vectors = _load_fresh_vectors(version.pk, ann.dimension)
    replacement = ServingIndex(
        embedding_set_pk=embedding_set.pk,
        model_version_pk=version.pk,
        ann=ann,
        fresh_pks=fresh_pks,
        fresh_vectors=fresh_vectors,
        fresh_stamp=stamp,
    )
    # One assignment: requests read either the old or the new reference.
    state.current = replacement
    # Rankings of the replaced index hold it in memory and are stale anyway.
    clear_rankings()
    state.checked_at = time.monotonic()
    return replacement


def _fresh_stamp(model_version_pk: int) -> tuple[object, int]:
    summary = FreshListingVector.objects.filter(
        model_version_id=model_version_pk
    ).aggregate(latest=Max("updated_at"), count=Count("pk"))
    return summary["latest"], int(summary["count"])


def _load_fresh_vectors(
    model_version_pk: int, dimension: int
) -> tuple[np.ndarray, np.ndarray]:
    rows = list(
        FreshListingVector.objects.filter(model_version_id=model_version_pk)
        .order_by("listing_id")
        .values_list("listing_id", "vector")
    )
    pks: list[int] = []
    vectors: list[np.ndarray] = []
    for pk, blob in rows:
        vector = np.frombuffer(bytes(blob), dtype=np.float32)
        if len(vector) != dimension:
            # A vector of another width cannot be searched with this index.
            logger.error(
                "Fresh vector of listing %s has %d dimensions, the index %d; "
                "skipping it until the next build",
                pk,
                len(vector),
                dimension,
            )
            continue
        pks.append(pk)
        vectors.append(vector)
    if not vectors:
        return np.empty(0, dtype=np.int64), np.empty((0, dimension), np.float32)
    return np.asarray(pks, dtype=np.int64), np.stack(vectors)


def clear_caches() -> None:
    """Forget every loaded artifact; the next request loads them again.

    The cached feed rankings, which were built from them, are dropped too.
    """
    clear_rankings()
    with _lock:
        _models.clear()
        _gnn_models.clear()
    _versions_cache.clear()
    with _index_refresh_lock:
        _index_state.current = None
        _index_state.checked_at = float("-inf")
