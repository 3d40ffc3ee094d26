"""Celery tasks of the recommender: thin wrappers over the services."""

import logging

from celery import shared_task
from django.db import transaction

from recommender.embeddings import build_listing_embeddings, embed_fresh_listing
from recommender.models import ModelVersion
from recommender.training import train_gnn_version, train_two_tower_version

logger = logging.getLogger(__name__)

TRAINABLE_KINDS = (ModelVersion.Kind.TWO_TOWER, ModelVersion.Kind.GNN)


@shared_task(soft_time_limit=3 * 3600, time_limit=3 * 3600 + 300)
def train_model_task(
    kind: str, snapshot_pk: int | None = None, epochs: int | None = None
) -> int:
    """Train and register a model version; return its pk.

    A promoted Two-Tower version gets its listing index built right after.
    """
    if kind == ModelVersion.Kind.GNN:
        return train_gnn_version(snapshot_pk=snapshot_pk, epochs=epochs).pk
    if kind != ModelVersion.Kind.TWO_TOWER:
        raise ValueError(
            f"Unknown or not yet trainable model kind {kind!r}; use one of "
            f"{', '.join(repr(str(value)) for value in TRAINABLE_KINDS)}."
        )
    version = train_two_tower_version(snapshot_pk=snapshot_pk, epochs=epochs)
    if version.promoted_at is not None:
        transaction.on_commit(lambda: build_listing_embeddings_task.delay(version.pk))
    return version.pk


@shared_task(soft_time_limit=1800, time_limit=1900)
def build_listing_embeddings_task(model_version_pk: int) -> int:
    """Embed and index the active listings; return the embedding set's pk."""
    return build_listing_embeddings(model_version_pk=model_version_pk).pk


@shared_task(soft_time_limit=60, time_limit=90)
def embed_fresh_listing_task(listing_pk: int) -> bool:
    """Add a new or edited listing to the live index; return if it was."""
    return embed_fresh_listing(listing_pk=listing_pk)
