"""Train a TailNet on stored or benchmark data and register the version."""

import logging
import uuid
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from recommender.ml.sessions import PrefixExamples, build_prefix_examples
from recommender.ml.tailnet import TailNetConfig, save_tailnet, train_tailnet
from recommender.ml.tailnet.evaluation import PRIOR_DAYS, load_electronics
from recommender.ml.tailnet.prior import RecentItemPrior
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


def sequence_examples(
    sequences: Sequence[Sequence[str]], *, max_length: int
) -> tuple[PrefixExamples, list[str], np.ndarray]:
    """Build next-item examples from item-id sequences.

    Every position after the first of a sequence is an example. Returns
    the examples, the item vocabulary and the clicks per item. Raises
    ValueError when the sequences give no example.
    """
    item_ids = sorted({item for sequence in sequences for item in sequence})
    index = {item: position for position, item in enumerate(item_ids)}
    arrays = [
        np.array([index[item] for item in sequence], dtype=np.int64)
        for sequence in sequences
    ]
    examples = build_prefix_examples(arrays, max_length=max_length)
    if len(examples) == 0:
        raise ValueError(
            f"None of the {len(sequences)} sequences has the two items that a "
            "training example needs. Import interactions or record more views "
            "first."
        )
    click_counts = np.bincount(np.concatenate(arrays), minlength=len(item_ids))
    return examples, item_ids, click_counts.astype(np.int64)


def electronics_examples(
    directory: Path,
    *,
    max_examples: int | None,
    seed: int = 0,
    prior_days: float = PRIOR_DAYS,
) -> tuple[PrefixExamples, PrefixExamples, list[str], np.ndarray, RecentItemPrior]:
    """Read the Electronics kcore5 files as train and valid examples.

    `max_examples` keeps a random sample of the training examples, drawn
    with `seed`, for a small run. Item ids are the files' `parent_asin`
    values, as in the catalog. The last value is the item prior over all
    the files' interactions with a `prior_days` window.
    """
    data = load_electronics(directory, recent_days=30, prior_days=prior_days)
    if data.prior is None:
        raise ValueError(f"{directory} gave no interaction times for the prior.")
    train = data.train
    if max_examples is not None and max_examples < len(train):
        generator = np.random.default_rng(seed)
        rows = generator.choice(len(train), size=max_examples, replace=False)
        train = train.subset(np.sort(rows))
    return train, data.valid, data.item_ids, data.click_counts, data.prior


def train_and_register(
    train: PrefixExamples,
    item_ids: Sequence[str],
    click_counts: np.ndarray,
    config: TailNetConfig,
    *,
    valid: PrefixExamples | None = None,
    prior: RecentItemPrior | None = None,
    promote: bool = True,
    details: dict[str, Any] | None = None,
) -> ModelVersion:
    """Train a TailNet and store it as a model version.

    `details` is stored with the training figures in the version's
    metrics. With `valid`, the epoch with the best validation score is
    kept. `prior` is required when `config.item_prior` is on.
    """
    result = train_tailnet(
        train, item_ids, click_counts, config, valid=valid, prior=prior
    )

    directory = Path(settings.RECOMMENDER_ARTIFACT_DIR) / "models" / "tailnet"
    directory.mkdir(parents=True, exist_ok=True)
    artifact = directory / f"{uuid.uuid4().hex}.pt"
    save_tailnet(result.model, artifact)
    metrics = {
        **(details or {}),
        "examples": len(train),
        "items": len(item_ids),
        "epoch_losses": result.epoch_losses,
        "valid_metrics": result.valid_metrics,
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
        len(train),
        len(item_ids),
        result.seconds,
    )
    return version
