"""Train, valid and test splits of an `InteractionLog` for evaluation."""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np

from recommender.ml.benchmark_files import BenchmarkData
from recommender.ml.data import InteractionLog

TIME_SPLIT = "time"
LEAVE_LAST_OUT_SPLIT = "leave-last-out"
FILES_SPLIT = "files"


@dataclass
class Split:
    """Three disjoint parts of one log, sharing its vocabularies."""

    name: str
    train: InteractionLog
    valid: InteractionLog
    test: InteractionLog
    time_respecting: bool


def time_split(data: BenchmarkData) -> Split:
    """Use the benchmark's own global time split, rows as the files have them.

    Exact duplicate rows are kept: the files are the benchmark.
    """
    return Split(
        name=TIME_SPLIT,
        train=data.part("train"),
        valid=data.part("valid"),
        test=data.part("test"),
        time_respecting=True,
    )


def files_split(data: BenchmarkData) -> Split:
    """Use the files' own split, whichever kind it is.

    When the valid events all follow the train events and the test events
    all follow the valid ones, the files are a global time split and the
    split is named "time". Otherwise they hold out events per user (as
    the official leave-last-out files do) and it is named
    "leave-last-out", with `time_respecting` false, so that each user is
    ranked as of their own held-out event.
    """
    parts = [data.part(name) for name in ("train", "valid", "test")]
    ordered = all(
        len(earlier) == 0
        or len(later) == 0
        or earlier.timestamp_ms.max() <= later.timestamp_ms.min()
        for earlier, later in itertools.pairwise(parts)
    )
    return Split(
        name=TIME_SPLIT if ordered else LEAVE_LAST_OUT_SPLIT,
        train=parts[0],
        valid=parts[1],
        test=parts[2],
        time_respecting=ordered,
    )


def leave_last_out_split(log: InteractionLog) -> Split:
    """Hold out each user's last event for test and the one before for valid.

    Exact duplicate rows (same user, item, timestamp and rating) are dropped
    first, so a copied row never becomes its own target. Events are ordered
    by timestamp, then by their position in `log`. A user with three or more
    events gives one test and one valid event, a user with two gives only a
    test event, and a user with one stays in train. Other users' later events
    remain in train, so this split is not time-respecting: the model trains
    on ratings made after a test event.
    """
    log = drop_exact_duplicates(log)
    order = np.lexsort((np.arange(len(log)), log.timestamp_ms, log.user))
    sorted_users = log.user[order]
    counts = np.bincount(sorted_users, minlength=len(log.user_ids))
    ends = np.cumsum(counts)
    # Position of each event counted from its user's last event: 0 = last.
    from_end = ends[sorted_users] - 1 - np.arange(len(order))
    user_counts = counts[sorted_users]

    is_test = np.zeros(len(log), dtype=bool)
    is_valid = np.zeros(len(log), dtype=bool)
    is_test[order] = (from_end == 0) & (user_counts >= 2)
    is_valid[order] = (from_end == 1) & (user_counts >= 3)
    is_train = ~(is_test | is_valid)
    return Split(
        name=LEAVE_LAST_OUT_SPLIT,
        train=log.subset(is_train),
        valid=log.subset(is_valid),
        test=log.subset(is_test),
        time_respecting=False,
    )


def drop_exact_duplicates(log: InteractionLog) -> InteractionLog:
    """Keep the first of rows equal in user, item, timestamp and rating."""
    rating_bits = np.nan_to_num(log.rating, nan=-1.0).view(np.int32)
    keys = np.stack(
        [log.user, log.item, log.timestamp_ms, rating_bits.astype(np.int64)], axis=1
    )
    _, first = np.unique(keys, axis=0, return_index=True)
    keep = np.zeros(len(log), dtype=bool)
    keep[first] = True
    return log.subset(keep)


def concatenate(first: InteractionLog, second: InteractionLog) -> InteractionLog:
    """Join two logs over the same vocabularies, ordered by timestamp.

    The sort is stable, so events with equal timestamps keep the order
    `first` then `second`.
    """
    if first.item_ids is not second.item_ids and first.item_ids != second.item_ids:
        raise ValueError(
            "Cannot concatenate logs with different item vocabularies; build "
            "both from the same InteractionLog."
        )
    if first.user_ids is not second.user_ids and first.user_ids != second.user_ids:
        raise ValueError(
            "Cannot concatenate logs with different user vocabularies; build "
            "both from the same InteractionLog."
        )
    timestamps = np.concatenate([first.timestamp_ms, second.timestamp_ms])
    order = np.argsort(timestamps, kind="stable")
    return InteractionLog(
        user_ids=first.user_ids,
        item_ids=first.item_ids,
        user=np.concatenate([first.user, second.user])[order],
        item=np.concatenate([first.item, second.item])[order],
        timestamp_ms=timestamps[order],
        rating=np.concatenate([first.rating, second.rating])[order],
        items=first.items,
    )
