"""A PostgreSQL database on 127.0.0.1 that a benchmark creates and drops.

Each benchmark migrates its own scratch database, so that nothing it
writes touches a development or test database.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

import psycopg2
from psycopg2 import sql

PROJECT_ROOT = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"


def add_database_arguments(parser: argparse.ArgumentParser, *, default: str) -> None:
    """Add --database, --user and --port to a benchmark's parser."""
    parser.add_argument(
        "--database",
        default=default,
        help=f"scratch database to create and drop (default: {default})",
    )
    parser.add_argument(
        "--user", default="postgres", help="PostgreSQL user (default: postgres)"
    )
    parser.add_argument(
        "--port", type=int, default=5432, help="PostgreSQL port (default: 5432)"
    )


def admin_connection(arguments: argparse.Namespace) -> psycopg2.extensions.connection:
    connection = psycopg2.connect(
        host=HOST, port=arguments.port, user=arguments.user, dbname="postgres"
    )
    connection.autocommit = True
    return connection


def create_database(arguments: argparse.Namespace) -> None:
    """Create the scratch database; exit if a database of that name exists."""
    connection = admin_connection(arguments)
    try:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT 1 FROM pg_database WHERE datname = %s", [arguments.database]
            )
            if cursor.fetchone():
                sys.exit(
                    f"Database {arguments.database} already exists. Drop it, or "
                    "pass --database with a name that is free."
                )
            cursor.execute(
                sql.SQL("CREATE DATABASE {}").format(sql.Identifier(arguments.database))
            )
    finally:
        connection.close()


def drop_database(arguments: argparse.Namespace) -> None:
    """Close Django's connections, if any, and drop the scratch database."""
    from django.conf import settings
    from django.db import connections

    if settings.configured:
        connections.close_all()
    connection = admin_connection(arguments)
    try:
        with connection.cursor() as cursor:
            cursor.execute(
                sql.SQL("DROP DATABASE IF EXISTS {}").format(
                    sql.Identifier(arguments.database)
                )
            )
    finally:
        connection.close()


def setup_django(arguments: argparse.Namespace, *, secret_key: str) -> None:
    """Point Django at the scratch database and migrate it."""
    os.environ["DATABASE_URL"] = (
        f"postgres://{arguments.user}@{HOST}:{arguments.port}/{arguments.database}"
    )
    os.environ.setdefault("SECRET_KEY", secret_key)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "marketplace.settings")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    sys.path.insert(0, str(PROJECT_ROOT))

    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)
