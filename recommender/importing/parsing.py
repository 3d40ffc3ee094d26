"""Validate lines of each input format and turn them into records.

Each parser takes numbered lines of bytes and yields records, and a
LineProblem for every line that is skipped or stored with a value cleared.
No Django imports here.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import math
from collections.abc import Iterable, Iterator
from typing import Any

from recommender.importing.records import LineProblem, ProductRecord, ReviewRecord
from recommender.importing.values import (
    MAX_PARENT_ASIN_LENGTH,
    MAX_USER_ID_LENGTH,
    InvalidValueError,
    parse_product,
    shorten_repr,
)

EARLIEST_TIMESTAMP_MS = 788_918_400_000  # 1995-01-01T00:00:00Z
NumberedLines = Iterable[tuple[int, bytes]]


def parse_review_lines(
    lines: NumberedLines, *, now: dt.datetime
) -> Iterator[ReviewRecord | LineProblem]:
    """Parse raw review JSONL lines into ratings."""
    latest_ms = _to_milliseconds(now)
    for line_number, raw_line in lines:
        try:
            fields = _decode_json_object(raw_line)
            if fields is None:
                continue
            yield ReviewRecord(
                line_number,
                _parse_user_id(fields.get("user_id")),
                _parse_parent_asin(fields.get("parent_asin")),
                _parse_rating(fields.get("rating")),
                _parse_timestamp(fields.get("timestamp"), latest_ms),
            )
        except InvalidValueError as error:
            yield LineProblem(line_number, error.reason, error.message)


def parse_csv_lines(
    lines: NumberedLines, *, columns: dict[str, int], now: dt.datetime
) -> Iterator[ReviewRecord | LineProblem]:
    """Parse benchmark CSV rows after the header (the first non-empty line)."""
    latest_ms = _to_milliseconds(now)
    user_index = columns["user_id"]
    asin_index = columns["parent_asin"]
    rating_index = columns["rating"]
    timestamp_index = columns["timestamp"]
    required_count = max(columns.values()) + 1
    header_seen = False
    for line_number, raw_line in lines:
        try:
            text = _decode(raw_line)
            if not text.strip():
                continue
            if not header_seen:
                header_seen = True
                continue
            # Rows without quotes, the common case, need no csv module.
            fields = text.split(",") if '"' not in text else _split_quoted(text)
            if len(fields) < required_count:
                raise InvalidValueError(
                    "too few columns",
                    f"expected at least {required_count} columns, found {len(fields)}",
                )
            yield ReviewRecord(
                line_number,
                _parse_user_id(fields[user_index]),
                _parse_parent_asin(fields[asin_index]),
                _parse_rating(fields[rating_index]),
                _parse_timestamp(fields[timestamp_index], latest_ms),
            )
        except InvalidValueError as error:
            yield LineProblem(line_number, error.reason, error.message)


def parse_metadata_lines(
    lines: NumberedLines,
) -> Iterator[ProductRecord | LineProblem]:
    """Parse item metadata JSONL lines into product records and warnings."""
    for line_number, raw_line in lines:
        try:
            fields = _decode_json_object(raw_line)
            if fields is None:
                continue
            if b"\\u0000" in raw_line:
                raise _nul_character_error()
            if b"\\ud" in raw_line or b"\\uD" in raw_line:
                _check_encodable(fields)
            record, warnings = parse_product(line_number, fields)
        except InvalidValueError as error:
            yield LineProblem(line_number, error.reason, error.message)
            continue
        yield from warnings
        yield record


def _nul_character_error() -> InvalidValueError:
    # PostgreSQL text and jsonb cannot store the NUL character, so a line is
    # skipped when a stored value would contain one.
    return InvalidValueError(
        "NUL character", "the line contains a NUL character, which cannot be stored"
    )


def _decode(raw_line: bytes) -> str:
    try:
        text = raw_line.decode("utf-8")
    except UnicodeDecodeError as error:
        raise InvalidValueError(
            "not valid UTF-8",
            f"undecodable byte 0x{raw_line[error.start]:02x} at byte "
            f"{error.start + 1}; the line is not UTF-8 text",
        ) from error
    if "\x00" in text:
        raise _nul_character_error()
    return text


def _decode_json_object(raw_line: bytes) -> dict[str, Any] | None:
    """Return the line's JSON object, or None for a blank line."""
    text = _decode(raw_line)
    if not text.strip():
        return None
    try:
        value = json.loads(text)
    except ValueError as error:
        raise InvalidValueError("invalid JSON", f"invalid JSON: {error}") from error
    except RecursionError:
        raise _too_deep_error() from None
    if not isinstance(value, dict):
        raise InvalidValueError(
            "invalid JSON", f"expected a JSON object, found {type(value).__name__}"
        )
    return value


def _check_encodable(fields: dict[str, Any]) -> None:
    """Reject a JSON object whose strings hold an unpaired surrogate escape."""
    try:
        json.dumps(fields, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError as error:
        raise InvalidValueError(
            "invalid JSON",
            "a string contains an unpaired UTF-16 surrogate escape "
            f"({error.object[error.start : error.end]!r}), which is not text",
        ) from error
    except RecursionError:
        # json.dumps runs deeper in the stack than json.loads did.
        raise _too_deep_error() from None


def _too_deep_error() -> InvalidValueError:
    return InvalidValueError(
        "invalid JSON", "invalid JSON: arrays or objects are nested too deeply to parse"
    )


def _split_quoted(text: str) -> list[str]:
    return next(csv.reader([text]))


def _parse_user_id(value: object) -> str:
    return _parse_identifier(value, "user_id", MAX_USER_ID_LENGTH)


def _parse_parent_asin(value: object) -> str:
    return _parse_identifier(value, "parent_asin", MAX_PARENT_ASIN_LENGTH)


def _parse_identifier(value: object, name: str, max_length: int) -> str:
    if not isinstance(value, str) or not value.strip():
        raise InvalidValueError(f"missing {name}", f"{name} is missing or empty")
    identifier = value.strip()
    if not identifier.isascii():
        _check_encodable({name: identifier})
    if "\x00" in identifier:
        raise _nul_character_error()
    if len(identifier) > max_length:
        raise InvalidValueError(
            f"{name} too long",
            f"{name} {identifier[:80]!r} is longer than {max_length} characters",
        )
    return identifier


def _parse_rating(value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise InvalidValueError(
            "rating not a number", f"rating {shorten_repr(value)} is not a number"
        )
    try:
        rating = float(value)
    except ValueError:
        raise InvalidValueError(
            "rating not a number", f"rating {shorten_repr(value)} is not a number"
        ) from None
    if not 1 <= rating <= 5:  # also rejects NaN
        raise InvalidValueError(
            "rating out of range", f"rating {shorten_repr(value)} is outside 1 to 5"
        )
    return rating


def _parse_timestamp(value: object, latest_ms: int) -> int:
    timestamp_ms = _to_integer(value)
    if timestamp_ms is None:
        raise InvalidValueError(
            "timestamp not an integer",
            f"timestamp {shorten_repr(value)} is not an integer number of milliseconds",
        )
    if EARLIEST_TIMESTAMP_MS <= timestamp_ms <= latest_ms:
        return timestamp_ms
    if EARLIEST_TIMESTAMP_MS <= timestamp_ms * 1000 <= latest_ms:
        raise InvalidValueError(
            "timestamp in seconds",
            f"timestamp {shorten_repr(timestamp_ms)} looks like seconds; "
            "expected milliseconds since 1970-01-01 UTC",
        )
    if timestamp_ms < EARLIEST_TIMESTAMP_MS:
        raise InvalidValueError(
            "timestamp out of range",
            f"timestamp {shorten_repr(timestamp_ms)} is before 1995-01-01",
        )
    raise InvalidValueError(
        "timestamp out of range",
        f"timestamp {shorten_repr(timestamp_ms)} is in the future",
    )


def _to_integer(value: object) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return int(value) if math.isfinite(value) and value.is_integer() else None
    if isinstance(value, str):
        try:
            return int(value.strip())
        except ValueError:
            return None
    return None


def _to_milliseconds(moment: dt.datetime) -> int:
    return int(moment.timestamp() * 1000)
