"""Suggestions computed and pushed for several visitors at once."""

import json

import pytest
import redis
from channels.db import database_sync_to_async
from channels_redis.core import RedisChannelLayer
from django.conf import settings
from django.utils import timezone

from listings.models import Listing
from marketplace.celery import app as celery_app
from marketplace.testing import sending_tasks_to
from moderation.tests.factories import BlockFactory
from recommender.tests.factories import UserFactory
from suggestions import pushing, selectors, serving
from suggestions.models import SessionView
from suggestions.push_queue import PENDING_KEY, add_pending, take_pending
from suggestions.selectors import compute_suggestions, compute_suggestions_batch
from suggestions.services import (
    _queue_push,
    push_pending_suggestions,
    push_suggestions,
)
from suggestions.tests.helpers import build_market, register_tailnet
from suggestions.visitors import Visitor


def listening_layer():
    """Return a channel layer of its own for the test to receive on.

    Receiving through the shared default layer in a test's event loop
    leaves it unable to receive in later tests' loops, which breaks the
    worker test that runs after this file.
    """
    return RedisChannelLayer(hosts=[settings.REDIS_URL])


@pytest.fixture(autouse=True)
def _fresh_model_cache():
    serving.clear_cache()
    yield
    serving.clear_cache()


def camera_sequences(listings):
    asins = {name: listing.product.parent_asin for name, listing in listings.items()}
    follow = ["sold"] * 6 + ["own"] * 5 + ["lens"] * 4 + ["tripod"] * 2
    return [[asins["camera"], asins[name]] for name in follow] + [
        [asins["bag"], asins["strap"]]
    ]


def store_view(visitor, listing, minutes_ago=0):
    SessionView.objects.create(
        user_id=visitor.user_pk,
        session_key=visitor.session_key,
        listing=listing,
        product=listing.product,
        viewed_at=timezone.now() - timezone.timedelta(minutes=minutes_ago),
    )


def titles(suggestions):
    return [item["title"] for item in suggestions.listings]


@pytest.mark.django_db
def test_batch_matches_one_visitor_at_a_time():
    buyer, listings = build_market()
    version = register_tailnet(camera_sequences(listings))
    blocker = UserFactory(username="blocker")
    BlockFactory(blocker=blocker, blocked=listings["camera"].seller)
    visitors = [
        Visitor(user_pk=buyer.pk, session_key=""),
        Visitor(user_pk=None, session_key="a" * 32),
        Visitor(user_pk=None, session_key="b" * 32),
        Visitor(user_pk=blocker.pk, session_key=""),
        None,
    ]
    store_view(visitors[0], listings["camera"])
    store_view(visitors[1], listings["camera"], minutes_ago=1)
    store_view(visitors[1], listings["lens"])
    store_view(visitors[2], listings["bag"])
    store_view(visitors[3], listings["camera"])

    batch = compute_suggestions_batch(visitors)

    assert batch == [compute_suggestions(visitor) for visitor in visitors]
    assert titles(batch[0])[:2] == ["lens", "tripod"]
    assert "own" not in titles(batch[0])
    assert "sold" not in titles(batch[1])
    assert "camera" not in titles(batch[1])
    assert "lens" not in titles(batch[1])
    # The blocked seller listed everything but the buyer's own listing.
    assert titles(batch[3]) == ["own"]
    # Without a viewed item TailNet ranks by clicks.
    assert batch[4].source == "popularity"
    assert batch[4].model_version == version.pk


@pytest.mark.django_db
def test_batch_history_cut_per_visitor(monkeypatch):
    monkeypatch.setattr(selectors, "MAX_HISTORY_VIEWS", 2)
    buyer, listings = build_market()
    user = Visitor(user_pk=buyer.pk, session_key="")
    anonymous = Visitor(user_pk=None, session_key="a" * 32)
    for minutes_ago, name in [(3, "camera"), (2, "lens"), (1, "tripod")]:
        store_view(user, listings[name], minutes_ago=minutes_ago)
    for minutes_ago, name in [(6, "bag"), (5, "strap"), (4, "camera")]:
        store_view(anonymous, listings[name], minutes_ago=minutes_ago)

    sessions, promoted = selectors._current_sessions_and_tailnet(
        [anonymous, None, user]
    )

    assert promoted is None
    assert sessions[0].viewed_listing_pks == [
        listings["strap"].pk,
        listings["camera"].pk,
    ]
    assert sessions[1].viewed_listing_pks == []
    assert sessions[2].viewed_listing_pks == [
        listings["lens"].pk,
        listings["tripod"].pk,
    ]
    assert sessions[2].item_ids == [
        listings["lens"].product.parent_asin,
        listings["tripod"].product.parent_asin,
    ]


@pytest.mark.django_db
def test_sold_and_hidden_listings_leave_suggestions():
    buyer, listings = build_market()
    register_tailnet(camera_sequences(listings))
    visitor = Visitor(user_pk=buyer.pk, session_key="")
    store_view(visitor, listings["camera"])
    assert titles(compute_suggestions(visitor, count=2)) == ["lens", "tripod"]

    # The checkout marks listings sold with a bulk update, which sends no
    # signal, so nothing cached may keep a sold listing.
    Listing.objects.filter(pk=listings["lens"].pk).update(status=Listing.Status.SOLD)
    Listing.objects.filter(pk=listings["tripod"].pk).update(hidden_by_staff=True)

    after = titles(compute_suggestions(visitor, count=2))
    assert "lens" not in after
    assert "tripod" not in after
    assert len(after) == 2


@pytest.mark.django_db
def test_take_pending_is_oldest_first_and_once():
    first = Visitor(user_pk=None, session_key="a" * 32)
    second = Visitor(user_pk=7, session_key="")
    assert add_pending(first)
    assert add_pending(second)
    assert add_pending(first)

    assert take_pending(2) == [first, second]
    assert take_pending(10) == [first]
    assert take_pending(10) == []


@pytest.mark.django_db
def test_take_pending_skips_invalid_entry():
    visitor = Visitor(user_pk=None, session_key="a" * 32)
    client = redis.Redis.from_url(settings.REDIS_URL)
    client.rpush(PENDING_KEY, "not json", "[null, null]")
    add_pending(visitor)

    assert take_pending(10) == [visitor]
    assert take_pending(10) == []


@pytest.mark.django_db
def test_pending_push_without_waiting_views_sends_nothing():
    buyer, _ = build_market()

    assert push_pending_suggestions(fallback=Visitor(buyer.pk, "")) == []


@pytest.mark.asyncio
@pytest.mark.django_db(transaction=True)
async def test_push_reaches_visitor_group():
    buyer, _ = await database_sync_to_async(build_market)()
    visitor = Visitor(user_pk=buyer.pk, session_key="")
    layer = listening_layer()
    channel = await layer.new_channel()
    await layer.group_add(visitor.group_name, channel)

    pushed = await database_sync_to_async(push_suggestions)(visitor)
    message = await layer.receive(channel)

    assert message["message"] == pushed.as_message()
    assert message["type"] == "suggestions.ready"
    assert message["message"]["source"] == "popularity"
    assert "own" not in [item["title"] for item in message["message"]["listings"]]
    await layer.group_discard(visitor.group_name, channel)
    await layer.close_pools()


def test_push_loop_reused():
    assert pushing._running_loop() is pushing._running_loop()


@pytest.mark.asyncio
@pytest.mark.django_db(transaction=True)
async def test_pending_views_pushed_once_each():
    _, listings = await database_sync_to_async(build_market)()
    await database_sync_to_async(register_tailnet)(camera_sequences(listings))
    first = Visitor(user_pk=None, session_key="a" * 32)
    second = Visitor(user_pk=None, session_key="b" * 32)
    await database_sync_to_async(store_view)(first, listings["camera"])
    await database_sync_to_async(store_view)(second, listings["bag"])
    layer = listening_layer()
    channels = {}
    for visitor in (first, second):
        channels[visitor] = await layer.new_channel()
        await layer.group_add(visitor.group_name, channels[visitor])
    for visitor in (first, second, first):
        assert await database_sync_to_async(add_pending)(visitor)

    pushed = await database_sync_to_async(push_pending_suggestions)(fallback=second)
    again = await database_sync_to_async(push_pending_suggestions)(fallback=second)

    assert len(pushed) == 3
    assert again == []
    received = {visitor: [] for visitor in (first, second)}
    for visitor, count in ((first, 2), (second, 1)):
        for _ in range(count):
            message = await layer.receive(channels[visitor])
            received[visitor].append(message["message"])
    assert received[first][0] == received[first][1]
    assert received[first][0]["source"] == "tailnet"
    # An anonymous visitor may get the buyer's own listing, never the sold.
    assert [item["title"] for item in received[first][0]["listings"]][:2] == [
        "own",
        "lens",
    ]
    assert "bag" not in [item["title"] for item in received[second][0]["listings"]]
    for visitor in (first, second):
        await layer.group_discard(visitor.group_name, channels[visitor])
    await layer.close_pools()


def test_view_push_goes_to_suggestions_queue(settings):
    client = redis.Redis.from_url(settings.REDIS_URL)
    pushes, others = "suggestions-route-test", "default-route-test"
    client.delete(pushes, others)
    settings.SUGGESTIONS_QUEUE = pushes
    try:
        with sending_tasks_to(celery_app, broker_url=settings.REDIS_URL, queue=others):
            _queue_push(Visitor(user_pk=None, session_key="route-test"))
        assert client.llen(pushes) == 1
        assert client.llen(others) == 0
        message = json.loads(client.lindex(pushes, 0))
        assert message["headers"]["task"] == "suggestions.push_suggestions"
    finally:
        client.delete(pushes, others)
        client.delete(PENDING_KEY)
