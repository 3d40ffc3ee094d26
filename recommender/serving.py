"""Per-process caches of model artifacts and listing embeddings.

Web processes and workers load an artifact the first time they need it and
keep it until a newer version or embedding set is registered. Nothing here
is written back, so any number of processes can serve side by side.
"""

import logging
import threading
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
from django.conf import settings

from recommender.ml.two_tower import TwoTowerModel, load_two_tower
from recommender.models import ListingEmbeddingSet, ModelVersion

logger = logging.getLogger(__name__)

_lock = threading.Lock()
_models: dict[int, TwoTowerModel] = {}
_embedding_sets: dict[int, "ListingEmbeddings"] = {}


@dataclass(frozen=True)
class ListingEmbeddings:
    """Embeddings of the listings that were active when the set was built."""

    embedding_set_pk: int
    model_version_pk: int
    listing_pks: np.ndarray
    vectors: np.ndarray


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
        return model


def load_listing_embeddings(embedding_set: ListingEmbeddingSet) -> ListingEmbeddings:
    """Return the arrays of `embedding_set`, from this process's cache."""
    with _lock:
        cached = _embedding_sets.get(embedding_set.pk)
        if cached is None:
            with np.load(embedding_set.path) as arrays:
                cached = ListingEmbeddings(
                    embedding_set_pk=embedding_set.pk,
                    model_version_pk=embedding_set.model_version_id,
                    listing_pks=arrays["listing_pks"],
                    vectors=arrays["embeddings"],
                )
            _embedding_sets.clear()
            _embedding_sets[embedding_set.pk] = cached
            logger.info(
                "Loaded embedding set %s (%d listings)",
                embedding_set.pk,
                len(cached.listing_pks),
            )
        return cached


def clear_caches() -> None:
    """Forget every loaded artifact; the next request loads them again."""
    with _lock:
        _models.clear()
        _embedding_sets.clear()
