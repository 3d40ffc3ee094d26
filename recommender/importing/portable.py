"""Write import batches with the ORM, on any database Django supports.

Each step reads the stored rows for the batch's keys, compares them in
Python, then creates the new rows with bulk_create and changes the others
with one parameterized UPDATE per row, sent through executemany. Callers
run it inside a transaction.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from django.db import connection, models
from django.utils import timezone

from listings.models import Category, Product
from recommender.importing.records import ProductRecord, ReviewRecord
from recommender.importing.report import EntityCounts, WriteCounts
from recommender.importing.writer import (
    CategoryNode,
    category_nodes_by_depth,
    category_path,
    chunked,
    to_datetime,
)
from recommender.models import Interaction, Reviewer

# Keys per IN (...) lookup, because SQLite before 3.32 allows 999 parameters.
LOOKUP_CHUNK_SIZE = 400
PRODUCT_FIELDS = (
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
    "has_metadata",
)
RatingKey = tuple[int, int, dt.datetime]
Lookup = Callable[[Sequence[str]], Iterable[tuple[str, int]]]


class PortableWriter:
    """Store batches through the ORM (used on SQLite).

    NOTE: the check for stored keys and the insert are separate statements.
    Two imports of overlapping files running at once can both see a key as
    missing, and the later insert then fails on the unique constraint.
    PostgresWriter has no such race, because ON CONFLICT resolves it.
    """

    source = Reviewer.Source.AMAZON_2023

    def write_ratings(self, records: Sequence[ReviewRecord]) -> WriteCounts:
        counts = WriteCounts()
        reviewer_ids, counts.reviewers = self._ensure_reviewers(
            {record.user_id for record in records}
        )
        product_ids, counts.products = self._ensure_product_stubs(
            {record.parent_asin for record in records}
        )

        new_rows: list[Interaction] = []
        changed_rows: list[tuple[int, float]] = []
        for chunk in chunked(records, LOOKUP_CHUNK_SIZE):
            keyed = {
                (
                    reviewer_ids[record.user_id],
                    product_ids[record.parent_asin],
                    to_datetime(record.timestamp_ms),
                ): record.rating
                for record in chunk
            }
            stored = _stored_ratings(keyed)
            for key, rating in keyed.items():
                match = stored.get(key)
                if match is None:
                    new_rows.append(_new_interaction(key, rating))
                elif match[1] != rating:
                    changed_rows.append((match[0], rating))
        Interaction.objects.bulk_create(new_rows, batch_size=LOOKUP_CHUNK_SIZE)
        _update_rows(Interaction, ["rating"], changed_rows)
        counts.ratings = EntityCounts(
            inserted=len(new_rows),
            updated=len(changed_rows),
            duplicates=len(records) - len(new_rows) - len(changed_rows),
        )
        return counts

    def write_products(self, records: Sequence[ProductRecord]) -> WriteCounts:
        counts = WriteCounts()
        category_ids, counts.categories = _ensure_categories(records)

        now = timezone.now()
        new_rows: list[Product] = []
        changed_rows: list[tuple[Any, ...]] = []
        for chunk in chunked(records, LOOKUP_CHUNK_SIZE):
            stored = {
                row[0]: row[1:]
                for row in Product.objects.filter(
                    parent_asin__in=[record.parent_asin for record in chunk]
                ).values_list("parent_asin", "pk", *PRODUCT_FIELDS)
            }
            for record in chunk:
                path = category_path(record)
                values = _product_values(
                    record, category_ids[path] if path is not None else None
                )
                match = stored.get(record.parent_asin)
                if match is None:
                    new_rows.append(
                        Product(
                            parent_asin=record.parent_asin,
                            **dict(zip(PRODUCT_FIELDS, values, strict=True)),
                        )
                    )
                elif match[1:] != values:
                    changed_rows.append((match[0], *values, now))
        Product.objects.bulk_create(new_rows, batch_size=LOOKUP_CHUNK_SIZE)
        _update_rows(Product, [*PRODUCT_FIELDS, "updated_at"], changed_rows)
        counts.products = EntityCounts(
            inserted=len(new_rows),
            updated=len(changed_rows),
            duplicates=len(records) - len(new_rows) - len(changed_rows),
        )
        return counts

    def _ensure_reviewers(
        self, user_ids: set[str]
    ) -> tuple[dict[str, int], EntityCounts]:
        def lookup(chunk: Sequence[str]) -> Iterable[tuple[str, int]]:
            return Reviewer.objects.filter(
                source=self.source, external_id__in=chunk
            ).values_list("external_id", "pk")

        def create(missing: list[str]) -> None:
            Reviewer.objects.bulk_create(
                [Reviewer(source=self.source, external_id=key) for key in missing],
                batch_size=LOOKUP_CHUNK_SIZE,
            )

        return _ensure_keys(sorted(user_ids), lookup, create)

    def _ensure_product_stubs(
        self, parent_asins: set[str]
    ) -> tuple[dict[str, int], EntityCounts]:
        def lookup(chunk: Sequence[str]) -> Iterable[tuple[str, int]]:
            return Product.objects.filter(parent_asin__in=chunk).values_list(
                "parent_asin", "pk"
            )

        def create(missing: list[str]) -> None:
            Product.objects.bulk_create(
                [Product(parent_asin=key, has_metadata=False) for key in missing],
                batch_size=LOOKUP_CHUNK_SIZE,
            )

        return _ensure_keys(sorted(parent_asins), lookup, create)


def _ensure_categories(
    records: Sequence[ProductRecord],
) -> tuple[dict[str, int], EntityCounts]:
    """Create the missing category nodes, parents first, and map path to pk."""
    ids: dict[str, int] = {}
    counts = EntityCounts()

    def lookup(chunk: Sequence[str]) -> Iterable[tuple[str, int]]:
        return Category.objects.filter(path__in=chunk).values_list("path", "pk")

    for nodes in category_nodes_by_depth(records):
        by_path = {node.path: node for node in nodes}

        def create(
            missing: list[str], by_path: dict[str, CategoryNode] = by_path
        ) -> None:
            Category.objects.bulk_create(
                [_new_category(by_path[path], ids) for path in missing]
            )

        depth_ids, depth_counts = _ensure_keys(list(by_path), lookup, create)
        ids.update(depth_ids)
        counts.add(depth_counts)
    return ids, counts


def _new_category(node: CategoryNode, ids: dict[str, int]) -> Category:
    return Category(
        path=node.path,
        name=node.name,
        depth=node.depth,
        parent_id=None if node.parent_path is None else ids[node.parent_path],
    )


def _ensure_keys(
    keys: list[str], lookup: Lookup, create: Callable[[list[str]], None]
) -> tuple[dict[str, int], EntityCounts]:
    """Create the rows whose key is missing, and map each key to its pk."""
    ids: dict[str, int] = {}
    for chunk in chunked(keys, LOOKUP_CHUNK_SIZE):
        ids.update(lookup(chunk))
    missing = [key for key in keys if key not in ids]
    if missing:
        create(missing)
        for chunk in chunked(missing, LOOKUP_CHUNK_SIZE):
            ids.update(lookup(chunk))
    return ids, EntityCounts(inserted=len(missing))


def _stored_ratings(
    keyed: dict[RatingKey, float],
) -> dict[RatingKey, tuple[int, float | None]]:
    """Return (pk, rating) of the stored rows among the given keys.

    The query reads the keys' reviewers within the keys' time span, through
    the (reviewer, occurred_at) index. That span is short for both real
    orders, the time-sorted CSVs and the raw files grouped by reviewer.
    """
    times = [key[2] for key in keyed]
    rows = Interaction.objects.filter(
        reviewer_id__in={key[0] for key in keyed},
        occurred_at__gte=min(times),
        occurred_at__lte=max(times),
    ).values_list("reviewer_id", "product_id", "occurred_at", "pk", "rating")
    return {
        (reviewer_id, product_id, occurred_at): (pk, rating)
        for reviewer_id, product_id, occurred_at, pk, rating in rows
        if (reviewer_id, product_id, occurred_at) in keyed
    }


def _new_interaction(key: RatingKey, rating: float) -> Interaction:
    reviewer_id, product_id, occurred_at = key
    return Interaction(
        reviewer_id=reviewer_id,
        product_id=product_id,
        kind=Interaction.Kind.REVIEW,
        source=Interaction.Source.IMPORT,
        rating=rating,
        occurred_at=occurred_at,
    )


def _product_values(record: ProductRecord, category_id: int | None) -> tuple[Any, ...]:
    """Return the stored fields in PRODUCT_FIELDS order."""
    return (
        record.title,
        record.store,
        record.main_category,
        category_id,
        record.features,
        record.description,
        record.price,
        record.average_rating,
        record.rating_count,
        record.image_urls,
        record.details,
        True,
    )


def _update_rows(
    model: type[models.Model], field_names: list[str], rows: list[tuple[Any, ...]]
) -> None:
    """Set the named fields of each row, given as (pk, *values).

    One UPDATE statement runs for every row through executemany. For wide
    rows this costs far less Python time than QuerySet.bulk_update, which
    builds a CASE expression per field.
    """
    if not rows:
        return
    fields = [_concrete_field(model, name) for name in field_names]
    quote = connection.ops.quote_name
    assignments = ", ".join(f"{quote(field.column)} = %s" for field in fields)
    primary_key = model._meta.pk
    if primary_key is None:
        raise ValueError(f"{model.__name__} has no primary key.")
    sql = (
        f"UPDATE {quote(model._meta.db_table)} SET {assignments} "
        f"WHERE {quote(primary_key.column)} = %s"
    )
    params = [
        [
            field.get_db_prep_save(value, connection)
            for field, value in zip(fields, values, strict=True)
        ]
        + [pk]
        for pk, *values in rows
    ]
    with connection.cursor() as cursor:
        cursor.executemany(sql, params)


def _concrete_field(model: type[models.Model], name: str) -> models.Field[Any, Any]:
    field = model._meta.get_field(name)
    if not isinstance(field, models.Field) or not field.concrete:
        raise ValueError(f"{model.__name__}.{name} is not a column.")
    return field
