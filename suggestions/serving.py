"""The current TailNet version, loaded lazily once per process."""

import logging
import threading
from pathlib import Path

import torch
from django.conf import settings

from recommender.ml.tailnet import TailNet, load_tailnet
from recommender.models import ModelVersion

logger = logging.getLogger(__name__)

_lock = threading.Lock()
_loaded: tuple[int, TailNet] | None = None


def current_tailnet() -> tuple[int, TailNet] | None:
    """Return the id and model of the promoted TailNet version, or None.

    The promoted version is looked up on every call, so a worker switches
    to a newly registered version on its next task without a restart. The
    artifact is read only when the version changes. A version whose file
    cannot be read is logged and treated as absent.
    """
    global _loaded
    version = (
        ModelVersion.objects.filter(
            kind=ModelVersion.Kind.TAILNET, promoted_at__isnull=False
        )
        .order_by("-promoted_at", "-pk")
        .first()
    )
    if version is None:
        return None
    with _lock:
        if _loaded is not None and _loaded[0] == version.pk:
            return _loaded
        torch.set_num_threads(settings.RECOMMENDER_SERVING_THREADS)
        try:
            model = load_tailnet(Path(version.artifact_path))
        except (OSError, ValueError) as error:
            logger.error(
                "Failed to load TailNet version %s from %s: %s",
                version.pk,
                version.artifact_path,
                error,
            )
            return None
        logger.info("Loaded TailNet version %s", version.pk)
        _loaded = (version.pk, model)
        return _loaded


def clear_cache() -> None:
    """Forget the loaded model, so that the next call reads the file again."""
    global _loaded
    with _lock:
        _loaded = None
