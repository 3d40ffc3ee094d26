"""A batch that the database rejects is reported, and other batches are kept.

The parsers reject every value that the tables are known to reject, so
these tests add a constraint or trigger of their own to make one batch fail.
"""

import socket

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from listings.models import Product
from recommender.importing.service import import_paths
from recommender.models import Interaction

REJECTED_MESSAGE = (
    'IntegrityError: new row for relation "listings_product" violates check '
    'constraint "reject_b4"'
)


def reject_parent_asin(parent_asin):
    with connection.cursor() as cursor:
        cursor.execute(
            "ALTER TABLE listings_product ADD CONSTRAINT reject_b4 "
            "CHECK (parent_asin <> %s)",
            [parent_asin],
        )


@pytest.mark.django_db
@pytest.mark.parametrize("method", ["copy", "orm"])
def test_rejected_batch_is_reported(method, write_input, metadata_line, review_line):
    reject_parent_asin("B4")
    metadata = write_input(
        "meta.jsonl", [metadata_line(f"B{number}") for number in range(1, 6)]
    )
    reviews = write_input("reviews.jsonl", [review_line(parent_asin="B1")])

    report = import_paths(paths=[metadata, reviews], batch_size=2, method=method)

    metadata_report = report.files[0]
    (failure,) = metadata_report.failed_batches
    assert failure.first_line == 3
    assert failure.last_line == 4
    assert failure.rows == 2
    assert failure.error == REJECTED_MESSAGE
    assert metadata_report.records == 5
    assert metadata_report.counts.products.inserted == 3
    assert metadata_report.error is None
    assert report.files[1].counts.ratings.inserted == 1
    assert report.stopped is False
    stored = sorted(Product.objects.values_list("parent_asin", flat=True))
    assert stored == ["B1", "B2", "B5"]


@pytest.mark.django_db
def test_rejected_batch_in_json_report(write_input, metadata_line):
    reject_parent_asin("B4")
    path = write_input("meta.jsonl", [metadata_line("B3"), metadata_line("B4")])

    report = import_paths(paths=[path], batch_size=1)

    assert report.to_dict()["files"][0]["failed_batches"] == [
        {"first_line": 2, "last_line": 2, "rows": 1, "error": REJECTED_MESSAGE}
    ]
    assert report.to_dict()["total"]["failed_batches"] == [
        {"first_line": 2, "last_line": 2, "rows": 1, "error": REJECTED_MESSAGE}
    ]


@pytest.mark.django_db
def test_command_exits_after_rejected_batch(write_input, metadata_line, capsys):
    reject_parent_asin("B4")
    path = write_input(
        "meta.jsonl", [metadata_line(f"B{number}") for number in range(1, 6)]
    )

    with pytest.raises(CommandError) as raised:
        call_command("import_amazon", str(path), "--batch-size", "2")

    output = capsys.readouterr().out.splitlines()
    assert (
        f"  error: lines 3 to 4: 2 rows not stored, because the database "
        f"rejected the batch ({REJECTED_MESSAGE}); fix those lines and import "
        "the file again." in output
    )
    assert str(raised.value) == (
        "The database rejected 2 rows in 1 batch (see the errors above); the "
        "other rows are stored. Fix the named lines and import the files "
        "again; stored rows are not duplicated."
    )
    assert Product.objects.count() == 3


KILL_CONNECTION = """
    CREATE FUNCTION import_test_kill_connection() RETURNS trigger AS $$
    BEGIN
        IF NEW.parent_asin = 'B4' THEN
            PERFORM pg_terminate_backend(pg_backend_pid());
        END IF;
        RETURN NEW;
    END
    $$ LANGUAGE plpgsql;
    CREATE TRIGGER import_test_kill_connection BEFORE INSERT ON listings_product
        FOR EACH ROW EXECUTE FUNCTION import_test_kill_connection();
"""
DROP_KILL_CONNECTION = """
    DROP TRIGGER IF EXISTS import_test_kill_connection ON listings_product;
    DROP FUNCTION IF EXISTS import_test_kill_connection();
"""


@pytest.fixture
def connection_killed_at_b4():
    """Make the server end the connection that inserts product B4."""
    with connection.cursor() as cursor:
        cursor.execute(KILL_CONNECTION)
    yield
    connection.close()
    with connection.cursor() as cursor:
        cursor.execute(DROP_KILL_CONNECTION)


def closed_local_port():
    """Return a port on 127.0.0.1 that nothing listens on."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.mark.django_db(transaction=True)
def test_killed_connection_is_reopened(
    connection_killed_at_b4, write_input, metadata_line, review_line
):
    metadata = write_input(
        "meta.jsonl", [metadata_line(f"B{number}") for number in range(1, 6)]
    )
    reviews = write_input("reviews.jsonl", [review_line(parent_asin="B1")])

    report = import_paths(paths=[metadata, reviews], batch_size=2)

    metadata_report, reviews_report = report.files
    (failure,) = metadata_report.failed_batches
    assert failure.first_line == 3
    assert failure.last_line == 4
    # libpq words the message by version, so only the class is checked.
    assert failure.error.partition(":")[0] == "OperationalError"
    assert report.stopped is False
    assert metadata_report.error is None
    assert metadata_report.counts.products.inserted == 3
    assert reviews_report.counts.ratings.inserted == 1
    stored = sorted(Product.objects.values_list("parent_asin", flat=True))
    assert stored == ["B1", "B2", "B5"]


@pytest.mark.django_db(transaction=True)
def test_unreachable_database_stops_import(
    connection_killed_at_b4, write_input, metadata_line, review_line
):
    metadata = write_input(
        "meta.jsonl", [metadata_line(f"B{number}") for number in range(1, 6)]
    )
    reviews = write_input("reviews.jsonl", [review_line(parent_asin="B1")])
    port = connection.settings_dict["PORT"]
    # Django opens a new connection after the server ends the old one. The
    # closed port refuses it, as a server that is down would.
    connection.settings_dict["PORT"] = closed_local_port()
    try:
        report = import_paths(paths=[metadata, reviews], batch_size=2)
    finally:
        connection.settings_dict["PORT"] = port
        connection.close()

    metadata_report, reviews_report = report.files
    (failure,) = metadata_report.failed_batches
    assert report.stopped is True
    assert failure.first_line == 3
    assert failure.last_line == 4
    assert failure.error.partition(":")[0] == "OperationalError"
    assert metadata_report.error == (
        f"{metadata}: the import stopped at lines 3 to 4, because the "
        "database connection is no longer usable. Rows of earlier batches are "
        "stored; run the import again once the database is reachable."
    )
    assert metadata_report.counts.products.inserted == 2
    assert reviews_report.error == (
        f"{reviews}: not read, because the import stopped after a database "
        "error in an earlier file."
    )
    stored = sorted(Product.objects.values_list("parent_asin", flat=True))
    assert stored == ["B1", "B2"]
    assert Interaction.objects.count() == 0


@pytest.mark.django_db(transaction=True)
def test_command_exits_after_stop(connection_killed_at_b4, write_input, metadata_line):
    path = write_input(
        "meta.jsonl", [metadata_line(f"B{number}") for number in range(1, 6)]
    )
    port = connection.settings_dict["PORT"]
    connection.settings_dict["PORT"] = closed_local_port()
    try:
        with pytest.raises(CommandError) as raised:
            call_command("import_amazon", str(path), "--batch-size", "2")
    finally:
        connection.settings_dict["PORT"] = port
        connection.close()

    assert str(raised.value) == (
        "The import stopped after a database error (see above); rows of "
        "earlier batches are stored. Run it again once the database is "
        "reachable; stored rows are not duplicated."
    )
    assert Product.objects.count() == 2
