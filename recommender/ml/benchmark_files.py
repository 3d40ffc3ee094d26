"""Read the Amazon Reviews 2023 benchmark files into one `InteractionLog`.

A benchmark directory contains `<Name>.train.csv`, `<Name>.valid.csv` and
`<Name>.test.csv` (columns `user_id,parent_asin,rating,timestamp`, with an
optional fifth `history` column) and, optionally, `meta_<Name>.jsonl` with one
product per line. Every file may be gzipped (`.gz` suffix). Timestamps are
Unix milliseconds.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import logging
import math
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

import numpy as np

from recommender.ml.data import InteractionLog, ItemFeatures

logger = logging.getLogger(__name__)

SPLIT_NAMES = ("train", "valid", "test")
TRAIN, VALID, TEST = 0, 1, 2
CSV_COLUMNS = ("user_id", "parent_asin", "rating", "timestamp")
CSV_HISTORY_COLUMN = "history"
GZIP_MAGIC = b"\x1f\x8b"


@dataclass
class BenchmarkData:
    """All rows of a benchmark split, with the file each row came from.

    `split` is an int8 array parallel to the log's events: 0 for the train
    file, 1 for valid and 2 for test (see `SPLIT_NAMES`).
    """

    log: InteractionLog
    split: np.ndarray

    def part(self, split_name: str) -> InteractionLog:
        """Return the events of one file: "train", "valid" or "test"."""
        if split_name not in SPLIT_NAMES:
            raise ValueError(
                f"Unknown split {split_name!r}; use one of {', '.join(SPLIT_NAMES)}."
            )
        return self.log.subset(self.split == SPLIT_NAMES.index(split_name))


def find_benchmark_files(directory: Path) -> tuple[dict[str, Path], Path | None]:
    """Locate the three split files and the metadata file in `directory`.

    Returns the split paths keyed by split name and the metadata path, or
    None when the directory has no `meta_*.jsonl` file.
    """
    if directory.is_file():
        raise NotADirectoryError(
            f"Benchmark directory {directory} is a file, not a directory; pass "
            f"the directory that contains it ({directory.parent}) or another "
            "directory with the *.train.csv, *.valid.csv and *.test.csv files."
        )
    if not directory.is_dir():
        raise FileNotFoundError(
            f"Benchmark directory {directory} not found; pass the directory "
            "that contains the *.train.csv, *.valid.csv and *.test.csv files."
        )
    splits: dict[str, Path] = {}
    for split_name in SPLIT_NAMES:
        matches = sorted(directory.glob(f"*.{split_name}.csv")) + sorted(
            directory.glob(f"*.{split_name}.csv.gz")
        )
        if len(matches) != 1:
            found = ", ".join(path.name for path in matches) or "none"
            raise FileNotFoundError(
                f"Expected one *.{split_name}.csv (or .csv.gz) file in "
                f"{directory}, found {found}."
            )
        splits[split_name] = matches[0]
    metadata = sorted(directory.glob("meta_*.jsonl")) + sorted(
        directory.glob("meta_*.jsonl.gz")
    )
    if len(metadata) > 1:
        names = ", ".join(path.name for path in metadata)
        raise FileNotFoundError(
            f"Expected at most one meta_*.jsonl file in {directory}, found "
            f"{names}; remove the extra copies."
        )
    return splits, (metadata[0] if metadata else None)


def read_benchmark_directory(directory: Path) -> BenchmarkData:
    """Read the split files and metadata of a benchmark directory."""
    splits, metadata = find_benchmark_files(directory)
    return read_benchmark_files(
        train=splits["train"],
        valid=splits["valid"],
        test=splits["test"],
        metadata=metadata,
    )


def read_benchmark_files(
    *, train: Path, valid: Path, test: Path, metadata: Path | None = None
) -> BenchmarkData:
    """Read three benchmark CSV files and optional metadata into one log.

    Users and items are indexed in order of first appearance in the train,
    valid and test files, in that order; products that occur only in the
    metadata follow. Rows keep their file order. Products without metadata
    get empty features. A `history` column is accepted but not read,
    because the histories follow from the events themselves.
    """
    user_index: dict[str, int] = {}
    item_index: dict[str, int] = {}
    users: list[int] = []
    items: list[int] = []
    timestamps: list[int] = []
    ratings: list[float] = []
    split_codes: list[int] = []

    for code, path in enumerate((train, valid, test)):
        count = 0
        for user_id, item_id, rating, timestamp_ms in _read_rating_rows(path):
            users.append(user_index.setdefault(user_id, len(user_index)))
            items.append(item_index.setdefault(item_id, len(item_index)))
            ratings.append(rating)
            timestamps.append(timestamp_ms)
            split_codes.append(code)
            count += 1
        logger.info("Read %d rows from %s", count, path)

    records = _read_metadata(metadata) if metadata is not None else {}
    for item_id in records:
        item_index.setdefault(item_id, len(item_index))
    item_ids = list(item_index)

    log = InteractionLog(
        user_ids=list(user_index),
        item_ids=item_ids,
        user=np.asarray(users, dtype=np.int64),
        item=np.asarray(items, dtype=np.int64),
        timestamp_ms=np.asarray(timestamps, dtype=np.int64),
        rating=np.asarray(ratings, dtype=np.float32),
        items=_item_features(item_ids, records),
    )
    return BenchmarkData(log=log, split=np.asarray(split_codes, dtype=np.int8))


def read_text_lines(path: Path) -> Iterator[str]:
    """Yield the lines of a plain or gzipped UTF-8 text file, ends included.

    Gzip is recognized by the file's first bytes, not its name, and a
    leading byte order mark is dropped. Lines end at \n, \r\n or \r, as
    the csv module expects. Invalid UTF-8 and corrupt gzip data raise
    ValueError naming the file and, for UTF-8, the line.
    """
    try:
        with _open_text(path) as handle:
            yield from handle
    except UnicodeDecodeError as error:
        raise ValueError(_describe_invalid_utf8(path)) from error
    except (gzip.BadGzipFile, EOFError, zlib.error) as error:
        raise ValueError(
            f"{path}: corrupt gzip data ({error}); compress the file again or "
            "use the plain text file."
        ) from error


def _open_text(path: Path) -> TextIO:
    with path.open("rb") as handle:
        magic = handle.read(2)
    if magic == GZIP_MAGIC:
        return io.TextIOWrapper(gzip.open(path, "rb"), encoding="utf-8-sig", newline="")
    return path.open(encoding="utf-8-sig", newline="")


def _describe_invalid_utf8(path: Path) -> str:
    """Find the first line of `path` that is not UTF-8 and describe it.

    The decoder's own error gives a position inside a read buffer, so the
    file is read again line by line to name the line.
    """
    advice = "benchmark files must be UTF-8 text, plain or gzipped."
    with path.open("rb") as handle:
        magic = handle.read(2)
    opener = gzip.open if magic == GZIP_MAGIC else open
    with opener(path, "rb") as handle:
        # NOTE: lines are counted at b"\n" here, so in a file whose lines
        # end in a bare \r the reported line number is too low.
        for line_number, raw in enumerate(handle, start=1):
            try:
                raw.decode("utf-8")
            except UnicodeDecodeError as error:
                return (
                    f"{path}, line {line_number}: invalid UTF-8 byte "
                    f"0x{raw[error.start]:02x} at byte {error.start + 1} of the "
                    f"line; {advice}"
                )
    return f"{path}: invalid UTF-8 text; {advice}"


def _read_csv_rows(path: Path) -> Iterator[tuple[int, list[str]]]:
    """Yield each CSV row of `path` with the line number where it ends."""
    reader = csv.reader(read_text_lines(path))
    try:
        for row in reader:
            yield reader.line_num, row
    except csv.Error as error:
        raise ValueError(
            f"{path}, line {reader.line_num}: invalid CSV ({error}); fix or "
            "remove the line."
        ) from error


def _read_rating_rows(path: Path) -> Iterator[tuple[str, str, float, int]]:
    rows = _read_csv_rows(path)
    _, header = next(rows, (0, None))
    if header is None:
        raise ValueError(f"{path} is empty; expected a CSV header line.")
    expected = list(CSV_COLUMNS)
    if header[:4] != expected or header[4:] not in ([], [CSV_HISTORY_COLUMN]):
        raise ValueError(
            f"{path} has header {','.join(header)!r}; expected "
            f"{','.join(CSV_COLUMNS)!r}, optionally followed by "
            f"{CSV_HISTORY_COLUMN!r}."
        )
    width = len(header)
    for line, row in rows:
        if len(row) != width:
            raise ValueError(
                f"{path}, line {line}: expected {width} fields, got "
                f"{len(row)}; fix or remove the line."
            )
        user_id, item_id, rating_text, timestamp_text = row[:4]
        try:
            rating = float(rating_text) if rating_text else math.nan
            timestamp_ms = int(timestamp_text)
        except ValueError as error:
            raise ValueError(
                f"{path}, line {line}: invalid rating {rating_text!r} or "
                f"timestamp {timestamp_text!r} ({error}); timestamps must "
                "be integer Unix milliseconds."
            ) from error
        if not user_id or not item_id:
            raise ValueError(f"{path}, line {line}: user_id or parent_asin is empty.")
        yield user_id, item_id, rating, timestamp_ms


def _read_metadata(path: Path) -> dict[str, dict[str, Any]]:
    records: dict[str, dict[str, Any]] = {}
    for line_number, line in enumerate(read_text_lines(path), start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as error:
            raise ValueError(
                f"{path}, line {line_number}: invalid JSON ({error})."
            ) from error
        item_id = record.get("parent_asin") if isinstance(record, dict) else None
        if not item_id:
            raise ValueError(f"{path}, line {line_number}: parent_asin missing.")
        records[str(item_id)] = record
    logger.info("Read metadata of %d products from %s", len(records), path)
    return records


def _item_features(
    item_ids: list[str], records: dict[str, dict[str, Any]]
) -> ItemFeatures:
    features = ItemFeatures.empty(len(item_ids))
    for position, item_id in enumerate(item_ids):
        record = records.get(item_id)
        if record is None:
            continue
        features.titles[position] = str(record.get("title") or "")
        features.stores[position] = str(record.get("store") or "")
        categories = record.get("categories") or []
        features.categories[position] = " > ".join(str(name) for name in categories)
        features.prices[position] = parse_price(record.get("price"))
    return features


def parse_price(value: object) -> float:
    """Return a price in dollars, or NaN for null or non-numeric values.

    The metadata's `price` is a number, null, or occasionally a string.
    A string counts only when it is a plain number, optionally with "$"
    and thousands separators ("$1,299.00"); "from 9.99" gives NaN.
    """
    if isinstance(value, bool) or value is None:
        return math.nan
    if isinstance(value, int | float):
        price = float(value)
    elif isinstance(value, str):
        text = value.strip().replace("$", "").replace(",", "")
        try:
            price = float(text)
        except ValueError:
            return math.nan
    else:
        return math.nan
    return price if math.isfinite(price) and price >= 0 else math.nan
