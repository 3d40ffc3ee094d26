"""Open an input file, detect its format from its content, and read lines.

Gzip is detected by its magic bytes and the format by the first lines, never
by the file name. No Django imports here.
"""

from __future__ import annotations

import gzip
import json
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import BinaryIO

GZIP_MAGIC = b"\x1f\x8b"
UTF8_BOM = b"\xef\xbb\xbf"
CSV_REQUIRED_COLUMNS = ("user_id", "parent_asin", "rating", "timestamp")
# The first line among this many that parses as a JSON object decides the
# format of a JSONL file. Broken lines before it are reported while parsing.
DETECTION_LINE_LIMIT = 20

# Keys that only one of the two JSONL formats has.
REVIEW_ONLY_KEYS = frozenset(
    {"user_id", "timestamp", "text", "asin", "helpful_vote", "verified_purchase"}
)
METADATA_ONLY_KEYS = frozenset(
    {
        "main_category",
        "average_rating",
        "rating_number",
        "features",
        "description",
        "price",
        "videos",
        "store",
        "categories",
        "details",
        "bought_together",
    }
)


class FileFormat(Enum):
    REVIEWS_JSONL = "review JSONL"
    METADATA_JSONL = "item metadata JSONL"
    BENCHMARK_CSV = "benchmark CSV"


class UnknownFormatError(ValueError):
    """The file is in none of the supported formats."""


class TruncatedFileError(OSError):
    """The compressed stream ended early or broke after some lines.

    The lines before the break are read and imported.
    """


class InvalidGzipError(OSError):
    """The file starts like gzip, but not even its first line can be read."""


@dataclass(frozen=True)
class Detection:
    """The result of looking at the first lines of a file.

    `file_format` is None for a file without a non-empty line.
    `csv_columns` maps each required CSV column to its index.
    """

    file_format: FileFormat | None
    compressed: bool
    csv_columns: dict[str, int] | None = None


class InputFile:
    """A plain or gzipped input file, read as numbered lines of bytes.

    Use it as a context manager. `compressed_position` is the byte offset
    reached in the file on disk, which drives the progress bar.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self._raw: BinaryIO = path.open("rb")
        self.compressed = self._raw.read(2) == GZIP_MAGIC
        self._raw.seek(0)
        self._stream: BinaryIO = (
            gzip.GzipFile(fileobj=self._raw, mode="rb")  # type: ignore[assignment]
            if self.compressed
            else self._raw
        )
        self.lines_read = 0
        self._lines = self._number_lines()
        self._peeked: list[tuple[int, bytes]] = []
        self._read_error: TruncatedFileError | None = None

    def __enter__(self) -> InputFile:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        self._stream.close()
        self._raw.close()

    @property
    def compressed_position(self) -> int:
        return self._raw.tell()

    def detect(self) -> Detection:
        """Classify the file by its first non-empty lines.

        When a gzip stream breaks within those lines, `lines()` raises the
        TruncatedFileError after yielding the lines before the break.
        """
        peeked: list[tuple[int, bytes]] = []
        try:
            for line_number, raw_line in self._lines:
                peeked.append((line_number, raw_line))
                if len(peeked) >= DETECTION_LINE_LIMIT:
                    break
        except TruncatedFileError as error:
            self._read_error = error
        self._peeked = peeked

        candidates = [(number, line) for number, line in peeked if line.strip()]
        if not candidates:
            if self._read_error is not None:
                raise self._read_error
            return Detection(file_format=None, compressed=self.compressed)
        first_line = candidates[0][1]
        if first_line.startswith(UTF8_BOM):
            first_line = first_line[len(UTF8_BOM) :]

        csv_columns = _match_csv_header(first_line)
        if csv_columns is not None:
            return Detection(FileFormat.BENCHMARK_CSV, self.compressed, csv_columns)
        for _, line in candidates:
            file_format = _classify_json_line(line)
            if file_format is not None:
                return Detection(file_format, self.compressed)
        raise UnknownFormatError(
            f"{self.path}: unknown format. Expected review or item metadata "
            "JSONL, or a CSV with the header "
            f"{','.join(CSV_REQUIRED_COLUMNS)}; the first line starts with "
            f"{first_line[:60]!r}."
        )

    def lines(self) -> Iterator[tuple[int, bytes]]:
        """Yield (line number, line without its line break), from line 1."""
        peeked, self._peeked = self._peeked, []
        yield from peeked
        if self._read_error is not None:
            raise self._read_error
        yield from self._lines

    def _number_lines(self) -> Iterator[tuple[int, bytes]]:
        try:
            for raw_line in self._stream:
                self.lines_read += 1
                yield self.lines_read, raw_line.rstrip(b"\r\n")
        except (EOFError, gzip.BadGzipFile, zlib.error) as error:
            raise self._describe_gzip_error(error) from error

    def _describe_gzip_error(self, error: Exception) -> OSError:
        last_line = self.lines_read
        if isinstance(error, EOFError):
            if last_line == 0:
                return InvalidGzipError(
                    f"{self.path}: the gzip file is cut off before the end of "
                    "its first line; nothing imported."
                )
            return TruncatedFileError(
                f"{self.path}: the file is cut off after line {last_line}: the "
                "gzip stream ends before its end-of-stream marker. Lines 1 to "
                f"{last_line} were read and their rows stored; the rest of the "
                "file is missing. Import a complete copy to add the rest; rows "
                "already stored are not duplicated."
            )
        if last_line == 0:
            return InvalidGzipError(
                f"{self.path}: not a valid gzip file ({error}): it starts with "
                "the gzip magic bytes 1f 8b but cannot be decompressed; nothing "
                "imported."
            )
        # NOTE: a damaged deflate stream can decode to altered lines before
        # zlib or the CRC check at its end notices, and those lines are
        # parsed like any other.
        return TruncatedFileError(
            f"{self.path}: the gzip stream is damaged after line {last_line} "
            f"({error}). Lines 1 to {last_line} were read and their rows "
            "stored; lines near the damage may hold altered values, and the "
            "rest of the file was not read. Import an undamaged copy to add "
            "the rest; rows already stored are not duplicated."
        )


def _match_csv_header(line: bytes) -> dict[str, int] | None:
    try:
        text = line.decode("utf-8")
    except UnicodeDecodeError:
        return None
    names = [name.strip().strip('"').lower() for name in text.split(",")]
    if not all(column in names for column in CSV_REQUIRED_COLUMNS):
        return None
    return {column: names.index(column) for column in CSV_REQUIRED_COLUMNS}


def _classify_json_line(line: bytes) -> FileFormat | None:
    if not line.lstrip().startswith(b"{"):
        return None
    try:
        value = json.loads(line)
    except (ValueError, RecursionError):
        return None
    if not isinstance(value, dict):
        return None
    keys = value.keys()
    review_score = len(REVIEW_ONLY_KEYS.intersection(keys))
    metadata_score = len(METADATA_ONLY_KEYS.intersection(keys))
    if review_score > metadata_score:
        return FileFormat.REVIEWS_JSONL
    if metadata_score > review_score:
        return FileFormat.METADATA_JSONL
    return None
