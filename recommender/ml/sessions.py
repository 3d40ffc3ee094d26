"""Sessions and next-item examples for session-based recommenders.

Three sources are supported: timestamped interactions split at an
inactivity gap, the DIGINETICA `train-item-views.csv` format, and
per-user item sequences (the Amazon sets). Every sequence keeps its items
in time order, and every example reads only the items of its own session
or user, so a model's state starts fresh at each boundary.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from recommender.ml.benchmark_files import read_text_lines

MAX_PREFIX_LENGTH = 20
MILLISECONDS_PER_MINUTE = 60_000
DIGINETICA_COLUMNS = ("session_id", "user_id", "item_id", "timeframe", "eventdate")
PADDING = -1


@dataclass(frozen=True)
class SessionData:
    """Sessions as item-index sequences over one item vocabulary.

    Args:
        item_ids: external item ids; `sessions` contains indices into it.
        sessions: one int64 array per session, oldest item first.
        session_ids: an external id per session, aligned with `sessions`.
        session_dates: the date each session started, where the source
            gives one, aligned with `sessions`.
    """

    item_ids: list[str]
    sessions: list[np.ndarray]
    session_ids: list[str]
    session_dates: list[datetime.date]

    def __len__(self) -> int:
        return len(self.sessions)


@dataclass(frozen=True)
class PrefixExamples:
    """Next-item examples: up to `max_length` preceding items and a target.

    Args:
        history: int64 [examples, max_length] item indices, oldest first,
            right-padded with -1.
        lengths: int64 [examples], the count of real items in each row,
            at least 1.
        targets: int64 [examples], the item that followed the history.
        timestamp_ms: int64 [examples], Unix milliseconds of each target
            event, or None when the source has no timestamps.
    """

    history: np.ndarray
    lengths: np.ndarray
    targets: np.ndarray
    timestamp_ms: np.ndarray | None = None

    def __len__(self) -> int:
        return len(self.targets)

    def subset(self, rows: np.ndarray) -> PrefixExamples:
        """Return the examples at `rows` (indices or a boolean mask)."""
        return PrefixExamples(
            history=self.history[rows],
            lengths=self.lengths[rows],
            targets=self.targets[rows],
            timestamp_ms=(
                None if self.timestamp_ms is None else self.timestamp_ms[rows]
            ),
        )

    @classmethod
    def concatenate(cls, parts: Sequence[PrefixExamples]) -> PrefixExamples:
        """Join example sets with the same `max_length`, in the given order.

        The result has timestamps only when every part has them.
        """
        if not parts:
            raise ValueError("No example sets to join; pass at least one.")
        widths = {part.history.shape[1] for part in parts}
        if len(widths) != 1:
            raise ValueError(
                f"Example sets have history widths {sorted(widths)}; join "
                "only sets built with the same max_length."
            )
        times = [part.timestamp_ms for part in parts]
        return cls(
            history=np.concatenate([part.history for part in parts]),
            lengths=np.concatenate([part.lengths for part in parts]),
            targets=np.concatenate([part.targets for part in parts]),
            timestamp_ms=(
                None
                if any(time is None for time in times)
                else np.concatenate([time for time in times if time is not None])
            ),
        )


def time_ordered(user: np.ndarray, timestamp_ms: np.ndarray) -> np.ndarray:
    """Return the event order by user, then timestamp, then input position."""
    _check_same_length(user=user, timestamp_ms=timestamp_ms)
    return np.lexsort((np.arange(len(user)), timestamp_ms, user))


def build_sessions(
    user: np.ndarray,
    item: np.ndarray,
    timestamp_ms: np.ndarray,
    *,
    gap_minutes: float,
) -> list[np.ndarray]:
    """Split each user's events into sessions at inactivity gaps.

    Events are ordered per user by timestamp, and events with equal
    timestamps keep their input order. A new session starts at a user's
    first event and wherever more than `gap_minutes` passed since that
    user's previous event. Returns the item indices of every session,
    sessions of one user in time order and users in index order.
    """
    if not (gap_minutes > 0 and np.isfinite(gap_minutes)):
        raise ValueError(
            f"gap_minutes must be a positive number of minutes, got {gap_minutes!r}."
        )
    _check_same_length(user=user, item=item, timestamp_ms=timestamp_ms)
    if len(user) == 0:
        return []
    order = time_ordered(user, timestamp_ms)
    users = user[order]
    times = timestamp_ms[order].astype(np.int64)
    gap_ms = gap_minutes * MILLISECONDS_PER_MINUTE
    starts = np.ones(len(order), dtype=bool)
    starts[1:] = (users[1:] != users[:-1]) | (np.diff(times) > gap_ms)
    boundaries = np.flatnonzero(starts)
    return np.split(item[order].astype(np.int64), boundaries[1:])


def latest_session(
    item_ids: Sequence[str], timestamp_ms: Sequence[int], *, gap_minutes: float
) -> list[str]:
    """Return the items of a visitor's current session, oldest first.

    `item_ids` and `timestamp_ms` are one visitor's view events in any
    order. The current session is the run of views after the last gap of
    more than `gap_minutes`; views with equal timestamps keep their input
    order.
    """
    if len(item_ids) != len(timestamp_ms):
        raise ValueError(
            f"item_ids has {len(item_ids)} entries but timestamp_ms has "
            f"{len(timestamp_ms)}; pass one timestamp per view."
        )
    if not item_ids:
        return []
    positions = np.arange(len(item_ids), dtype=np.int64)
    sessions = build_sessions(
        np.zeros(len(item_ids), dtype=np.int64),
        positions,
        np.asarray(timestamp_ms, dtype=np.int64),
        gap_minutes=gap_minutes,
    )
    return [item_ids[position] for position in sessions[-1].tolist()]


def group_by_user(
    user: np.ndarray, timestamp_ms: np.ndarray, *values: np.ndarray
) -> list[list[np.ndarray]]:
    """Group parallel event arrays per user, each user's events in time order.

    Returns one list per array in `values`, each with one array per user
    that has events, users in index order.
    """
    _check_same_length(user=user, timestamp_ms=timestamp_ms)
    for position, array in enumerate(values):
        if len(array) != len(user):
            raise ValueError(
                f"values[{position}] has {len(array)} entries but user has "
                f"{len(user)}; all event arrays must have the same length."
            )
    order = time_ordered(user, timestamp_ms)
    users = user[order]
    boundaries = np.flatnonzero(users[1:] != users[:-1]) + 1
    return [list(np.split(array[order], boundaries)) for array in values]


def build_prefix_examples(
    sequences: Sequence[np.ndarray],
    targets: Sequence[np.ndarray] | None = None,
    *,
    max_length: int = MAX_PREFIX_LENGTH,
    timestamps: Sequence[np.ndarray] | None = None,
) -> PrefixExamples:
    """Turn sequences into next-item examples with at most `max_length` items.

    Args:
        sequences: item indices per session or user, oldest first.
        targets: one bool array per sequence that selects the positions to
            predict; None selects every position. The first position of a
            sequence has no preceding item and never gives an example.
        max_length: the most recent items kept in a history.
        timestamps: Unix milliseconds per sequence, aligned with its
            items; when given, each example carries its target's time.
    """
    if max_length < 1:
        raise ValueError(f"max_length must be at least 1, got {max_length}.")
    if targets is not None and len(targets) != len(sequences):
        raise ValueError(
            f"targets has {len(targets)} masks for {len(sequences)} sequences; "
            "pass one mask per sequence."
        )
    rows: list[np.ndarray] = []
    if timestamps is not None and len(timestamps) != len(sequences):
        raise ValueError(
            f"timestamps has {len(timestamps)} arrays for {len(sequences)} "
            "sequences; pass one array per sequence."
        )
    lengths: list[int] = []
    predicted: list[int] = []
    times: list[int] = []
    for index, sequence in enumerate(sequences):
        positions = np.arange(1, len(sequence))
        if targets is not None:
            mask = targets[index]
            if len(mask) != len(sequence):
                raise ValueError(
                    f"targets[{index}] has {len(mask)} entries for a sequence "
                    f"of {len(sequence)} items."
                )
            positions = positions[mask[1:]]
        if timestamps is not None:
            if len(timestamps[index]) != len(sequence):
                raise ValueError(
                    f"timestamps[{index}] has {len(timestamps[index])} entries "
                    f"for a sequence of {len(sequence)} items."
                )
            times.extend(timestamps[index][positions].tolist())
        for position in positions.tolist():
            start = max(0, position - max_length)
            rows.append(sequence[start:position])
            lengths.append(position - start)
            predicted.append(int(sequence[position]))
    history = np.full((len(rows), max_length), PADDING, dtype=np.int64)
    for row, items in enumerate(rows):
        history[row, : len(items)] = items
    return PrefixExamples(
        history=history,
        lengths=np.asarray(lengths, dtype=np.int64),
        targets=np.asarray(predicted, dtype=np.int64),
        timestamp_ms=(
            None if timestamps is None else np.asarray(times, dtype=np.int64)
        ),
    )


def time_split_examples(
    user: np.ndarray,
    item: np.ndarray,
    timestamp_ms: np.ndarray,
    split: np.ndarray,
    *,
    max_length: int = MAX_PREFIX_LENGTH,
) -> tuple[PrefixExamples, PrefixExamples, PrefixExamples]:
    """Build train, valid and test examples of a global time split.

    `split` marks each event 0 (train), 1 (valid) or 2 (test). Each event
    is predicted from the same user's preceding events of any part, as
    RecBole's sequential models are evaluated, so a test event's history
    contains the earlier test events of that user. A user's first event
    has no history and gives no example. Every example carries the time of
    its target event.
    """
    items, parts, times = group_by_user(user, timestamp_ms, item, split, timestamp_ms)
    train, valid, test = (
        build_prefix_examples(
            items,
            [part == code for part in parts],
            max_length=max_length,
            timestamps=times,
        )
        for code in (0, 1, 2)
    )
    return train, valid, test


def leave_last_out_examples(
    sequences: Sequence[np.ndarray], *, max_length: int = MAX_PREFIX_LENGTH
) -> tuple[PrefixExamples, PrefixExamples, PrefixExamples]:
    """Build train, valid and test examples that hold out each user's end.

    The last item of each sequence is its test target and the one before
    is its valid target. Every earlier item from the second on is a train
    target. A sequence needs at least 2 items for a test example and 3
    for a valid one.
    """
    parts: list[list[np.ndarray]] = [[], [], []]
    for sequence in sequences:
        length = len(sequence)
        test = np.zeros(length, dtype=bool)
        valid = np.zeros(length, dtype=bool)
        if length >= 2:
            test[-1] = True
        if length >= 3:
            valid[-2] = True
        parts[0].append(~(test | valid))
        parts[1].append(valid)
        parts[2].append(test)
    train, valid_examples, test_examples = (
        build_prefix_examples(sequences, masks, max_length=max_length)
        for masks in parts
    )
    return train, valid_examples, test_examples


@dataclass(frozen=True)
class UserSequences:
    """Per-user item sequences over one item vocabulary, oldest item first."""

    user_ids: list[str]
    item_ids: list[str]
    sequences: list[np.ndarray]


def read_user_sequences(path: Path) -> UserSequences:
    """Read a `user_id item_id item_id ...` file, one user per line.

    This is the layout of the Amazon 2014 sequential benchmarks (items in
    time order, separated by spaces, no timestamps). Every line needs a
    user id and at least one item, and a user may appear only once.
    Raises ValueError naming the file and line of the first bad line.
    """
    item_index: dict[str, int] = {}
    user_lines: dict[str, int] = {}
    sequences: list[np.ndarray] = []
    for line_number, line in _numbered_lines(path):
        fields = line.split()
        if len(fields) < 2:
            raise ValueError(
                f"{path}, line {line_number}: expected a user id and at least "
                f"one item id separated by spaces, got {line.strip()!r}; fix "
                "or remove the line."
            )
        user_id = fields[0]
        if user_id in user_lines:
            raise ValueError(
                f"{path}, line {line_number}: user {user_id!r} already has a "
                f"sequence on line {user_lines[user_id]}; merge the two lines."
            )
        user_lines[user_id] = line_number
        sequences.append(
            np.asarray(
                [item_index.setdefault(item, len(item_index)) for item in fields[1:]],
                dtype=np.int64,
            )
        )
    if not sequences:
        raise ValueError(f"{path} has no sequences; expected one user per line.")
    return UserSequences(
        user_ids=list(user_lines), item_ids=list(item_index), sequences=sequences
    )


def read_diginetica_views(
    path: Path, *, gap_minutes: float | None = None
) -> SessionData:
    """Read the DIGINETICA item views file into sessions.

    The file is `;`-separated with the header
    `session_id;user_id;item_id;timeframe;eventdate`. `timeframe` is the
    view's time in milliseconds since the session started and `eventdate`
    the view's date (YYYY-MM-DD), so a session that passes midnight has two
    dates and starts on the earlier one. Views of a session are ordered by
    timeframe, equal timeframes by line. With `gap_minutes`, a session is
    split further wherever two views lie more than that apart. Sessions come
    in order of first appearance, and each session's id is its
    `session_id`, with `-2`, `-3` ... added to the parts after a split.
    """
    if gap_minutes is not None and not (gap_minutes > 0 and np.isfinite(gap_minutes)):
        raise ValueError(
            f"gap_minutes must be a positive number of minutes, got {gap_minutes!r}."
        )
    item_index: dict[str, int] = {}
    session_index: dict[str, int] = {}
    session_dates: dict[str, datetime.date] = {}
    sessions: list[int] = []
    items: list[int] = []
    times: list[int] = []
    lines = _numbered_lines(path)
    header_line, header = next(lines, (0, ""))
    if tuple(header.strip().split(";")) != DIGINETICA_COLUMNS:
        raise ValueError(
            f"{path}, line {header_line or 1}: header {header.strip()!r}; "
            f"expected {';'.join(DIGINETICA_COLUMNS)!r}."
        )
    for line_number, line in lines:
        fields = line.rstrip("\r\n").split(";")
        if len(fields) != len(DIGINETICA_COLUMNS):
            raise ValueError(
                f"{path}, line {line_number}: expected "
                f"{len(DIGINETICA_COLUMNS)} fields separated by ';', got "
                f"{len(fields)}; fix or remove the line."
            )
        session_id, _, item_id, timeframe_text, date_text = fields
        if not session_id or not item_id:
            raise ValueError(
                f"{path}, line {line_number}: session_id or item_id is empty."
            )
        timeframe = _parse_timeframe(path, line_number, timeframe_text)
        date = _parse_date(path, line_number, date_text)
        first_date = session_dates.setdefault(session_id, date)
        session_dates[session_id] = min(first_date, date)
        sessions.append(session_index.setdefault(session_id, len(session_index)))
        items.append(item_index.setdefault(item_id, len(item_index)))
        times.append(timeframe)
    if not sessions:
        raise ValueError(f"{path} has no views after the header.")

    session_array = np.asarray(sessions, dtype=np.int64)
    item_array = np.asarray(items, dtype=np.int64)
    time_array = np.asarray(times, dtype=np.int64)
    session_names = list(session_index)
    if gap_minutes is None:
        (grouped,) = group_by_user(session_array, time_array, item_array)
        dates = [session_dates[name] for name in session_names]
        return SessionData(list(item_index), grouped, session_names, dates)

    split_sessions: list[np.ndarray] = []
    split_ids: list[str] = []
    split_dates: list[datetime.date] = []
    order = time_ordered(session_array, time_array)
    owners = session_array[order]
    parts = build_sessions(
        session_array, item_array, time_array, gap_minutes=gap_minutes
    )
    starts = np.concatenate([[0], np.cumsum([len(part) for part in parts])[:-1]])
    previous_owner = -1
    part_number = 1
    for part, start in zip(parts, starts, strict=True):
        owner = int(owners[start])
        part_number = part_number + 1 if owner == previous_owner else 1
        previous_owner = owner
        suffix = "" if part_number == 1 else f"-{part_number}"
        split_sessions.append(part)
        split_ids.append(session_names[owner] + suffix)
        split_dates.append(session_dates[session_names[owner]])
    return SessionData(list(item_index), split_sessions, split_ids, split_dates)


def _numbered_lines(path: Path) -> Iterator[tuple[int, str]]:
    """Yield (line number, line) for each non-blank line of a text file.

    A blank line in the middle of the file raises ValueError, because it
    usually means a broken export. Blank lines at the end are ignored.
    """
    blank_line = 0
    for line_number, line in enumerate(read_text_lines(Path(path)), start=1):
        if not line.strip():
            blank_line = blank_line or line_number
            continue
        if blank_line:
            raise ValueError(
                f"{path}, line {blank_line}: empty line before more data; remove it."
            )
        yield line_number, line


def _parse_timeframe(path: Path, line_number: int, text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = -1
    if value < 0:
        raise ValueError(
            f"{path}, line {line_number}: invalid timeframe {text!r}; expected "
            "a whole number of milliseconds, 0 or more."
        )
    return value


def _parse_date(path: Path, line_number: int, text: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(text)
    except ValueError as error:
        raise ValueError(
            f"{path}, line {line_number}: invalid eventdate {text!r}; expected "
            "a date as YYYY-MM-DD."
        ) from error


def _check_same_length(**arrays: np.ndarray) -> None:
    names = list(arrays)
    count = len(arrays[names[0]])
    for name in names[1:]:
        if len(arrays[name]) != count:
            raise ValueError(
                f"{name} has {len(arrays[name])} entries but {names[0]} has "
                f"{count}; all event arrays must have the same length."
            )
