"""Enable pg_trgm and index the text that listing and catalog search read.

The indexes exist on PostgreSQL only; on other databases this migration
only records itself. Each index is built on the exact expressions that
`listings.search` puts in its queries, because PostgreSQL uses an
expression index only for an identical expression.
"""

from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps


def _nfc(column: str) -> str:
    return f"normalize({column}, NFC)"


def _vector(column: str, weight: str) -> str:
    return (
        f"setweight(to_tsvector('simple'::regconfig, "
        f"COALESCE({_nfc(column)}, '')), '{weight}')"
    )


# (index name, table, index method and expression)
INDEXES = [
    (
        "listing_title_trgm",
        "listings_listing",
        f"gin ({_nfc('title')} gin_trgm_ops)",
    ),
    (
        "listing_description_trgm",
        "listings_listing",
        f"gin ({_nfc('description')} gin_trgm_ops)",
    ),
    (
        "listing_search_vector",
        "listings_listing",
        f"gin (({_vector('title', 'A')} || {_vector('description', 'B')}))",
    ),
    (
        "product_title_trgm",
        "listings_product",
        f"gin ({_nfc('title')} gin_trgm_ops)",
    ),
    (
        "product_search_vector",
        "listings_product",
        f"gin (({_vector('title', 'A')}))",
    ),
]


def create_indexes(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, table, definition in INDEXES:
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {name} ON {table} USING {definition}"
        )


def drop_indexes(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, _table, _definition in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [
        ("listings", "0002_listing_reserved_for"),
    ]

    operations = [
        # CreateExtension does nothing on databases other than PostgreSQL.
        TrigramExtension(),
        migrations.RunPython(create_indexes, drop_indexes),
    ]
