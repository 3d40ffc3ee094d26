"""Training through a real Celery worker process and the Redis broker."""

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
import redis
from celery import Celery
from django.conf import settings
from django.db import connection

from recommender.models import ListingEmbeddingSet, ModelVersion
from recommender.tasks import train_model_task
from recommender.tests.scenarios import build_catalog

# A Redis database of its own, so that no other client's tasks are consumed.
BROKER_URL = "redis://127.0.0.1:6379/14"
PROJECT_ROOT = Path(__file__).resolve().parents[2]


def _database_url() -> str:
    database = connection.settings_dict
    host = database["HOST"] or "127.0.0.1"
    port = database["PORT"] or "5432"
    password = f":{database['PASSWORD']}" if database["PASSWORD"] else ""
    return f"postgres://{database['USER']}{password}@{host}:{port}/{database['NAME']}"


@pytest.fixture
def worker(transactional_db, artifact_dir, tmp_path):
    redis.Redis.from_url(BROKER_URL).flushdb()
    environment = {
        **os.environ,
        "DATABASE_URL": _database_url(),
        "CELERY_BROKER_URL": BROKER_URL,
        "CELERY_RESULT_BACKEND": BROKER_URL,
        "RECOMMENDER_ARTIFACT_DIR": str(artifact_dir),
        "RECOMMENDER_TRAINING_THREADS": "1",
        "SECRET_KEY": settings.SECRET_KEY,
    }
    log_path = tmp_path / "worker.log"
    with log_path.open("w") as log:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "marketplace",
                "worker",
                "--concurrency=1",
                "--pool=solo",
                "--without-heartbeat",
                "--without-gossip",
                "--without-mingle",
                "--loglevel=INFO",
            ],
            cwd=PROJECT_ROOT,
            env=environment,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    # A client app of its own: the project app runs eagerly in this process.
    # It must not become the current app, or later tests' `delay` calls
    # would go to this broker and wait for a worker that has stopped.
    client = Celery(
        "test-client", broker=BROKER_URL, backend=BROKER_URL, set_as_current=False
    )
    try:
        deadline = time.monotonic() + 60
        while not client.control.ping(timeout=1):
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"worker did not start:\n{log_path.read_text()}")
        yield client
    finally:
        client.close()
        process.terminate()
        process.wait(timeout=30)


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
