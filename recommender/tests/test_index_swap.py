import threading
import time

import pytest
from django.db import connections
from django.test import Client
from django.urls import reverse

from recommender import serving
from recommender.models import ListingEmbeddingSet
from recommender.tasks import build_listing_embeddings_task, train_model_task
from recommender.tests.factories import UserFactory
from recommender.tests.scenarios import build_catalog

# Threads use their own database connections, so the data must be committed.
pytestmark = pytest.mark.django_db(transaction=True)

CLIENT_THREADS = 4
REBUILDS = 3


def wait_until_served(served: list[int], count: int) -> None:
    deadline = time.monotonic() + 120
    while min(served) < count and time.monotonic() < deadline:
        time.sleep(0.01)


def test_index_swap_under_concurrent_requests(settings):
    settings.RECOMMENDER_INDEX_CHECK_SECONDS = 0
    catalog = build_catalog()
    # Eager Celery: the training commits, then the index build runs.
    version_pk = train_model_task.delay("two_tower", None, 5).get()
    build_listing_embeddings_task.delay(version_pk).get()
    buyer = UserFactory(username="swap-buyer")
    catalog.reviewers["cameras"][0].user = buyer
    catalog.reviewers["cameras"][0].save()

    stop = threading.Event()
    failures: list[str] = []
    strategies: set[str] = set()
    served = [0] * CLIENT_THREADS
    sets_seen: set[int] = set()

    def request_feed(number: int) -> None:
        client = Client()
        client.force_login(buyer)
        try:
            while not stop.is_set():
                response = client.get(reverse("feed"), {"page_size": 10})
                if response.status_code != 200:
                    failures.append(f"{response.status_code}: {response.content!r}")
                    continue
                page = response.json()
                strategies.add(page["strategy"])
                if len(page["results"]) != 10:
                    failures.append(f"{len(page['results'])} results")
                served[number] += 1
                current = serving._index_state.current
                if current is not None:
                    sets_seen.add(current.embedding_set_pk)
        except Exception as error:
            # Any error in a thread fails the test through `failures`.
            failures.append(repr(error))
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=request_feed, args=(number,))
        for number in range(CLIENT_THREADS)
    ]
    for thread in threads:
        thread.start()
    built = []
    for round_number in range(1, REBUILDS + 1):
        # Each build lands while every client is mid-scroll.
        wait_until_served(served, 3 * round_number)
        built.append(build_listing_embeddings_task.delay(version_pk).get())
    wait_until_served(served, 3 * REBUILDS + 3)
    stop.set()
    for thread in threads:
        thread.join(timeout=120)

    latest = ListingEmbeddingSet.objects.order_by("-created_at", "-pk").first()
    assert failures == []
    assert strategies == {"two_tower"}
    assert min(served) >= 3 * REBUILDS + 3
    assert len(sets_seen) == REBUILDS + 1
    assert latest.pk == built[-1]
    assert serving._index_state.current.embedding_set_pk == built[-1]
