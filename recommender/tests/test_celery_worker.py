"""Training through a real Celery worker process and the Redis broker."""

import time
from pathlib import Path

import pytest
import redis

from marketplace.testing import running_worker
from recommender.models import ListingEmbeddingSet, ModelVersion
from recommender.tasks import train_model_task
from recommender.tests.scenarios import build_catalog

# A Redis database of its own, so that no other client's tasks are consumed.
BROKER_URL = "redis://127.0.0.1:6379/14"


@pytest.fixture
def worker(transactional_db, artifact_dir, tmp_path):
    redis.Redis.from_url(BROKER_URL).flushdb()
    with running_worker(
        broker_url=BROKER_URL,
        log_path=tmp_path / "worker.log",
        environment={
            "RECOMMENDER_ARTIFACT_DIR": str(artifact_dir),
            "RECOMMENDER_TRAINING_THREADS": "1",
        },
        start_seconds=60,
    ) as client:
        yield client


def test_worker_trains_and_builds_embeddings(worker):
    build_catalog()

    result = worker.send_task(train_model_task.name, args=["two_tower", None, 3])
    version_pk = result.get(timeout=300)

    version = ModelVersion.objects.get(pk=version_pk)
    assert version.promoted_at is not None
    assert Path(version.artifact_path).exists()
    deadline = time.monotonic() + 120
    while not ListingEmbeddingSet.objects.filter(model_version=version).exists():
        assert time.monotonic() < deadline, "the embedding task never ran"
        time.sleep(0.5)
    assert ListingEmbeddingSet.objects.get(model_version=version).listing_count == 30
