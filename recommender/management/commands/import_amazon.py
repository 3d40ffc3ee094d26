import json
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from recommender.importing.report import format_report
from recommender.importing.service import (
    DEFAULT_BATCH_SIZE,
    DEFAULT_MAX_LISTED_PROBLEMS,
    import_paths,
)


class Command(BaseCommand):
    help = (
        "Import Amazon Reviews 2023 files: raw review JSONL, item metadata "
        "JSONL and benchmark CSVs (user_id,parent_asin,rating,timestamp"
        "[,history]), each plain or gzipped. The format is detected from the "
        "content. Reviewers, products, categories and ratings are matched by "
        "their natural keys, so a repeated import adds nothing. Timestamps "
        "are in milliseconds. A product with an empty category list gets no "
        "category. Malformed lines are reported by file and line number and "
        "skipped. A gzip file that is cut off is imported up to the break, "
        "and the summary names the last line read. Exits with status 1 when "
        "no file could be read, or when the database rejected a batch or "
        "failed; the rows of the other batches stay stored."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "paths",
            nargs="+",
            metavar="PATH",
            help=(
                "A file to import, or a directory whose files (not its "
                "subdirectories) are imported in name order."
            ),
        )
        parser.add_argument(
            "--batch-size",
            type=int,
            default=DEFAULT_BATCH_SIZE,
            metavar="ROWS",
            help=(
                "Rows written per database transaction "
                f"(default: {DEFAULT_BATCH_SIZE})."
            ),
        )
        parser.add_argument(
            "--max-listed-problems",
            type=int,
            default=DEFAULT_MAX_LISTED_PROBLEMS,
            metavar="LINES",
            help=(
                "Problem lines printed one by one per file, after which "
                "problems are only counted by reason "
                f"(default: {DEFAULT_MAX_LISTED_PROBLEMS})."
            ),
        )
        parser.add_argument(
            "--json",
            action="store_true",
            help="Print the counts as one JSON object instead of the summary.",
        )
        parser.add_argument(
            "--no-progress",
            action="store_true",
            help=(
                "Hide the progress bar. It is shown only when stderr is a "
                "terminal in any case."
            ),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["batch_size"] < 1:
            raise CommandError(
                f"--batch-size must be at least 1, got {options['batch_size']}."
            )
        report = import_paths(
            paths=options["paths"],
            batch_size=options["batch_size"],
            progress=sys.stderr.isatty() and not options["no_progress"],
            max_listed_problems=max(options["max_listed_problems"], 0),
        )
        if options["json"]:
            self.stdout.write(json.dumps(report.to_dict(), indent=2))
        else:
            self.stdout.write(format_report(report))
        if report.stopped:
            raise CommandError(
                "The import stopped after a database error (see above); rows "
                "of earlier batches are stored. Run it again once the database "
                "is reachable; stored rows are not duplicated."
            )
        totals = report.totals
        if totals.failed_batches:
            batch_count = len(totals.failed_batches)
            batches = "batch" if batch_count == 1 else "batches"
            raise CommandError(
                f"The database rejected {totals.rows_not_stored:,} rows in "
                f"{batch_count:,} {batches} (see the errors above); the other "
                "rows are stored. "
                "Fix the named lines and import the files again; stored rows "
                "are not duplicated."
            )
        if not report.readable:
            raise CommandError(
                "No input could be read: every path is missing, empty or of "
                "an unknown format (see above). Pass review JSONL, item "
                "metadata JSONL or benchmark CSV files, plain or gzipped, or "
                "directories that contain them."
            )
