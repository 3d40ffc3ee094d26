"""Import Amazon Reviews 2023 files into the catalog and interaction log."""

from __future__ import annotations

import datetime as dt
import logging
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path

from django.db import DatabaseError, connection, transaction
from tqdm import tqdm

from recommender.importing.batches import split_products, split_ratings
from recommender.importing.chunks import read_chunks
from recommender.importing.formats import (
    Detection,
    FileFormat,
    InputFile,
    UnknownFormatError,
)
from recommender.importing.parsing import (
    parse_csv_lines,
    parse_metadata_lines,
    parse_review_lines,
)
from recommender.importing.paths import expand_paths
from recommender.importing.records import (
    LineProblem,
    ProductRecord,
    ReviewRecord,
    Severity,
)
from recommender.importing.report import (
    FailedBatch,
    FileReport,
    ImportReport,
    WriteCounts,
)
from recommender.importing.writer import WriteMethod, Writer, make_writer

logger = logging.getLogger(__name__)

DEFAULT_BATCH_SIZE = 10_000
DEFAULT_MAX_LISTED_PROBLEMS = 20


class DatabaseUnavailableError(Exception):
    """The database connection failed, so no later batch can be written."""


def import_paths(
    *,
    paths: Sequence[str | Path],
    batch_size: int = DEFAULT_BATCH_SIZE,
    progress: bool = False,
    max_listed_problems: int = DEFAULT_MAX_LISTED_PROBLEMS,
    method: WriteMethod = "auto",
) -> ImportReport:
    """Import review, item metadata and benchmark CSV files, in order.

    A directory stands for the files directly inside it, sorted by name.
    Each batch of `batch_size` rows is written in its own transaction, so an
    interrupted import keeps the batches before it, and running it again
    completes it without adding duplicates. A batch that the database
    rejects is listed in its file's `failed_batches`, and the import goes
    on. When the connection is no longer usable after such an error, the
    import stops and sets `stopped`. `progress` shows a bar per file on
    stderr. `method` picks the writer: "copy" (PostgreSQL only), "orm", or
    "auto" for copy on PostgreSQL and orm elsewhere.
    """
    if batch_size < 1:
        raise ValueError(f"batch_size must be at least 1, got {batch_size}.")
    writer = make_writer(method)
    report = ImportReport()
    now = dt.datetime.now(tz=dt.UTC)
    for path in expand_paths(paths, report):
        file_report = FileReport(path=str(path))
        report.files.append(file_report)
        if report.stopped:
            file_report.error = (
                f"{path}: not read, because the import stopped after a "
                "database error in an earlier file."
            )
            continue
        logger.info("Importing %s", path)
        try:
            _import_file(
                path,
                file_report=file_report,
                writer=writer,
                batch_size=batch_size,
                progress=progress,
                max_listed_problems=max_listed_problems,
                now=now,
            )
        except (OSError, UnknownFormatError) as error:
            file_report.error = str(error)
            logger.warning("Import of %s stopped: %s", path, error)
        except DatabaseUnavailableError as error:
            file_report.error = str(error)
            report.stopped = True
            logger.error("Import stopped: %s", error)
        logger.info(
            "Imported %s: %d lines, %d rows, %d skipped",
            path,
            file_report.lines_read,
            file_report.records,
            file_report.skipped.total(),
        )
    return report


def _import_file(
    path: Path,
    *,
    file_report: FileReport,
    writer: Writer,
    batch_size: int,
    progress: bool,
    max_listed_problems: int,
    now: dt.datetime,
) -> None:
    with (
        InputFile(path) as input_file,
        tqdm(
            total=path.stat().st_size,
            desc=path.name,
            unit="B",
            unit_scale=True,
            disable=not progress,
            file=sys.stderr,
        ) as bar,
    ):
        try:
            detection = input_file.detect()
            if detection.file_format is None:
                file_report.record_problem(
                    LineProblem(
                        None,
                        "empty file",
                        "empty file: no data lines; nothing imported",
                        Severity.WARNING,
                    ),
                    max_listed_problems,
                )
                return
            file_report.file_format = detection.file_format.value

            chunks = read_chunks(
                _parse(detection, input_file, now),
                batch_size=batch_size,
                position=lambda: input_file.compressed_position,
            )
            for chunk in chunks:
                for problem in chunk.problems:
                    file_report.record_problem(problem, max_listed_problems)
                if chunk.records:
                    file_report.records += len(chunk.records)
                    _write_or_report(writer, chunk.records, file_report)
                if chunk.error is not None:
                    # The rows read before the damage were written above.
                    file_report.error = str(chunk.error)
                    logger.warning("Import of %s stopped early: %s", path, chunk.error)
                bar.update(chunk.position - bar.n)
        finally:
            file_report.lines_read = input_file.lines_read


def _parse(
    detection: Detection, input_file: InputFile, now: dt.datetime
) -> Iterator[ReviewRecord | ProductRecord | LineProblem]:
    lines = input_file.lines()
    if detection.csv_columns is not None:
        return parse_csv_lines(lines, columns=detection.csv_columns, now=now)
    if detection.file_format is FileFormat.REVIEWS_JSONL:
        return parse_review_lines(lines, now=now)
    return parse_metadata_lines(lines)


def _write_or_report(
    writer: Writer,
    batch: list[ReviewRecord | ProductRecord],
    file_report: FileReport,
) -> None:
    """Write a batch, or record it as failed when the database rejects it.

    Raises DatabaseUnavailableError when the connection is no longer usable
    after the error, because every later batch would fail too.
    """
    try:
        counts = _write_batch(writer, batch)
    except DatabaseError as error:
        first_line, last_line = batch[0].line_number, batch[-1].line_number
        message = str(error).strip().splitlines()
        file_report.failed_batches.append(
            FailedBatch(
                first_line=first_line,
                last_line=last_line,
                rows=len(batch),
                error=f"{type(error).__name__}: {message[0] if message else ''}",
            )
        )
        logger.error(
            "Batch of %s, lines %d to %d, not stored: %s",
            file_report.path,
            first_line,
            last_line,
            error,
        )
        # Outside an atomic block, Django opens a new connection when the
        # failed transaction ends. So the connection is usable again after
        # the server ended the old one, but not while the server is down.
        if connection.connection is None or not connection.is_usable():
            raise DatabaseUnavailableError(
                f"{file_report.path}: the import stopped at lines {first_line} "
                f"to {last_line}, because the database connection is no longer "
                "usable. Rows of earlier batches are stored; run the import "
                "again once the database is reachable."
            ) from error
        return
    file_report.counts.add(counts)


def _write_batch(
    writer: Writer, batch: list[ReviewRecord | ProductRecord]
) -> WriteCounts:
    counts = WriteCounts()
    with transaction.atomic():
        if isinstance(batch[0], ReviewRecord):
            rating_rounds = split_ratings(batch)  # type: ignore[arg-type]
            counts.ratings.duplicates += rating_rounds.duplicate_count
            for ratings in rating_rounds.rounds:
                counts.add(writer.write_ratings(ratings))
        else:
            product_rounds = split_products(batch)  # type: ignore[arg-type]
            counts.products.duplicates += product_rounds.duplicate_count
            for products in product_rounds.rounds:
                counts.add(writer.write_products(products))
    return counts
