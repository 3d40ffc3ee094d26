"""Group parsed lines into chunks of one batch each.

No Django imports here.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

from recommender.importing.formats import TruncatedFileError
from recommender.importing.records import LineProblem, ProductRecord, ReviewRecord


@dataclass
class Chunk:
    """Consecutive lines of one file: the records and the problems among them.

    `position` is the byte offset reached in the file on disk. `error` is
    set on the last chunk of a file that broke off.
    """

    records: list[ReviewRecord | ProductRecord] = field(default_factory=list)
    problems: list[LineProblem] = field(default_factory=list)
    position: int = 0
    error: TruncatedFileError | None = None


def read_chunks(
    items: Iterable[ReviewRecord | ProductRecord | LineProblem],
    *,
    batch_size: int,
    position: Callable[[], int],
) -> Iterator[Chunk]:
    """Yield chunks of at most `batch_size` records and problems together."""
    chunk = Chunk()
    try:
        for item in items:
            if isinstance(item, LineProblem):
                chunk.problems.append(item)
            else:
                chunk.records.append(item)
            if len(chunk.records) + len(chunk.problems) >= batch_size:
                chunk.position = position()
                yield chunk
                chunk = Chunk()
    except TruncatedFileError as error:
        chunk.error = error
    chunk.position = position()
    yield chunk
