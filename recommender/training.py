"""Train model versions from snapshots and register them."""

import logging
import time
import uuid
from dataclasses import replace
from pathlib import Path

import numpy as np
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from recommender.ml.data import InteractionLog, read_snapshot
from recommender.ml.gnn import GnnConfig, save_gnn, train_gnn
from recommender.ml.two_tower import TwoTowerConfig, save_two_tower, train_two_tower
from recommender.models import Interaction, ModelVersion, TrainingSnapshot
from recommender.snapshots import export_snapshot

logger = logging.getLogger(__name__)

# The newest share of events, by time, held out to pick the epoch and to
# report validation metrics.
VALIDATION_FRACTION = 0.05


class NothingToTrainError(ValueError):
    """The interaction log is empty, so no model can be trained."""


def split_by_time(
    log: InteractionLog, *, validation_fraction: float
) -> tuple[InteractionLog, InteractionLog]:
    """Split events at the time quantile `1 - validation_fraction`."""
    if not 0 < validation_fraction < 1:
        raise ValueError(
            f"validation_fraction={validation_fraction} must lie strictly "
            "between 0 and 1."
        )
    cutoff = np.quantile(log.timestamp_ms, 1 - validation_fraction)
    in_training = log.timestamp_ms <= cutoff
    return log.subset(in_training), log.subset(~in_training)


def train_two_tower_version(
    *,
    snapshot_pk: int | None = None,
    epochs: int | None = None,
    seed: int = 0,
    promote: bool = True,
) -> ModelVersion:
    """Train a Two-Tower model on a snapshot (a fresh one by default).

    The newest events are held out for validation. The registered version
    is promoted at once unless `promote` is false.
    """
    snapshot, log = _load_training_log(snapshot_pk)
    train, valid = split_by_time(log, validation_fraction=VALIDATION_FRACTION)

    config = TwoTowerConfig(seed=seed, threads=settings.RECOMMENDER_TRAINING_THREADS)
    if epochs is not None:
        config = replace(config, epochs=epochs)
    started = time.perf_counter()
    result = train_two_tower(train, config, valid=valid)
    elapsed = time.perf_counter() - started
    best = result.valid_metrics[result.best_epoch - 1] if result.valid_metrics else {}
    metrics = {
        "valid": best,
        "best_epoch": result.best_epoch,
        "epoch_losses": result.epoch_losses,
        "train_events": len(train),
        "valid_events": len(valid),
    }

    directory = Path(settings.RECOMMENDER_ARTIFACT_DIR) / "models" / "two_tower"
    directory.mkdir(parents=True, exist_ok=True)
    artifact = directory / f"{uuid.uuid4().hex}.pt"
    save_two_tower(result.model, artifact)

    with transaction.atomic():
        parent = current_version(ModelVersion.Kind.TWO_TOWER)
        version = ModelVersion.objects.create(
            kind=ModelVersion.Kind.TWO_TOWER,
            artifact_path=str(artifact),
            config=config.to_state(),
            metrics=metrics,
            snapshot=snapshot,
            parent=parent,
            training_seconds=elapsed,
            promoted_at=timezone.now() if promote else None,
        )
    logger.info(
        "Registered two_tower version %s from snapshot %s in %.1f s",
        version.pk,
        snapshot.pk,
        elapsed,
    )
    return version


def train_gnn_version(
    *,
    snapshot_pk: int | None = None,
    epochs: int | None = None,
    seed: int = 0,
    promote: bool = True,
) -> ModelVersion:
    """Train a GNN scorer on a snapshot (a fresh one by default).

    The same time split as the Two-Tower model holds out the newest events
    to pick the step. The feed scores its candidates with the promoted
    version.
    """
    snapshot, log = _load_training_log(snapshot_pk)
    train, valid = split_by_time(log, validation_fraction=VALIDATION_FRACTION)
    config = GnnConfig(seed=seed, threads=settings.RECOMMENDER_TRAINING_THREADS)
    if epochs is not None:
        config = replace(config, epochs=epochs)
    result = train_gnn(train, config, valid=valid)
    metrics = {
        "valid": {
            str(step): figures
            for step, figures in zip(
                result.valid_epochs, result.valid_metrics, strict=True
            )
        },
        "best_epoch": result.best_epoch,
        "train_events": len(train),
        "valid_events": len(valid),
    }
    directory = Path(settings.RECOMMENDER_ARTIFACT_DIR) / "models" / "gnn"
    directory.mkdir(parents=True, exist_ok=True)
    artifact = directory / f"{uuid.uuid4().hex}.pt"
    save_gnn(result.model, artifact)

    with transaction.atomic():
        version = ModelVersion.objects.create(
            kind=ModelVersion.Kind.GNN,
            artifact_path=str(artifact),
            config=config.to_state(),
            metrics=metrics,
            snapshot=snapshot,
            parent=current_version(ModelVersion.Kind.GNN),
            training_seconds=result.seconds,
            promoted_at=timezone.now() if promote else None,
        )
    logger.info(
        "Registered gnn version %s from snapshot %s in %.1f s",
        version.pk,
        snapshot.pk,
        result.seconds,
    )
    return version


def _load_training_log(
    snapshot_pk: int | None,
) -> tuple[TrainingSnapshot, InteractionLog]:
    """Return a snapshot (a new export by default) and its events."""
    if snapshot_pk is None:
        if not Interaction.objects.filter(product__isnull=False).exists():
            raise NothingToTrainError(
                "There are no interactions to train on; import data with "
                "`python manage.py import_amazon` before training."
            )
        snapshot = export_snapshot()
    else:
        snapshot = TrainingSnapshot.objects.get(pk=snapshot_pk)
    log = read_snapshot(Path(snapshot.path))
    if len(log) == 0:
        raise NothingToTrainError(
            f"Snapshot {snapshot.pk} contains no interactions; import data with "
            "`python manage.py import_amazon` and train on a new snapshot."
        )
    return snapshot, log


def current_version(kind: str) -> ModelVersion | None:
    """Return the most recently promoted version of a model kind."""
    return (
        ModelVersion.objects.filter(kind=kind, promoted_at__isnull=False)
        .order_by("-promoted_at", "-pk")
        .first()
    )
