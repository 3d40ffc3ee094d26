from pathlib import Path

import numpy as np
import pytest
from django.conf import settings

from recommender.ml.benchmark_files import BenchmarkData, read_benchmark_directory
from recommender.ml.data import InteractionLog, ItemFeatures
from recommender.ml.splits import (
    concatenate,
    drop_exact_duplicates,
    leave_last_out_split,
    time_split,
)

KCORE5 = Path(str(settings.MARKETPLACE_DATA_DIR)) / "amazon2023/electronics/kcore5"


def make_log(users, items, timestamps, ratings=None):
    item_count = max(items) + 1
    return InteractionLog(
        user_ids=[f"u{index}" for index in range(max(users) + 1)],
        item_ids=[f"i{index}" for index in range(item_count)],
        user=np.asarray(users, dtype=np.int64),
        item=np.asarray(items, dtype=np.int64),
        timestamp_ms=np.asarray(timestamps, dtype=np.int64),
        rating=np.asarray(ratings or [5.0] * len(users), dtype=np.float32),
        items=ItemFeatures.empty(item_count),
    )


@pytest.fixture(scope="module")
def kcore5():
    return read_benchmark_directory(KCORE5)


def test_time_split_uses_file_labels():
    log = make_log([0, 0, 1, 1], [0, 1, 2, 3], [1, 2, 3, 4])
    data = BenchmarkData(log=log, split=np.array([0, 1, 2, 0], dtype=np.int8))

    split = time_split(data)

    assert split.train.item.tolist() == [0, 3]
    assert split.valid.item.tolist() == [1]
    assert split.test.item.tolist() == [2]


@pytest.mark.slow
def test_time_split_test_events_follow_train(kcore5):
    split = time_split(kcore5)

    assert split.train.timestamp_ms.max() <= split.valid.timestamp_ms.min()
    assert split.valid.timestamp_ms.max() <= split.test.timestamp_ms.min()


@pytest.mark.slow
def test_time_split_has_no_test_event_in_train(kcore5):
    split = time_split(kcore5)
    train_events = set(
        zip(
            split.train.user.tolist(),
            split.train.item.tolist(),
            split.train.timestamp_ms.tolist(),
            strict=True,
        )
    )
    test_events = set(
        zip(
            split.test.user.tolist(),
            split.test.item.tolist(),
            split.test.timestamp_ms.tolist(),
            strict=True,
        )
    )

    assert train_events & test_events == set()


def test_leave_last_out_holds_out_last_item():
    # User 0: items 0, 1, 2, 3 at times 1..4 given out of order.
    log = make_log([0, 0, 0, 0, 1, 1], [2, 0, 3, 1, 4, 5], [3, 1, 4, 2, 7, 8])

    split = leave_last_out_split(log)

    assert split.test.user.tolist() == [0, 1]
    assert split.test.item.tolist() == [3, 5]
    assert split.valid.item.tolist() == [2]
    assert sorted(split.train.item.tolist()) == [0, 1, 4]


def test_leave_last_out_timestamp_ties():
    log = make_log([0, 0, 0], [0, 1, 2], [5, 5, 5])

    split = leave_last_out_split(log)

    assert split.test.item.tolist() == [2]
    assert split.valid.item.tolist() == [1]


def test_leave_last_out_single_event_user():
    log = make_log([0, 1, 1], [0, 1, 2], [1, 2, 3])

    split = leave_last_out_split(log)

    assert split.train.item.tolist() == [0, 1]
    assert split.test.item.tolist() == [2]
    assert len(split.valid) == 0


def test_leave_last_out_ignores_exact_duplicates():
    log = make_log([0, 0, 0, 0], [0, 1, 2, 2], [1, 2, 3, 3])

    split = leave_last_out_split(log)

    assert split.test.item.tolist() == [2]
    assert split.valid.item.tolist() == [1]


@pytest.mark.slow
def test_leave_last_out_one_test_event_per_user(kcore5):
    split = leave_last_out_split(kcore5.log)
    known = concatenate(split.train, split.valid)
    last_known = np.full(len(kcore5.log.user_ids), -1, dtype=np.int64)
    np.maximum.at(last_known, known.user, known.timestamp_ms)

    assert len(split.test) == 15_266
    assert len(np.unique(split.test.user)) == 15_266
    assert bool((split.test.timestamp_ms >= last_known[split.test.user]).all())
    assert len(split.train) + len(split.valid) + len(split.test) == 130_500


def test_drop_exact_duplicates_keeps_first():
    log = make_log([0, 0, 0], [1, 1, 1], [5, 5, 6], [4.0, 4.0, 4.0])

    deduplicated = drop_exact_duplicates(log)

    assert deduplicated.timestamp_ms.tolist() == [5, 6]


def test_drop_exact_duplicates_keeps_different_ratings():
    log = make_log([0, 0], [1, 1], [5, 5], [4.0, 3.0])

    assert len(drop_exact_duplicates(log)) == 2


def test_concatenate_orders_by_time():
    log = make_log([0, 0, 1], [0, 1, 2], [5, 1, 3])

    joined = concatenate(
        log.subset(np.array([True, False, False])),
        log.subset(np.array([False, True, True])),
    )

    assert joined.timestamp_ms.tolist() == [1, 3, 5]
    assert joined.item.tolist() == [1, 2, 0]
