"""Export the interaction log and item features to a columnar snapshot.

Training never iterates model instances: events are read with one SQL query
in large chunks straight into numpy arrays, and the result is written in the
format of `recommender.ml.data`.
"""

import logging
import uuid
from pathlib import Path

import numpy as np
from django.conf import settings
from django.db import connection

from listings.models import Product
from recommender.ml.data import InteractionLog, ItemFeatures, write_snapshot
from recommender.models import Interaction, TrainingSnapshot

logger = logging.getLogger(__name__)

FETCH_ROWS = 50_000

# Epoch milliseconds of `occurred_at`, per database vendor. Django stores
# SQLite datetimes as UTC text, which julianday() parses.
_EPOCH_MS_SQL = {
    "postgresql": "(EXTRACT(EPOCH FROM i.occurred_at) * 1000)::bigint",
    "sqlite": (
        "CAST(ROUND((julianday(i.occurred_at) - 2440587.5) * 86400000.0) AS INTEGER)"
    ),
}


def actor_key(*, reviewer_pk: int | None, user_pk: int | None) -> str:
    """Return the snapshot user id of an interaction's actor."""
    if reviewer_pk is not None:
        return f"reviewer:{reviewer_pk}"
    return f"user:{user_pk}"


def build_interaction_log() -> InteractionLog:
    """Read every product interaction and every catalog product."""
    product_pks: list[int] = []
    item_ids: list[str] = []
    features = ItemFeatures(titles=[], categories=[], stores=[], prices=np.empty(0))
    prices: list[float] = []
    rows = (
        Product.objects.order_by("pk")
        .values_list("pk", "parent_asin", "title", "category__path", "store", "price")
        .iterator(chunk_size=FETCH_ROWS)
    )
    for pk, parent_asin, title, category_path, store, price in rows:
        product_pks.append(pk)
        item_ids.append(parent_asin)
        features.titles.append(title)
        features.categories.append(category_path or "")
        features.stores.append(store)
        prices.append(float(price) if price is not None else np.nan)
    features.prices = np.asarray(prices, dtype=np.float64)
    item_index_of = {pk: index for index, pk in enumerate(product_pks)}

    epoch_ms = _EPOCH_MS_SQL.get(connection.vendor)
    if epoch_ms is None:
        raise NotImplementedError(
            f"Snapshot export supports PostgreSQL and SQLite, not {connection.vendor}."
        )
    table = Interaction._meta.db_table
    sql = (
        f"SELECT i.reviewer_id, i.user_id, i.product_id, {epoch_ms}, i.rating "
        f"FROM {table} i WHERE i.product_id IS NOT NULL "
        "ORDER BY i.occurred_at, i.id"
    )
    user_ids: list[str] = []
    user_index_of: dict[str, int] = {}
    users: list[np.ndarray] = []
    items: list[np.ndarray] = []
    timestamps: list[np.ndarray] = []
    ratings: list[np.ndarray] = []
    with connection.cursor() as cursor:
        cursor.execute(sql)
        while chunk := cursor.fetchmany(FETCH_ROWS):
            reviewer_pks, user_pks, product_ids, stamps, chunk_ratings = zip(
                *chunk, strict=True
            )
            chunk_users = np.empty(len(chunk), dtype=np.int64)
            for position, (reviewer_pk, user_pk) in enumerate(
                zip(reviewer_pks, user_pks, strict=True)
            ):
                key = actor_key(reviewer_pk=reviewer_pk, user_pk=user_pk)
                index = user_index_of.get(key)
                if index is None:
                    index = user_index_of[key] = len(user_ids)
                    user_ids.append(key)
                chunk_users[position] = index
            users.append(chunk_users)
            items.append(
                np.fromiter(
                    (item_index_of[pk] for pk in product_ids),
                    dtype=np.int64,
                    count=len(chunk),
                )
            )
            timestamps.append(np.asarray(stamps, dtype=np.int64))
            ratings.append(
                np.asarray(
                    [np.nan if r is None else r for r in chunk_ratings],
                    dtype=np.float32,
                )
            )

    def concatenate(parts: list[np.ndarray], dtype: type) -> np.ndarray:
        return np.concatenate(parts) if parts else np.empty(0, dtype=dtype)

    return InteractionLog(
        user_ids=user_ids,
        item_ids=item_ids,
        user=concatenate(users, np.int64),
        item=concatenate(items, np.int64),
        timestamp_ms=concatenate(timestamps, np.int64),
        rating=concatenate(ratings, np.float32),
        items=features,
    )


def export_snapshot() -> TrainingSnapshot:
    """Write a new snapshot under the artifact directory and record it."""
    directory = (
        Path(settings.RECOMMENDER_ARTIFACT_DIR) / "snapshots" / (uuid.uuid4().hex)
    )
    log = build_interaction_log()
    manifest = write_snapshot(log, directory)
    snapshot = TrainingSnapshot.objects.create(
        path=str(directory),
        manifest=manifest,
        interaction_count=len(log),
        user_count=len(log.user_ids),
        item_count=len(log.item_ids),
    )
    logger.info(
        "Exported snapshot %s: %d interactions, %d users, %d items",
        snapshot.pk,
        len(log),
        len(log.user_ids),
        len(log.item_ids),
    )
    return snapshot
