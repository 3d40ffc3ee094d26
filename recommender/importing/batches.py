"""Split a batch of records into rounds of distinct keys.

A set-based write cannot touch one key twice, so repeats of a key inside a
batch are resolved here, in file order, the same way for every database:

- A repeat equal to the previous occurrence of its key is a duplicate and
  is dropped.
- A repeat that differs goes into the next round, and the writer stores it
  as an update after the earlier rounds.

The outcome is the same as storing the rows one at a time, whatever the
batch size. No Django imports here.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass, field
from typing import Generic, TypeVar

from recommender.importing.records import ProductRecord, ReviewRecord

RecordT = TypeVar("RecordT", ReviewRecord, ProductRecord)


@dataclass
class Rounds(Generic[RecordT]):
    """Records to write round after round, each round with distinct keys."""

    rounds: list[list[RecordT]] = field(default_factory=list)
    duplicate_count: int = 0


def split_ratings(records: Sequence[ReviewRecord]) -> Rounds[ReviewRecord]:
    return _split(records, [(record.key, record.rating) for record in records])


def split_products(records: Sequence[ProductRecord]) -> Rounds[ProductRecord]:
    return _split(records, [(record.parent_asin, record.values) for record in records])


def _split(
    records: Sequence[RecordT], keyed_values: list[tuple[Hashable, object]]
) -> Rounds[RecordT]:
    result: Rounds[RecordT] = Rounds()
    # For each key: the round of its latest occurrence and that value.
    latest: dict[Hashable, tuple[int, object]] = {}
    for record, (key, value) in zip(records, keyed_values, strict=True):
        previous = latest.get(key)
        if previous is None:
            round_index = 0
        elif previous[1] == value:
            result.duplicate_count += 1
            continue
        else:
            round_index = previous[0] + 1
        latest[key] = (round_index, value)
        if round_index == len(result.rounds):
            result.rounds.append([])
        result.rounds[round_index].append(record)
    return result
