"""Choose how batches reach the database, and what both ways share.

On PostgreSQL, PostgresWriter copies each batch into a temporary staging
table and applies it with a few set-based statements. Elsewhere,
PortableWriter reads the stored rows through the ORM and writes with
bulk_create and executemany. Both receive rounds of distinct keys (see
batches.py) inside a transaction and return the same counts.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Literal, Protocol, TypeVar

from django.db import connection

from recommender.importing.records import ProductRecord, ReviewRecord
from recommender.importing.report import WriteCounts
from recommender.importing.values import CATEGORY_PATH_SEPARATOR

WriteMethod = Literal["auto", "copy", "orm"]
EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
ItemT = TypeVar("ItemT")


class Writer(Protocol):
    def write_ratings(self, records: Sequence[ReviewRecord]) -> WriteCounts:
        """Store ratings, with their reviewers and product stubs.

        The caller passes each key at most once (see batches.py).
        """

    def write_products(self, records: Sequence[ProductRecord]) -> WriteCounts:
        """Store products from metadata, with their categories.

        The caller passes each parent_asin at most once (see batches.py).
        """


@dataclass(frozen=True)
class CategoryNode:
    path: str
    name: str
    depth: int
    parent_path: str | None


def make_writer(method: WriteMethod) -> Writer:
    """Return the writer for the default database connection."""
    # Imported here because both modules import helpers from this one.
    from recommender.importing.portable import PortableWriter
    from recommender.importing.postgres import PostgresWriter

    is_postgresql = connection.vendor == "postgresql"
    if method == "copy" and not is_postgresql:
        raise ValueError(
            f"The copy write method needs PostgreSQL; the database is "
            f"{connection.vendor}. Use 'auto' or 'orm'."
        )
    if method == "copy" or (method == "auto" and is_postgresql):
        return PostgresWriter()
    return PortableWriter()


def category_path(record: ProductRecord) -> str | None:
    if not record.categories:
        return None
    return CATEGORY_PATH_SEPARATOR.join(record.categories)


def category_nodes_by_depth(
    records: Sequence[ProductRecord],
) -> list[list[CategoryNode]]:
    """Return every category node the records name, grouped by depth.

    Each prefix of a product's category list is a node, and depth 0 is a root.
    Nodes are sorted by path inside each depth.
    """
    nodes: dict[str, CategoryNode] = {}
    for record in records:
        parent_path: str | None = None
        for depth, name in enumerate(record.categories):
            path = CATEGORY_PATH_SEPARATOR.join(record.categories[: depth + 1])
            if path not in nodes:
                nodes[path] = CategoryNode(path, name, depth, parent_path)
            parent_path = path
    by_depth: list[list[CategoryNode]] = []
    for node in sorted(nodes.values(), key=lambda node: (node.depth, node.path)):
        while len(by_depth) <= node.depth:
            by_depth.append([])
        by_depth[node.depth].append(node)
    return by_depth


def to_datetime(timestamp_ms: int) -> dt.datetime:
    return EPOCH + dt.timedelta(milliseconds=timestamp_ms)


def chunked(items: Sequence[ItemT], size: int) -> Iterator[Sequence[ItemT]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]
