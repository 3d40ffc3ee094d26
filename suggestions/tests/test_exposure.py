"""Exposure counts of suggested items, in Redis and without it."""

import logging
import socket
from datetime import UTC, datetime

import pytest
import redis

from suggestions import exposure, push_queue

NOON = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)
NEXT_DAY = datetime(2026, 3, 11, 0, 30, tzinfo=UTC)
TWO_DAYS_LATER = datetime(2026, 3, 12, 8, 0, tzinfo=UTC)


def clear_exposure_keys(url):
    client = redis.Redis.from_url(url)
    for key in client.scan_iter(f"{exposure.KEY_PREFIX}*"):
        client.delete(key)


@pytest.fixture(autouse=True)
def _clean_counts(settings):
    # Tests may change the setting, so the original URL is kept for cleanup.
    url = settings.REDIS_URL
    clear_exposure_keys(url)
    exposure.clear_local_counts()
    yield
    clear_exposure_keys(url)
    exposure.clear_local_counts()


def test_counts_add_up_in_redis(settings):
    exposure.record_shown(["A", "B", "A"], now=NOON)
    exposure.record_shown(["A"], now=NOON)

    assert exposure.shown_counts(["A", "B", "C"], now=NOON) == {"A": 3, "B": 1, "C": 0}
    client = redis.Redis.from_url(settings.REDIS_URL)
    assert client.hgetall("suggestions:shown:20260310") == {b"A": b"3", b"B": b"1"}
    assert 0 < client.ttl("suggestions:shown:20260310") <= exposure.KEEP_SECONDS


def test_counts_cover_today_and_yesterday(settings):
    exposure.record_shown(["A", "B"], now=NOON)
    exposure.record_shown(["A"], now=NEXT_DAY)

    assert exposure.shown_counts(["A", "B"], now=NEXT_DAY) == {"A": 2, "B": 1}
    # Two days later the first day is no longer read.
    assert exposure.shown_counts(["A", "B"], now=TWO_DAYS_LATER) == {"A": 1, "B": 0}


def test_no_items_touch_nothing(settings):
    exposure.record_shown([], now=NOON)
    assert exposure.shown_counts([], now=NOON) == {}
    client = redis.Redis.from_url(settings.REDIS_URL)
    assert list(client.scan_iter(f"{exposure.KEY_PREFIX}*")) == []


def test_counts_without_redis_stay_in_the_process(settings):
    settings.REDIS_URL = ""
    exposure.record_shown(["A", "A", "B"], now=NOON)
    exposure.record_shown(["A"], now=NEXT_DAY)

    assert exposure.shown_counts(["A", "B", "C"], now=NEXT_DAY) == {
        "A": 3,
        "B": 1,
        "C": 0,
    }
    # A later day drops the counts that no read needs any more.
    exposure.record_shown(["C"], now=TWO_DAYS_LATER)
    assert exposure.shown_counts(["A", "C"], now=TWO_DAYS_LATER) == {"A": 1, "C": 1}
    assert sorted(exposure._local) == [
        "suggestions:shown:20260311",
        "suggestions:shown:20260312",
    ]


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_unreachable_redis_reads_zero_and_logs(settings, caplog):
    settings.REDIS_URL = f"redis://127.0.0.1:{closed_port()}/0"
    push_queue._clients.clear()
    try:
        with caplog.at_level(logging.ERROR, logger="suggestions.exposure"):
            exposure.record_shown(["A"], now=NOON)
            counts = exposure.shown_counts(["A", "B"], now=NOON)
    finally:
        push_queue._clients.clear()

    assert counts == {"A": 0, "B": 0}
    messages = [record.getMessage() for record in caplog.records]
    assert len(messages) == 2
    assert messages[0].startswith("Could not record the suggestion exposure counts: ")
    assert messages[0].endswith(" (0 more since the last report)")
    assert messages[1].startswith("Could not read the suggestion exposure counts: ")


def test_repeated_failures_log_once_a_minute(settings, caplog, monkeypatch):
    settings.REDIS_URL = f"redis://127.0.0.1:{closed_port()}/0"
    push_queue._clients.clear()
    clock = [1000.0]
    monkeypatch.setattr(exposure.time, "monotonic", lambda: clock[0])
    try:
        with caplog.at_level(logging.ERROR, logger="suggestions.exposure"):
            for _ in range(3):
                exposure.shown_counts(["A"], now=NOON)
            clock[0] += exposure.LOG_INTERVAL_SECONDS
            exposure.shown_counts(["A"], now=NOON)
    finally:
        push_queue._clients.clear()

    messages = [record.getMessage() for record in caplog.records]
    assert len(messages) == 2
    assert messages[0].endswith(" (0 more since the last report)")
    assert messages[1].endswith(" (2 more since the last report)")


@pytest.mark.parametrize(
    ("stored", "message"),
    [
        ("many", "invalid literal for int()"),
        # The ranking takes math.log1p of each count, which raises
        # ValueError for -1 and below.
        ("-2", "stored count -2 is below 0"),
    ],
)
def test_invalid_stored_count_reads_zero(settings, caplog, stored, message):
    client = redis.Redis.from_url(settings.REDIS_URL)
    client.hset("suggestions:shown:20260310", "A", stored)
    exposure.record_shown(["B"], now=NOON)

    with caplog.at_level(logging.ERROR, logger="suggestions.exposure"):
        counts = exposure.shown_counts(["A", "B"], now=NOON)

    assert counts == {"A": 0, "B": 0}
    assert len(caplog.records) == 1
    assert message in caplog.records[0].getMessage()
