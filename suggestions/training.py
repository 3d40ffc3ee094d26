"""Train a TailNet on item sequences and register it as a model version."""

import logging
import uuid
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from recommender.ml.sessions import build_prefix_examples
from recommender.ml.tailnet import TailNetConfig, save_tailnet, train_tailnet
from recommender.models import Interaction, ModelVersion

logger = logging.getLogger(__name__)


def interaction_sequences(*, max_actors: int | None = None) -> list[list[str]]:
    """Return each actor's product ids (`parent_asin`), oldest first.

    Actors are site users and imported reviewers; interactions without a
    product are skipped. `max_actors` keeps the first actors by id, for a
    small training run.
    """
    rows = (
        Interaction.objects.filter(product__isnull=False)
        .order_by("user_id", "reviewer_id", "occurred_at", "pk")
        .values_list("user_id", "reviewer_id", "product__parent_asin")
    )
    sequences: list[list[str]] = []
    previous: tuple[int | None, int | None] | None = None
    for user_pk, reviewer_pk, asin in rows.iterator(chunk_size=10_000):
        actor = (user_pk, reviewer_pk)
        if actor != previous:
            if max_actors is not None and len(sequences) == max_actors:
                break
            sequences.append([])
            previous = actor
        sequences[-1].append(asin)
    return sequences


def train_and_register(
    sequences: Sequence[Sequence[str]],
    config: TailNetConfig,
    *,
    promote: bool = True,
) -> ModelVersion:
    """Train a TailNet on item-id sequences and store it as a version.

    Every position after the first of a sequence is a training example.
    Raises ValueError when the sequences give no example.
    """
    item_ids = sorted({item for sequence in sequences for item in sequence})
    index = {item: position for position, item in enumerate(item_ids)}
    arrays = [
        np.array([index[item] for item in sequence], dtype=np.int64)
        for sequence in sequences
    ]
    examples = build_prefix_examples(arrays, max_length=config.max_length)
    if len(examples) == 0:
        raise ValueError(
            f"None of the {len(sequences)} sequences has the two items that a "
            "training example needs. Import interactions or record more views "
            "first."
        )
    click_counts = np.bincount(np.concatenate(arrays), minlength=len(item_ids)).astype(
        np.int64
    )
    result = train_tailnet(examples, item_ids, click_counts, config)

    directory = Path(settings.RECOMMENDER_ARTIFACT_DIR) / "models" / "tailnet"
    directory.mkdir(parents=True, exist_ok=True)
    artifact = directory / f"{uuid.uuid4().hex}.pt"
    save_tailnet(result.model, artifact)
    metrics = {
        "examples": len(examples),
        "items": len(item_ids),
        "sequences": len(sequences),
        "epoch_losses": result.epoch_losses,
        "best_epoch": result.best_epoch,
    }
    with transaction.atomic():
        parent = (
            ModelVersion.objects.filter(
                kind=ModelVersion.Kind.TAILNET, promoted_at__isnull=False
            )
            .order_by("-promoted_at", "-pk")
            .first()
        )
        version = ModelVersion.objects.create(
            kind=ModelVersion.Kind.TAILNET,
            artifact_path=str(artifact),
            config=config.to_state(),
            metrics=metrics,
            parent=parent,
            training_seconds=result.seconds,
            promoted_at=timezone.now() if promote else None,
        )
    logger.info(
        "Registered TailNet version %s: %d examples over %d items in %.1f s",
        version.pk,
        len(examples),
        len(item_ids),
        result.seconds,
    )
    return version
