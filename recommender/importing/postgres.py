"""Write import batches to PostgreSQL with COPY and set-based statements.

Each batch is copied into a temporary staging table. Then one INSERT ...
ON CONFLICT DO NOTHING per table adds the missing categories, reviewers and
product stubs, and another adds the new ratings or products. When some
staged rows were stored before, an INSERT ... ON CONFLICT DO UPDATE ...
WHERE changes those whose values differ. The counts come from each
statement's rowcount. Callers run the writer inside a transaction.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Sequence
from typing import Any

from django.db import connection
from django.db.backends.utils import CursorWrapper

from listings.models import Category, Product
from recommender.importing.records import ProductRecord, ReviewRecord
from recommender.importing.report import EntityCounts, WriteCounts
from recommender.importing.writer import category_nodes_by_depth, category_path
from recommender.models import Interaction, Reviewer

REVIEWER = Reviewer._meta.db_table
PRODUCT = Product._meta.db_table
CATEGORY = Category._meta.db_table
INTERACTION = Interaction._meta.db_table
RATING_STAGE = "import_rating_stage"
PRODUCT_STAGE = "import_product_stage"
COPY_BUFFER_SIZE = 1 << 16
EPOCH_SQL = "TIMESTAMPTZ '1970-01-01 00:00:00+00' + s.timestamp_ms * INTERVAL '1 ms'"

CREATE_RATING_STAGE = f"""
    CREATE TEMPORARY TABLE IF NOT EXISTS {RATING_STAGE} (
        line_number bigint NOT NULL,
        user_id text NOT NULL,
        parent_asin text NOT NULL,
        rating double precision NOT NULL,
        timestamp_ms bigint NOT NULL
    )
"""
INSERT_REVIEWERS = f"""
    INSERT INTO {REVIEWER} (source, external_id)
    SELECT DISTINCT %s, s.user_id FROM {RATING_STAGE} s
    ORDER BY 2
    ON CONFLICT (source, external_id) DO NOTHING
"""
INSERT_PRODUCT_STUBS = f"""
    INSERT INTO {PRODUCT} (
        parent_asin, title, store, main_category, features, description,
        image_urls, details, has_metadata, created_at, updated_at
    )
    SELECT s.parent_asin, '', '', '', '[]', '[]', '[]', '{{}}', FALSE,
        now(), now()
    FROM (SELECT DISTINCT parent_asin FROM {RATING_STAGE}) s
    ORDER BY s.parent_asin
    ON CONFLICT (parent_asin) DO NOTHING
"""
# Scalar subqueries look each key up through its unique index, so a batch
# costs the same however large the tables grow. A join would let the
# planner hash the whole reviewer table for every batch, which it does
# while the table statistics still describe an empty table.
RATINGS_FROM_STAGE = f"""
    INSERT INTO {INTERACTION} AS i (
        reviewer_id, product_id, kind, source, rating, occurred_at
    )
    SELECT
        (
            SELECT r.id FROM {REVIEWER} r
            WHERE r.source = %(source)s AND r.external_id = s.user_id
        ),
        (SELECT p.id FROM {PRODUCT} p WHERE p.parent_asin = s.parent_asin),
        %(kind)s,
        %(interaction_source)s,
        s.rating,
        {EPOCH_SQL}
    FROM {RATING_STAGE} s
    ON CONFLICT (reviewer_id, product_id, occurred_at)
        WHERE reviewer_id IS NOT NULL
"""
INSERT_RATINGS = RATINGS_FROM_STAGE + "DO NOTHING"
# Because it runs after INSERT_RATINGS, every staged row conflicts, so its
# rowcount is the number of ratings that changed.
UPSERT_RATINGS = f"""
    {RATINGS_FROM_STAGE}
    DO UPDATE SET rating = EXCLUDED.rating
    WHERE i.rating IS DISTINCT FROM EXCLUDED.rating
"""

CREATE_PRODUCT_STAGE = f"""
    CREATE TEMPORARY TABLE IF NOT EXISTS {PRODUCT_STAGE} (
        parent_asin text NOT NULL,
        title text NOT NULL,
        store text NOT NULL,
        main_category text NOT NULL,
        category_path text,
        features jsonb NOT NULL,
        description jsonb NOT NULL,
        price numeric(12, 2),
        average_rating double precision,
        rating_count integer,
        image_urls jsonb NOT NULL,
        details jsonb NOT NULL
    )
"""
PRODUCT_STAGE_NULLABLE_COLUMNS = (
    "category_path",
    "price",
    "average_rating",
    "rating_count",
)
INSERT_CATEGORIES = f"""
    INSERT INTO {CATEGORY} (name, path, depth, parent_id)
    SELECT node.name, node.path, node.depth, parent.id
    FROM unnest(%s::text[], %s::text[], %s::int[], %s::text[])
        AS node(name, path, depth, parent_path)
    LEFT JOIN {CATEGORY} parent ON parent.path = node.parent_path
    ORDER BY node.path
    ON CONFLICT (path) DO NOTHING
"""
PRODUCT_COLUMNS = (
    "title",
    "store",
    "main_category",
    "category_id",
    "features",
    "description",
    "price",
    "average_rating",
    "rating_count",
    "image_urls",
    "details",
)
STAGED_PRODUCT_COLUMNS = ", ".join(
    f"s.{column}"
    if column != "category_id"
    else f"(SELECT c.id FROM {CATEGORY} c WHERE c.path = s.category_path)"
    for column in PRODUCT_COLUMNS
)
PRODUCTS_FROM_STAGE = f"""
    INSERT INTO {PRODUCT} AS p (
        parent_asin, {", ".join(PRODUCT_COLUMNS)}, has_metadata,
        created_at, updated_at
    )
    SELECT s.parent_asin, {STAGED_PRODUCT_COLUMNS}, TRUE, now(), now()
    FROM {PRODUCT_STAGE} s
    ORDER BY s.parent_asin
    ON CONFLICT (parent_asin)
"""
INSERT_PRODUCTS = PRODUCTS_FROM_STAGE + "DO NOTHING"
# Runs after INSERT_PRODUCTS, so its rowcount counts changed products only.
UPSERT_PRODUCTS = f"""
    {PRODUCTS_FROM_STAGE}
    DO UPDATE SET
        {", ".join(f"{column} = EXCLUDED.{column}" for column in PRODUCT_COLUMNS)},
        has_metadata = TRUE,
        updated_at = now()
    WHERE (p.{", p.".join(PRODUCT_COLUMNS)}, p.has_metadata)
        IS DISTINCT FROM
        (EXCLUDED.{", EXCLUDED.".join(PRODUCT_COLUMNS)}, TRUE)
"""


class PostgresWriter:
    """Store batches through staging tables and set-based statements."""

    source = Reviewer.Source.AMAZON_2023

    def write_ratings(self, records: Sequence[ReviewRecord]) -> WriteCounts:
        counts = WriteCounts()
        with connection.cursor() as cursor:
            cursor.execute(CREATE_RATING_STAGE)
            cursor.execute(f"TRUNCATE {RATING_STAGE}")
            # The stage has the columns of ReviewRecord, in its order.
            _copy_rows(cursor, RATING_STAGE, records)

            cursor.execute(INSERT_REVIEWERS, [self.source])
            counts.reviewers = EntityCounts(inserted=cursor.rowcount)
            cursor.execute(INSERT_PRODUCT_STUBS)
            counts.products = EntityCounts(inserted=cursor.rowcount)

            # The subqueries raise the cost estimate past jit_above_cost,
            # and compiling the plan costs more than it saves for a batch.
            cursor.execute("SET LOCAL jit = off")
            parameters = {
                "source": self.source,
                "kind": Interaction.Kind.REVIEW,
                "interaction_source": Interaction.Source.IMPORT,
            }
            cursor.execute(INSERT_RATINGS, parameters)
            inserted = cursor.rowcount
            updated = 0
            # Only rows that were stored before can differ from the stage,
            # so a first import of new data skips this statement.
            if inserted < len(records):
                cursor.execute(UPSERT_RATINGS, parameters)
                updated = cursor.rowcount
        counts.ratings = EntityCounts(
            inserted=inserted,
            updated=updated,
            duplicates=len(records) - inserted - updated,
        )
        return counts

    def write_products(self, records: Sequence[ProductRecord]) -> WriteCounts:
        counts = WriteCounts()
        with connection.cursor() as cursor:
            for nodes in category_nodes_by_depth(records):
                cursor.execute(
                    INSERT_CATEGORIES,
                    [
                        [node.name for node in nodes],
                        [node.path for node in nodes],
                        [node.depth for node in nodes],
                        [node.parent_path for node in nodes],
                    ],
                )
                counts.categories.inserted += cursor.rowcount

            cursor.execute(CREATE_PRODUCT_STAGE)
            cursor.execute(f"TRUNCATE {PRODUCT_STAGE}")
            _copy_rows(
                cursor,
                PRODUCT_STAGE,
                map(_product_stage_row, records),
                nullable_columns=PRODUCT_STAGE_NULLABLE_COLUMNS,
            )

            cursor.execute(INSERT_PRODUCTS)
            inserted = cursor.rowcount
            updated = 0
            if inserted < len(records):
                cursor.execute(UPSERT_PRODUCTS)
                updated = cursor.rowcount
        counts.products = EntityCounts(
            inserted=inserted,
            updated=updated,
            duplicates=len(records) - inserted - updated,
        )
        return counts


def _product_stage_row(record: ProductRecord) -> tuple[object, ...]:
    return (
        record.parent_asin,
        record.title,
        record.store,
        record.main_category,
        category_path(record),
        _to_json(record.features),
        _to_json(record.description),
        None if record.price is None else str(record.price),
        record.average_rating,
        record.rating_count,
        _to_json(record.image_urls),
        _to_json(record.details),
    )


def _to_json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _copy_rows(
    cursor: CursorWrapper,
    table: str,
    rows: Iterable[Sequence[object]],
    nullable_columns: Sequence[str] = (),
) -> None:
    """COPY rows into a table through CSV.

    The csv module quotes every string and writes None as "", so COPY reads
    "" as NULL in `nullable_columns` (FORCE_NULL) and as "" elsewhere.
    """
    buffer = io.StringIO()
    csv.writer(buffer, quoting=csv.QUOTE_NONNUMERIC).writerows(rows)
    buffer.seek(0)
    options = "FORMAT csv"
    if nullable_columns:
        options += f", FORCE_NULL ({', '.join(nullable_columns)})"
    sql = f"COPY {table} FROM STDIN WITH ({options})"
    raw_cursor = cursor.cursor
    if hasattr(raw_cursor, "copy_expert"):  # psycopg2
        raw_cursor.copy_expert(sql, buffer, size=COPY_BUFFER_SIZE)
    else:  # psycopg 3
        with raw_cursor.copy(sql) as copy:
            copy.write(buffer.getvalue())
