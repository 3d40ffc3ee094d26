"""Plain records that the parsers produce and the writers store.

No Django imports here: the parsers and their tests run without a database.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from enum import Enum
from typing import Any, NamedTuple


class Severity(Enum):
    """The handling of a problem line."""

    SKIPPED = "skipped"  # the line is dropped
    WARNING = "warning"  # the line is stored, with the named value cleared


@dataclass(frozen=True, slots=True)
class LineProblem:
    """A malformed line, or a value that was cleared on an otherwise good line.

    `reason` is a short fixed phrase that counts problems by kind, and
    `message` names the bad value. `line_number` is None for a problem of
    the whole file, such as an empty file.
    """

    line_number: int | None
    reason: str
    message: str
    severity: Severity = Severity.SKIPPED


class ReviewRecord(NamedTuple):
    """One rating from a review JSONL line or a benchmark CSV row."""

    line_number: int
    user_id: str
    parent_asin: str
    rating: float
    timestamp_ms: int

    @property
    def key(self) -> tuple[str, str, int]:
        return (self.user_id, self.parent_asin, self.timestamp_ms)


class ProductRecord(NamedTuple):
    """One product from an item metadata JSONL line.

    `categories` is the category path from the root, possibly empty.
    `price` is in US dollars with two decimal places, None when unknown.
    """

    line_number: int
    parent_asin: str
    title: str
    store: str
    main_category: str
    categories: tuple[str, ...]
    features: list[Any]
    description: list[Any]
    price: Decimal | None
    average_rating: float | None
    rating_count: int | None
    image_urls: list[str]
    details: dict[str, Any]

    @property
    def values(self) -> tuple[Any, ...]:
        """Return every stored field except the line number."""
        return tuple(self)[1:]


Record = ReviewRecord | ProductRecord
