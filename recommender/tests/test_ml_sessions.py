import gzip
from pathlib import Path

import numpy as np
import pytest
from django.conf import settings

from recommender.ml.benchmark_files import read_benchmark_directory
from recommender.ml.sessions import (
    build_prefix_examples,
    build_sessions,
    latest_session,
    leave_last_out_examples,
    read_diginetica_views,
    read_user_sequences,
    time_split_examples,
)

MINUTE_MS = 60_000
DIGINETICA_HEADER = "session_id;user_id;item_id;timeframe;eventdate"


def data_path(*parts: str) -> Path:
    return Path(settings.MARKETPLACE_DATA_DIR).joinpath(*parts)


def arrays(*values: list[int]) -> list[np.ndarray]:
    return [np.asarray(value, dtype=np.int64) for value in values]


def as_lists(sessions: list[np.ndarray]) -> list[list[int]]:
    return [session.tolist() for session in sessions]


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_build_sessions_splits_at_gap():
    user, item, timestamp = arrays(
        [0, 0, 0, 0, 0], [10, 11, 12, 13, 14], [0, 10, 40, 71, 72]
    )
    sessions = build_sessions(user, item, timestamp * MINUTE_MS, gap_minutes=30)
    # 10 -> 40 is exactly 30 minutes and stays; 40 -> 71 is 31 and splits.
    assert as_lists(sessions) == [[10, 11, 12], [13, 14]]


def test_build_sessions_orders_by_time_then_input():
    user, item, timestamp = arrays([0, 0, 0, 0], [1, 2, 3, 4], [50, 10, 10, 5])
    sessions = build_sessions(user, item, timestamp, gap_minutes=1)
    assert as_lists(sessions) == [[4, 2, 3, 1]]


def test_build_sessions_separates_users():
    user, item, timestamp = arrays([1, 0, 1, 0], [5, 6, 7, 8], [0, 1, 2, 3])
    sessions = build_sessions(user, item, timestamp, gap_minutes=60)
    assert as_lists(sessions) == [[6, 8], [5, 7]]


def test_build_sessions_empty_input():
    user, item, timestamp = arrays([], [], [])
    assert build_sessions(user, item, timestamp, gap_minutes=30) == []


@pytest.mark.parametrize("gap", [0, -5, float("nan"), float("inf")])
def test_build_sessions_rejects_invalid_gap(gap):
    user, item, timestamp = arrays([0], [1], [0])
    with pytest.raises(ValueError, match="gap_minutes must be a positive number"):
        build_sessions(user, item, timestamp, gap_minutes=gap)


def test_build_sessions_rejects_unequal_arrays():
    user, item, timestamp = arrays([0, 0], [1], [0, 1])
    with pytest.raises(ValueError, match="item has 1 entries but user has 2"):
        build_sessions(user, item, timestamp, gap_minutes=30)


def test_latest_session_after_last_gap():
    minutes = [0, 5, 90, 100, 95]
    timestamps = [minute * MINUTE_MS for minute in minutes]
    items = ["a", "b", "c", "e", "d"]
    assert latest_session(items, timestamps, gap_minutes=30) == ["c", "d", "e"]


def test_latest_session_empty_and_invalid():
    assert latest_session([], [], gap_minutes=30) == []
    with pytest.raises(ValueError, match="pass one timestamp per view"):
        latest_session(["a", "b"], [0], gap_minutes=30)
    with pytest.raises(ValueError, match="gap_minutes must be a positive number"):
        latest_session(["a"], [0], gap_minutes=-1)


def test_prefix_examples_every_position():
    examples = build_prefix_examples(arrays([5, 6, 7], [8]), max_length=3)
    assert examples.history.tolist() == [[5, -1, -1], [5, 6, -1]]
    assert examples.lengths.tolist() == [1, 2]
    assert examples.targets.tolist() == [6, 7]


def test_prefix_examples_keep_most_recent_items():
    examples = build_prefix_examples(arrays([1, 2, 3, 4, 5]), max_length=2)
    assert examples.history.tolist() == [[1, -1], [1, 2], [2, 3], [3, 4]]
    assert examples.targets.tolist() == [2, 3, 4, 5]


def test_prefix_examples_selected_targets():
    masks = [np.array([True, False, True, True])]
    examples = build_prefix_examples(arrays([1, 2, 3, 4]), masks, max_length=5)
    # The first position has no history, so its mask entry is ignored.
    assert examples.targets.tolist() == [3, 4]
    assert examples.lengths.tolist() == [2, 3]


def test_prefix_examples_reject_bad_arguments():
    with pytest.raises(ValueError, match="max_length must be at least 1"):
        build_prefix_examples(arrays([1, 2]), max_length=0)
    with pytest.raises(ValueError, match="targets has 2 masks for 1 sequences"):
        build_prefix_examples(arrays([1, 2]), [np.ones(2, bool)] * 2)
    with pytest.raises(ValueError, match=r"targets\[0\] has 3 entries"):
        build_prefix_examples(arrays([1, 2]), [np.ones(3, bool)])


def test_time_split_history_spans_parts():
    # User 0: train, train, test, test; user 1: only a test event.
    user, item, timestamp, split = arrays(
        [0, 0, 0, 0, 1], [1, 2, 3, 4, 5], [1, 2, 3, 4, 1], [0, 0, 2, 2, 2]
    )
    train, valid, test = time_split_examples(user, item, timestamp, split)
    assert train.targets.tolist() == [2]
    assert len(valid) == 0
    assert test.targets.tolist() == [3, 4]
    # The second test event is predicted from train and test items.
    assert test.history[1, :3].tolist() == [1, 2, 3]


def test_leave_last_out_targets():
    train, valid, test = leave_last_out_examples(
        arrays([1], [2, 3], [4, 5, 6], [7, 8, 9, 10, 11])
    )
    assert test.targets.tolist() == [3, 6, 11]
    assert valid.targets.tolist() == [5, 10]
    assert train.targets.tolist() == [8, 9]
    assert test.history[2, :4].tolist() == [7, 8, 9, 10]


def test_user_sequences_read(tmp_path):
    path = write(tmp_path / "seq.txt", "U1 A B C\nU2 B D\n\n")
    sequences = read_user_sequences(path)
    assert sequences.user_ids == ["U1", "U2"]
    assert sequences.item_ids == ["A", "B", "C", "D"]
    assert as_lists(sequences.sequences) == [[0, 1, 2], [1, 3]]


def test_user_sequences_read_gzip(tmp_path):
    path = tmp_path / "seq.txt.gz"
    path.write_bytes(gzip.compress(b"U1 A B\n"))
    assert as_lists(read_user_sequences(path).sequences) == [[0, 1]]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("U1 A\nU2\n", r"seq.txt, line 2: expected a user id and at least one"),
        ("U1 A\nU1 B\n", r"line 2: user 'U1' already has a sequence on line 1"),
        ("U1 A\n\nU2 B\n", r"line 2: empty line before more data"),
        ("", r"has no sequences"),
    ],
)
def test_user_sequences_malformed(tmp_path, text, message):
    path = write(tmp_path / "seq.txt", text)
    with pytest.raises(ValueError, match=message):
        read_user_sequences(path)


def test_user_sequences_invalid_utf8(tmp_path):
    path = tmp_path / "seq.txt"
    path.write_bytes(b"U1 A\nU2 \xff\n")
    with pytest.raises(ValueError, match=r"line 2: invalid UTF-8 byte 0xff"):
        read_user_sequences(path)


def test_diginetica_orders_views_by_timeframe(tmp_path):
    path = write(
        tmp_path / "views.csv",
        f"{DIGINETICA_HEADER}\n"
        "7;NA;100;5000;2016-05-09\n"
        "7;NA;200;1000;2016-05-09\n"
        "3;12;300;0;2016-05-10\n"
        "7;NA;100;9000;2016-05-10\n",
    )
    data = read_diginetica_views(path)
    assert data.session_ids == ["7", "3"]
    assert data.item_ids == ["100", "200", "300"]
    assert as_lists(data.sessions) == [[1, 0, 0], [2]]
    # Session 7 passes midnight and starts on the earlier date.
    assert [str(date) for date in data.session_dates] == ["2016-05-09", "2016-05-10"]


def test_diginetica_splits_at_gap(tmp_path):
    path = write(
        tmp_path / "views.csv",
        f"{DIGINETICA_HEADER}\n"
        "1;NA;10;0;2016-01-01\n"
        "1;NA;11;60000;2016-01-01\n"
        "1;NA;12;900000;2016-01-01\n"
        "2;NA;13;0;2016-01-01\n",
    )
    data = read_diginetica_views(path, gap_minutes=5)
    assert data.session_ids == ["1", "1-2", "2"]
    assert as_lists(data.sessions) == [[0, 1], [2], [3]]


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("1;NA;10;0\n", r"line 2: expected 5 fields separated by ';', got 4"),
        ("1;NA;10;soon;2016-01-01\n", r"line 2: invalid timeframe 'soon'"),
        ("1;NA;10;-4;2016-01-01\n", r"line 2: invalid timeframe '-4'"),
        ("1;NA;10;0;09/05/2016\n", r"line 2: invalid eventdate '09/05/2016'"),
        ("1;NA;;0;2016-01-01\n", r"line 2: session_id or item_id is empty"),
        ("", r"has no views after the header"),
    ],
)
def test_diginetica_malformed(tmp_path, body, message):
    path = write(tmp_path / "views.csv", f"{DIGINETICA_HEADER}\n{body}")
    with pytest.raises(ValueError, match=message):
        read_diginetica_views(path)


def test_diginetica_wrong_header(tmp_path):
    path = write(tmp_path / "views.csv", "session_id,item_id\n1,2\n")
    with pytest.raises(ValueError, match=r"line 1: header 'session_id,item_id'"):
        read_diginetica_views(path)


def test_diginetica_rejects_invalid_gap(tmp_path):
    path = write(tmp_path / "views.csv", f"{DIGINETICA_HEADER}\n")
    with pytest.raises(ValueError, match="gap_minutes must be a positive number"):
        read_diginetica_views(path, gap_minutes=0)


def test_diginetica_real_sample():
    data = read_diginetica_views(data_path("diginetica", "sample_train-item-views.csv"))
    assert len(data) == 2986
    assert len(data.item_ids) == 7139
    assert sum(len(session) for session in data.sessions) == 12391


def test_beauty_real_sequences():
    sequences = read_user_sequences(
        data_path("amazon2014", "beauty", "user_sequence.txt")
    )
    assert len(sequences.user_ids) == 22363
    assert len(sequences.item_ids) == 12101
    assert sum(len(sequence) for sequence in sequences.sequences) == 198502


@pytest.mark.slow
def test_electronics_real_examples():
    data = read_benchmark_directory(data_path("amazon2023", "electronics", "kcore5"))
    log = data.log
    train, valid, test = time_split_examples(
        log.user, log.item, log.timestamp_ms, data.split
    )
    # RecBole's sequential models were evaluated on the same 12,964 test
    # interactions: the 13,116 test rows less the users' first rows.
    assert len(test) == 12964
    assert len(valid) == 6481
    assert len(train) == 96443
    assert int(test.lengths.max()) == 20
