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
        "skipped. Exits with status 1 only when no file could be read."
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
        if not report.readable:
            raise CommandError(
                "No input could be read: every path is missing, empty or of "
                "an unknown format (see above). Pass review JSONL, item "
                "metadata JSONL or benchmark CSV files, plain or gzipped, or "
                "directories that contain them."
            )
