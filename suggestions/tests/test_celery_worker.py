"""Views in, suggestions out, through a real Celery worker and Redis.

The test process runs the ASGI application; the worker process computes
the suggestions and sends them through the Redis channel layer.
"""

import pytest
import redis
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.conf import settings

from marketplace.asgi import application
from marketplace.celery import app as celery_app
from marketplace.testing import running_worker, sending_tasks_to
from suggestions.tests.helpers import build_market, register_tailnet, session_cookie

# Suggestions must arrive within this many seconds of a view.
PUSH_TIMEOUT_SECONDS = 10
# The queue of this test alone, so that no other worker takes its tasks.
QUEUE = "suggestions-test"

pytestmark = [pytest.mark.asyncio, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def worker(transactional_db, artifact_dir, tmp_path, settings):
    settings.SUGGESTIONS_QUEUE = QUEUE
    broker_url = settings.REDIS_URL
    redis.Redis.from_url(broker_url).delete(QUEUE)
    log_path = tmp_path / "worker.log"
    # The project app runs tasks eagerly in tests, so it is pointed at the
    # broker and the test queue while the worker runs.
    with (
        sending_tasks_to(celery_app, broker_url=broker_url, queue=QUEUE),
        running_worker(
            broker_url=broker_url,
            log_path=log_path,
            environment={
                "RECOMMENDER_ARTIFACT_DIR": str(artifact_dir),
                "RECOMMENDER_SERVING_THREADS": "1",
            },
            queue=QUEUE,
            start_seconds=60,
        ),
    ):
        yield log_path


async def test_worker_pushes_buyable_suggestions(worker):
    buyer, listings = await database_sync_to_async(build_market)()

    def train():
        asins = {
            name: listing.product.parent_asin for name, listing in listings.items()
        }
        follow = ["sold"] * 6 + ["own"] * 5 + ["lens"] * 4 + ["tripod"] * 2
        return register_tailnet([[asins["camera"], asins[name]] for name in follow])

    version = await database_sync_to_async(train)()
    cookie = await database_sync_to_async(session_cookie)(buyer)
    socket = WebsocketCommunicator(
        application,
        "/ws/session/",
        headers=[
            (b"origin", b"http://127.0.0.1"),
            (b"cookie", f"{settings.SESSION_COOKIE_NAME}={cookie}".encode()),
        ],
    )
    connected, _ = await socket.connect()
    assert connected

    await socket.send_json_to({"type": "view", "listing": listings["camera"].pk})
    acknowledgement = await socket.receive_json_from(timeout=PUSH_TIMEOUT_SECONDS)
    suggestions = await socket.receive_json_from(timeout=PUSH_TIMEOUT_SECONDS)

    assert acknowledgement == {"type": "viewed", "listing": listings["camera"].pk}
    assert suggestions["type"] == "suggestions", worker.read_text()
    assert suggestions["source"] == "tailnet"
    assert suggestions["model_version"] == version.pk
    suggested = [listing["id"] for listing in suggestions["listings"]]
    assert listings["sold"].pk not in suggested
    assert listings["own"].pk not in suggested
    assert listings["camera"].pk not in suggested
    assert suggested[:2] == [listings["lens"].pk, listings["tripod"].pk]

    # A version registered while the worker runs serves the next view.
    newer = await database_sync_to_async(train)()
    await socket.send_json_to({"type": "view", "listing": listings["lens"].pk})
    await socket.receive_json_from(timeout=PUSH_TIMEOUT_SECONDS)
    suggestions = await socket.receive_json_from(timeout=PUSH_TIMEOUT_SECONDS)

    assert suggestions["model_version"] == newer.pk
    suggested = [listing["id"] for listing in suggestions["listings"]]
    assert listings["sold"].pk not in suggested
    assert listings["own"].pk not in suggested
    assert listings["lens"].pk not in suggested
    assert listings["camera"].pk not in suggested
    # Both pushes came from the worker, not from an eager run in this process.
    # The worker logs "received" before it runs a task and "succeeded" only
    # after the push, so only the first is sure to be written by now.
    received = [
        line
        for line in worker.read_text().splitlines()
        if "Task suggestions.push_suggestions[" in line and line.endswith("received")
    ]
    assert len(received) == 2
    await socket.disconnect()
