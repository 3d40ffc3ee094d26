"""Counts of one import, per file and in total, and their printed summary."""

from __future__ import annotations

from collections import Counter
from dataclasses import asdict, dataclass, field
from typing import Any

from recommender.importing.records import LineProblem, Severity


@dataclass
class EntityCounts:
    """Rows of one kind: new, changed, and already stored unchanged.

    Reviewers, categories and the product stubs made for reviews count only
    new rows. `duplicates` counts rows equal to one already stored or to an
    earlier line of the same import.
    """

    inserted: int = 0
    updated: int = 0
    duplicates: int = 0

    def add(self, other: EntityCounts) -> None:
        self.inserted += other.inserted
        self.updated += other.updated
        self.duplicates += other.duplicates


@dataclass
class WriteCounts:
    """Row counts of one batch, one file or the whole import."""

    ratings: EntityCounts = field(default_factory=EntityCounts)
    reviewers: EntityCounts = field(default_factory=EntityCounts)
    products: EntityCounts = field(default_factory=EntityCounts)
    categories: EntityCounts = field(default_factory=EntityCounts)

    def add(self, other: WriteCounts) -> None:
        self.ratings.add(other.ratings)
        self.reviewers.add(other.reviewers)
        self.products.add(other.products)
        self.categories.add(other.categories)


@dataclass(frozen=True)
class FailedBatch:
    """A batch that the database rejected, so none of its rows is stored.

    `error` is the exception's class name and the first line of its message.
    """

    first_line: int
    last_line: int
    rows: int
    error: str


@dataclass
class FileReport:
    """The outcome for one input file.

    `error` is set when the file could not be opened, recognized or read to
    its end. `listed_problems` keeps the first problems in full, and
    `skipped` and `warnings` count every problem by reason.
    """

    path: str
    file_format: str | None = None
    lines_read: int = 0
    records: int = 0
    counts: WriteCounts = field(default_factory=WriteCounts)
    skipped: Counter[str] = field(default_factory=Counter)
    warnings: Counter[str] = field(default_factory=Counter)
    listed_problems: list[LineProblem] = field(default_factory=list)
    failed_batches: list[FailedBatch] = field(default_factory=list)
    error: str | None = None

    @property
    def recognized(self) -> bool:
        return self.file_format is not None

    def record_problem(self, problem: LineProblem, max_listed: int) -> None:
        if problem.severity is Severity.WARNING:
            self.warnings[problem.reason] += 1
        else:
            self.skipped[problem.reason] += 1
        if len(self.listed_problems) < max_listed:
            self.listed_problems.append(problem)

    @property
    def problem_count(self) -> int:
        return self.skipped.total() + self.warnings.total()

    @property
    def rows_not_stored(self) -> int:
        return sum(batch.rows for batch in self.failed_batches)


@dataclass
class ImportReport:
    """The outcome of one import run, file by file.

    `stopped` is true when a database error ended the import early.
    """

    files: list[FileReport] = field(default_factory=list)
    stopped: bool = False

    @property
    def readable(self) -> bool:
        """Return whether at least one file was opened and recognized."""
        return any(file_report.recognized for file_report in self.files)

    @property
    def totals(self) -> FileReport:
        total = FileReport(path="total")
        for file_report in self.files:
            total.lines_read += file_report.lines_read
            total.records += file_report.records
            total.counts.add(file_report.counts)
            total.skipped.update(file_report.skipped)
            total.warnings.update(file_report.warnings)
            total.failed_batches.extend(file_report.failed_batches)
        return total

    def to_dict(self) -> dict[str, Any]:
        """Return the counts as plain data, for JSON output and tests."""
        return {
            "files": [_file_to_dict(report) for report in self.files],
            "total": _file_to_dict(self.totals),
        }


def _file_to_dict(report: FileReport) -> dict[str, Any]:
    return {
        "path": report.path,
        "format": report.file_format,
        "lines_read": report.lines_read,
        "records": report.records,
        "counts": asdict(report.counts),
        "skipped": dict(report.skipped),
        "warnings": dict(report.warnings),
        "failed_batches": [asdict(batch) for batch in report.failed_batches],
        "error": report.error,
    }


def format_report(report: ImportReport) -> str:
    """Render the listed problems and the per-file and total counts."""
    lines: list[str] = []
    for file_report in report.files:
        lines.extend(_format_problems(file_report))
    for file_report in report.files:
        lines.extend(_format_counts(file_report))
    if len(report.files) > 1:
        lines.extend(_format_counts(report.totals, list_failed_batches=False))
    return "\n".join(lines)


def _format_problems(report: FileReport) -> list[str]:
    lines = []
    for problem in report.listed_problems:
        location = report.path
        if problem.line_number is not None:
            location += f":{problem.line_number}"
        lines.append(f"{location}: {problem.severity.value}: {problem.message}")
    unlisted = report.problem_count - len(report.listed_problems)
    if unlisted > 0:
        more = " more" if report.listed_problems else ""
        lines.append(
            f"{report.path}: {unlisted:,}{more} problem lines not listed; "
            "their counts by reason follow"
        )
    return lines


def _format_counts(
    report: FileReport, *, list_failed_batches: bool = True
) -> list[str]:
    title = report.path
    if report.file_format:
        title += f" ({report.file_format})"
    summary = (
        f"{title}: {report.lines_read:,} lines read, {report.records:,} rows "
        f"parsed, {report.skipped.total():,} skipped, "
        f"{report.warnings.total():,} with warnings"
    )
    if report.failed_batches:
        summary += f", {report.rows_not_stored:,} rows not stored"
    lines = [summary]
    if report.error:
        lines.append(f"  error: {report.error}")
    for batch in report.failed_batches if list_failed_batches else []:
        lines.append(
            f"  error: lines {batch.first_line} to {batch.last_line}: "
            f"{batch.rows:,} rows not stored, because the database rejected "
            f"the batch ({batch.error}); fix those lines and import the file "
            "again."
        )
    counts = report.counts
    for name, entity in (
        ("ratings", counts.ratings),
        ("products", counts.products),
        ("reviewers", counts.reviewers),
        ("categories", counts.categories),
    ):
        lines.append(
            f"  {name + ':':<12}{entity.inserted:>10,} inserted"
            f"{entity.updated:>10,} updated{entity.duplicates:>10,} duplicates"
        )
    for label, reasons in (("skipped", report.skipped), ("warning", report.warnings)):
        for reason, count in sorted(reasons.items()):
            lines.append(f"  {label}: {reason}: {count:,}")
    return lines
