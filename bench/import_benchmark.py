"""Measure the import rate beside PostgreSQL's own COPY of the same rows.

The script creates a scratch database on 127.0.0.1 (marketplace_bench by
default), migrates it, and repeats these steps:

1. Empty the catalog and interaction tables.
2. Time `import_paths` on a review file: parsing, reviewers, product stubs
   and ratings, in batches, as `manage.py import_amazon` does.
3. Time `import_paths` on the matching metadata file (reported aside).
4. Time a plain COPY of the stored interaction rows into a table of the
   same shape. The table has the columns, indexes, check constraints and
   foreign keys of recommender_interaction. The timing includes the commit,
   where the deferred foreign key checks run, as they do for the import.

It prints each repeat and the medians, then drops the database. Make the
input with bench/generate_reviews.py first.

Usage:
    python bench/import_benchmark.py \\
        bench/out/synthetic_Electronics.1000000.jsonl \\
        --metadata bench/out/synthetic_meta_Electronics.50000.jsonl
"""

from __future__ import annotations

import argparse
import io
import statistics
import sys
import time
from pathlib import Path

from scratch_database import (
    add_database_arguments,
    create_database,
    drop_database,
    setup_django,
)

COPY_TABLE = "bench_copy_target"
COPIED_COLUMNS = "kind, source, rating, occurred_at, product_id, reviewer_id"
FOREIGN_KEYS = {
    "reviewer_id": "recommender_reviewer",
    "product_id": "listings_product",
    "listing_id": "listings_listing",
    "user_id": "accounts_user",
}


def parse_arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("reviews", type=Path, help="review JSONL file to import")
    parser.add_argument(
        "--metadata", type=Path, help="item metadata JSONL file to import after it"
    )
    parser.add_argument(
        "--repeats", type=int, default=3, help="measured runs (default: 3)"
    )
    parser.add_argument(
        "--batch-size",
        type=int,
        default=10_000,
        help="rows per import transaction (default: 10,000)",
    )
    add_database_arguments(parser, default="marketplace_bench")
    return parser.parse_args()


def empty_tables() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "TRUNCATE recommender_interaction, listings_product, "
            "recommender_reviewer, listings_category RESTART IDENTITY CASCADE"
        )
        cursor.execute(f"DROP TABLE IF EXISTS {COPY_TABLE}")
        cursor.execute("ANALYZE")


def time_import(path: Path, batch_size: int) -> tuple[float, int, int]:
    """Return (seconds, rows parsed, ratings or products inserted)."""
    from recommender.importing.service import import_paths

    started = time.perf_counter()
    report = import_paths(paths=[path], batch_size=batch_size)
    elapsed = time.perf_counter() - started
    file_report = report.files[0]
    if file_report.error:
        sys.exit(f"The import failed: {file_report.error}")
    counts = file_report.counts
    return (
        elapsed,
        file_report.records,
        counts.ratings.inserted or counts.products.inserted,
    )


def export_interactions() -> bytes:
    from django.db import connection

    buffer = io.BytesIO()
    with connection.cursor() as cursor:
        cursor.cursor.copy_expert(
            f"COPY (SELECT {COPIED_COLUMNS} FROM recommender_interaction "
            "ORDER BY id) TO STDOUT",
            buffer,
        )
    return buffer.getvalue()


def time_copy(rows: bytes) -> float:
    """Return the seconds that COPY and its commit take for the rows."""
    from django.db import connection, transaction

    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TABLE {COPY_TABLE} (LIKE recommender_interaction INCLUDING ALL)"
        )
        for column, table in FOREIGN_KEYS.items():
            cursor.execute(
                f"ALTER TABLE {COPY_TABLE} ADD FOREIGN KEY ({column}) "
                f"REFERENCES {table} (id) DEFERRABLE INITIALLY DEFERRED"
            )

    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.cursor.copy_expert(
            f"COPY {COPY_TABLE} ({COPIED_COLUMNS}) FROM STDIN", io.BytesIO(rows)
        )
    return time.perf_counter() - started


def main() -> None:
    arguments = parse_arguments()
    create_database(arguments)
    try:
        setup_django(arguments, secret_key="import-benchmark-only")
        run(arguments)
    finally:
        from django.db import connections

        connections.close_all()
        drop_database(arguments)


def run(arguments: argparse.Namespace) -> None:
    import_rates: list[float] = []
    copy_rates: list[float] = []
    metadata_rates: list[float] = []
    print(f"Input: {arguments.reviews}, batch size {arguments.batch_size:,}")
    for repeat in range(1, arguments.repeats + 1):
        empty_tables()
        import_seconds, rows, inserted = time_import(
            arguments.reviews, arguments.batch_size
        )
        line = (
            f"run {repeat}: import {rows:,} rows ({inserted:,} ratings stored) "
            f"in {import_seconds:.1f} s = {rows / import_seconds:,.0f} rows/s"
        )
        import_rates.append(rows / import_seconds)

        if arguments.metadata:
            seconds, products, _ = time_import(arguments.metadata, arguments.batch_size)
            metadata_rates.append(products / seconds)
            line += f"; metadata {products / seconds:,.0f} rows/s"

        exported = export_interactions()
        copied = exported.count(b"\n")
        copy_seconds = time_copy(exported)
        copy_rates.append(copied / copy_seconds)
        line += (
            f"; COPY {copied:,} rows in {copy_seconds:.1f} s = "
            f"{copied / copy_seconds:,.0f} rows/s"
        )
        print(line, flush=True)

    import_median = statistics.median(import_rates)
    copy_median = statistics.median(copy_rates)
    print(
        f"median of {arguments.repeats}: import {import_median:,.0f} rows/s, "
        f"COPY {copy_median:,.0f} rows/s, "
        f"import / COPY = {import_median / copy_median:.2f}"
    )
    if metadata_rates:
        print(
            f"median metadata import: {statistics.median(metadata_rates):,.0f} rows/s"
        )


if __name__ == "__main__":
    main()
