"""The import_amazon command: help, summary, and the portable SQLite path."""

import json
import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from recommender.importing.service import import_paths

pytestmark = pytest.mark.django_db

BASE_MS = 1_609_459_200_000  # 2021-01-01T00:00:00Z


def test_help_names_units(capsys):
    with pytest.raises(SystemExit):
        call_command("import_amazon", "--help")

    output = " ".join(capsys.readouterr().out.split())
    assert "--batch-size ROWS Rows written per database transaction" in output
    assert "--max-listed-problems LINES Problem lines printed" in output
    assert "--json" in output
    assert "--no-progress" in output
    assert "only when stderr is a terminal" in output


def test_summary_per_file_and_total(write_input, review_line, metadata_line, capsys):
    reviews = write_input("reviews.jsonl", [review_line(), review_line()])
    metadata = write_input("meta.jsonl", [metadata_line()])

    call_command("import_amazon", str(reviews), str(metadata))

    output = capsys.readouterr().out
    assert (
        f"{reviews} (review JSONL): 2 lines read, 2 rows parsed, 0 skipped, "
        "0 with warnings" in output
    )
    assert "total: 3 lines read, 3 rows parsed" in output
    assert (
        "  ratings:             1 inserted         0 updated         1 duplicates"
        in output
    )
    assert output.count("  ratings:") == 3


def test_json_output(write_input, review_line, capsys):
    reviews = write_input("reviews.jsonl", [review_line(), review_line(rating=9)])

    call_command("import_amazon", str(reviews), "--json")

    report = json.loads(capsys.readouterr().out)
    assert report["total"]["counts"]["ratings"]["inserted"] == 1
    assert report["files"][0]["skipped"] == {"rating out of range": 1}


def run_manage(*arguments, env):
    return subprocess.run(
        [sys.executable, "manage.py", *arguments],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


@pytest.mark.slow
def test_sqlite_counts_match_postgresql(
    tmp_path, write_input, review_line, metadata_line
):
    paths = [
        write_input(
            "reviews.jsonl.gz",
            [
                review_line("U1", "B1", 5.0, BASE_MS),
                review_line("U1", "B1", 5.0, BASE_MS),
                review_line("U1", "B1", 2.0, BASE_MS),
                review_line("U2", "B2", 4.0, BASE_MS + 1),
                review_line("U2", "B3", 4.0, 1_609_459_200),
            ],
            gzipped=True,
        ),
        write_input(
            "meta.jsonl",
            [
                metadata_line("B1"),
                metadata_line("B2", categories=[], price="n/a"),
                metadata_line("B4", categories=["Electronics", "Audio"]),
                metadata_line("B4", categories=["Electronics", "Audio"]),
            ],
        ),
    ]
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "DJANGO_SETTINGS_MODULE": "marketplace.settings",
    }
    migrate = run_manage("migrate", "--noinput", env=env)
    assert migrate.returncode == 0, migrate.stderr

    runs = [
        run_manage("import_amazon", "--json", *map(str, paths), env=env)
        for _ in range(2)
    ]

    postgresql = [import_paths(paths=paths).to_dict() for _ in range(2)]
    for run, expected in zip(runs, postgresql, strict=True):
        assert run.returncode == 0, run.stderr
        assert json.loads(run.stdout) == expected


def test_exit_status_when_nothing_readable(tmp_path):
    missing = tmp_path / "absent.jsonl"
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "DJANGO_SETTINGS_MODULE": "marketplace.settings",
    }

    result = run_manage("import_amazon", str(missing), env=env)

    assert result.returncode == 1
    assert "No input could be read" in result.stderr
    assert f"{missing}: no such file or directory" in result.stdout


def test_progress_bar_on_request(write_input, review_line, capsys):
    path = write_input("reviews.jsonl", [review_line()])

    import_paths(paths=[path], progress=True)

    assert "reviews.jsonl: 100%" in capsys.readouterr().err


def test_no_progress_bar_without_terminal(write_input, review_line, capsys):
    path = write_input("reviews.jsonl", [review_line()])

    call_command("import_amazon", str(path))

    assert "100%" not in capsys.readouterr().err


def test_batch_size_must_be_positive(write_input, review_line):
    path = write_input("reviews.jsonl", [review_line()])

    with pytest.raises(CommandError, match="--batch-size must be at least 1, got 0"):
        call_command("import_amazon", str(path), "--batch-size", "0")
