"""In-memory interaction data and the columnar snapshot format.

A snapshot is a directory with `interactions.parquet` (one row per
event: user index, item index, timestamp in Unix milliseconds, rating),
`items.parquet` (one row per item, in index order, with its content
features), `users.parquet` (user ids in index order) and `manifest.json`.
Both the Django export and the benchmark-file readers produce the same
`InteractionLog`, so every model trains and evaluates on one format.
"""

from __future__ import annotations

import hashlib
import json
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

SNAPSHOT_FORMAT_VERSION = 1


@dataclass
class ItemFeatures:
    """Content features of items, aligned with an item id list.

    `categories` contains the category path joined by " > " ("" when unknown);
    `prices` contains US dollars, NaN when unknown.
    """

    titles: list[str]
    categories: list[str]
    stores: list[str]
    prices: np.ndarray

    def __len__(self) -> int:
        return len(self.titles)

    @classmethod
    def empty(cls, count: int) -> ItemFeatures:
        return cls(
            titles=[""] * count,
            categories=[""] * count,
            stores=[""] * count,
            prices=np.full(count, np.nan, dtype=np.float64),
        )


@dataclass
class InteractionLog:
    """Events as parallel arrays, with the id vocabularies they index.

    Args:
        user_ids: external user ids; `user` contains indices into it.
        item_ids: external item ids (`parent_asin`); `item` indexes it.
        user: int64 array, one entry per event.
        item: int64 array, one entry per event.
        timestamp_ms: int64 array of Unix milliseconds.
        rating: float32 array, NaN where an event carries no rating.
        items: content features aligned with `item_ids`.
    """

    user_ids: list[str]
    item_ids: list[str]
    user: np.ndarray
    item: np.ndarray
    timestamp_ms: np.ndarray
    rating: np.ndarray
    items: ItemFeatures

    def __post_init__(self) -> None:
        count = len(self.user)
        for name in ("item", "timestamp_ms", "rating"):
            if len(getattr(self, name)) != count:
                raise ValueError(
                    f"InteractionLog.{name} has {len(getattr(self, name))} "
                    f"entries but user has {count}; all event arrays must "
                    "have the same length."
                )
        if len(self.items) != len(self.item_ids):
            raise ValueError(
                f"ItemFeatures has {len(self.items)} rows for "
                f"{len(self.item_ids)} item ids; they must be aligned."
            )

    def __len__(self) -> int:
        return len(self.user)

    def subset(self, mask: np.ndarray) -> InteractionLog:
        """Return the events selected by a boolean mask, same vocabularies."""
        return InteractionLog(
            user_ids=self.user_ids,
            item_ids=self.item_ids,
            user=self.user[mask],
            item=self.item[mask],
            timestamp_ms=self.timestamp_ms[mask],
            rating=self.rating[mask],
            items=self.items,
        )


def write_snapshot(log: InteractionLog, directory: Path) -> dict[str, Any]:
    """Write `log` as a snapshot directory and return its manifest."""
    directory.mkdir(parents=True, exist_ok=True)
    events = pa.table(
        {
            "user": pa.array(log.user, type=pa.int64()),
            "item": pa.array(log.item, type=pa.int64()),
            "timestamp_ms": pa.array(log.timestamp_ms, type=pa.int64()),
            "rating": pa.array(log.rating, type=pa.float32()),
        }
    )
    items = pa.table(
        {
            "item_id": pa.array(log.item_ids, type=pa.string()),
            "title": pa.array(log.items.titles, type=pa.string()),
            "category": pa.array(log.items.categories, type=pa.string()),
            "store": pa.array(log.items.stores, type=pa.string()),
            "price": pa.array(log.items.prices, type=pa.float64()),
        }
    )
    users = pa.table({"user_id": pa.array(log.user_ids, type=pa.string())})
    files = {
        "interactions": "interactions.parquet",
        "items": "items.parquet",
        "users": "users.parquet",
    }
    pq.write_table(events, directory / files["interactions"])
    pq.write_table(items, directory / files["items"])
    pq.write_table(users, directory / files["users"])
    manifest: dict[str, Any] = {
        "format_version": SNAPSHOT_FORMAT_VERSION,
        "created_at_ms": int(time.time() * 1000),
        "interaction_count": len(log),
        "user_count": len(log.user_ids),
        "item_count": len(log.item_ids),
        "files": files,
        "sha256": {
            name: _sha256(directory / filename) for name, filename in files.items()
        },
    }
    (directory / "manifest.json").write_text(json.dumps(manifest, indent=2))
    return manifest


def read_snapshot(directory: Path) -> InteractionLog:
    """Read a snapshot directory written by `write_snapshot`."""
    manifest_path = directory / "manifest.json"
    if not manifest_path.exists():
        raise FileNotFoundError(
            f"{manifest_path} not found; the directory is not a snapshot. "
            "Create one with `python manage.py snapshot`."
        )
    manifest = json.loads(manifest_path.read_text())
    if manifest.get("format_version") != SNAPSHOT_FORMAT_VERSION:
        raise ValueError(
            f"{directory} has snapshot format {manifest.get('format_version')!r}"
            f", expected {SNAPSHOT_FORMAT_VERSION}; export a new snapshot."
        )
    files = manifest["files"]
    events = pq.read_table(directory / files["interactions"])
    items = pq.read_table(directory / files["items"])
    users = pq.read_table(directory / files["users"])
    return InteractionLog(
        user_ids=users.column("user_id").to_pylist(),
        item_ids=items.column("item_id").to_pylist(),
        user=events.column("user").to_numpy().astype(np.int64),
        item=events.column("item").to_numpy().astype(np.int64),
        timestamp_ms=events.column("timestamp_ms").to_numpy().astype(np.int64),
        rating=events.column("rating").to_numpy().astype(np.float32),
        items=ItemFeatures(
            titles=items.column("title").to_pylist(),
            categories=items.column("category").to_pylist(),
            stores=items.column("store").to_pylist(),
            prices=items.column("price")
            .to_numpy(zero_copy_only=False)
            .astype(np.float64),
        ),
    )


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
