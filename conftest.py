"""Fixtures shared by every app's tests.

The suite runs against the PostgreSQL and Redis servers on this machine; the
connection defaults are in pyproject.toml and the environment overrides them.
"""

from pathlib import Path

import pytest
import torch


@pytest.fixture(autouse=True)
def _single_thread_torch() -> None:
    # A tiny model on a shared 2-core machine runs far slower with several
    # intra-op threads than with one.
    torch.set_num_threads(1)


@pytest.fixture(autouse=True)
def artifact_dir(settings, tmp_path: Path) -> Path:
    """Give each test its own directory for snapshots and model files."""
    directory = tmp_path / "artifacts"
    settings.RECOMMENDER_ARTIFACT_DIR = directory
    return directory


@pytest.fixture(autouse=True)
def _fresh_caches():
    from django.core.cache import cache

    from recommender.serving import clear_caches

    cache.clear()
    clear_caches()
    yield
    clear_caches()
