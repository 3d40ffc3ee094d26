"""Helpers for the tests that run a real Celery worker process."""

import os
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

from celery import Celery
from django.conf import settings
from django.db import connection

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class WorkerStartError(RuntimeError):
    """The worker process exited or did not answer a ping in time."""


def database_url() -> str:
    """Return a DATABASE_URL for the database this process is connected to.

    The test database's name differs from the configured one, so a worker
    started by a test must be pointed at it explicitly.
    """
    database = connection.settings_dict
    host = database["HOST"] or "127.0.0.1"
    port = database["PORT"] or "5432"
    password = f":{database['PASSWORD']}" if database["PASSWORD"] else ""
    return f"postgres://{database['USER']}{password}@{host}:{port}/{database['NAME']}"


@contextmanager
def running_worker(
    *,
    broker_url: str,
    log_path: Path,
    environment: Mapping[str, str] | None = None,
    queue: str | None = None,
    client: Celery | None = None,
    start_seconds: float = 90,
) -> Iterator[Celery]:
    """Run a solo Celery worker of the project and yield a client for it.

    The worker uses `broker_url` as broker and result backend, the test
    database, and `environment` on top. With `queue` it consumes only that
    queue, so other workers on the same broker never take its tasks.
    Without `client`, a client app of its own is made; it is not set as the
    current app, because later tests' `delay` calls must stay eager.
    """
    worker_environment = {
        **os.environ,
        "DATABASE_URL": database_url(),
        "CELERY_BROKER_URL": broker_url,
        "CELERY_RESULT_BACKEND": broker_url,
        "SECRET_KEY": settings.SECRET_KEY,
        **(environment or {}),
    }
    command = [
        sys.executable,
        "-m",
        "celery",
        "-A",
        "marketplace",
        "worker",
        "--pool=solo",
        "--without-heartbeat",
        "--without-gossip",
        "--without-mingle",
        "--loglevel=INFO",
    ]
    destination = None
    if queue is not None:
        command += [f"--queues={queue}", f"--hostname={queue}@localhost"]
        destination = [f"{queue}@localhost"]

    with log_path.open("w") as log:
        process = subprocess.Popen(
            command,
            cwd=PROJECT_ROOT,
            env=worker_environment,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    own_client = client is None
    if client is None:
        client = Celery(
            "test-client", broker=broker_url, backend=broker_url, set_as_current=False
        )
    try:
        deadline = time.monotonic() + start_seconds
        while not client.control.ping(destination=destination, timeout=1):
            if process.poll() is not None or time.monotonic() > deadline:
                raise WorkerStartError(
                    f"The Celery worker did not start:\n{log_path.read_text()}"
                )
        yield client
    finally:
        if own_client:
            client.close()
        process.terminate()
        process.wait(timeout=30)


@contextmanager
def sending_tasks_to(app: Celery, *, broker_url: str, queue: str) -> Iterator[None]:
    """Make `app` send tasks to `queue` on `broker_url` instead of eagerly.

    The app caches its broker connection pool and producer pool on first
    use, and an eager `delay()` already uses them (Celery 5.7 acquires a
    producer before it runs the task in place). A pool made by an earlier
    test for the in-memory broker would keep sending to that broker, where
    no worker listens, so both pools are dropped on entry and on exit.
    """
    previous = {
        "task_always_eager": app.conf.task_always_eager,
        "broker_url": app.conf.broker_url,
        "task_default_queue": app.conf.task_default_queue,
    }
    app.conf.update(
        task_always_eager=False, broker_url=broker_url, task_default_queue=queue
    )
    _drop_broker_pools(app)
    try:
        yield
    finally:
        app.conf.update(previous)
        _drop_broker_pools(app)


def _drop_broker_pools(app: Celery) -> None:
    # Celery has no public call that drops these pools without also
    # deregistering the app (Celery.close), so the cached attributes are
    # reset. The next send makes new pools from the current settings. The
    # old pools stay open in kombu's registry, keyed by broker URL, and are
    # reused when the app switches back.
    app._pool = None
    app.amqp._producer_pool = None
