"""Celery tasks of the recommender: thin wrappers over the services."""

import logging

from celery import shared_task
from django.db import transaction

from recommender.embeddings import build_listing_embeddings
from recommender.models import ModelVersion
from recommender.training import train_two_tower_version

logger = logging.getLogger(__name__)


@shared_task(soft_time_limit=3 * 3600, time_limit=3 * 3600 + 300)
def train_model_task(
    kind: str, snapshot_pk: int | None = None, epochs: int | None = None
) -> int:
    """Train and register a model version; return its pk.

    A promoted version gets its listing embeddings built right after.
    """
    if kind != ModelVersion.Kind.TWO_TOWER:
        raise ValueError(
            f"Unknown or not yet trainable model kind {kind!r}; "
            f"use {ModelVersion.Kind.TWO_TOWER!r}."
        )
    version = train_two_tower_version(snapshot_pk=snapshot_pk, epochs=epochs)
    if version.promoted_at is not None:
        transaction.on_commit(lambda: build_listing_embeddings_task.delay(version.pk))
    return version.pk


@shared_task(soft_time_limit=1800, time_limit=1900)
def build_listing_embeddings_task(model_version_pk: int) -> int:
    """Embed the active listings with a model version; return the set's pk."""
    return build_listing_embeddings(model_version_pk=model_version_pk).pk
