"""Malformed lines are reported by file and line number; good rows are kept."""

import datetime as dt
import gzip

import pytest
from django.core.management import CommandError, call_command

from listings.models import Product
from recommender.importing.records import Severity
from recommender.importing.service import import_paths
from recommender.models import Interaction

pytestmark = pytest.mark.django_db

BASE_MS = 1_609_459_200_000  # 2021-01-01T00:00:00Z
FUTURE_MS = int((dt.datetime.now(tz=dt.UTC) + dt.timedelta(days=30)).timestamp() * 1000)

REVIEW_CASES = {
    "broken JSON": (
        b'{"rating": 5.0, "user_id": "U9", "parent_asin": ',
        "invalid JSON",
        "invalid JSON: Expecting value",
    ),
    "missing parent_asin": (
        {"parent_asin": ...},
        "missing parent_asin",
        "parent_asin is missing or empty",
    ),
    "missing user_id": (
        {"user_id": ...},
        "missing user_id",
        "user_id is missing or empty",
    ),
    "empty user_id": (
        {"user_id": ""},
        "missing user_id",
        "user_id is missing or empty",
    ),
    "non-numeric rating": (
        {"rating": "great"},
        "rating not a number",
        "rating 'great' is not a number",
    ),
    "rating above range": (
        {"rating": 6},
        "rating out of range",
        "rating 6 is outside 1 to 5",
    ),
    "rating below range": (
        {"rating": 0.0},
        "rating out of range",
        "rating 0.0 is outside 1 to 5",
    ),
    "timestamp in seconds": (
        {"timestamp": 1_609_459_200},
        "timestamp in seconds",
        "timestamp 1609459200 looks like seconds; expected milliseconds",
    ),
    "timestamp before 1995": (
        {"timestamp": 700_000_000_000},
        "timestamp out of range",
        "timestamp 700000000000 is before 1995-01-01",
    ),
    "timestamp in the future": (
        {"timestamp": FUTURE_MS},
        "timestamp out of range",
        f"timestamp {FUTURE_MS} is in the future",
    ),
    "non-integer timestamp": (
        {"timestamp": "yesterday"},
        "timestamp not an integer",
        "timestamp 'yesterday' is not an integer number of milliseconds",
    ),
    "binary garbage": (
        b"\x89PNG\r\x1a\xff\xfe\x00\x01garbage",
        "not valid UTF-8",
        "undecodable byte 0x89 at byte 1",
    ),
}


def bad_review(review_line, bad):
    if isinstance(bad, bytes):
        return bad
    return review_line(**{"user_id": "U9", "parent_asin": "B9", **bad})


@pytest.mark.parametrize("gzipped", [False, True], ids=["plain", "gzip"])
@pytest.mark.parametrize("case", REVIEW_CASES)
def test_review_line_problem(case, gzipped, write_input, review_line):
    bad, reason, message = REVIEW_CASES[case]
    path = write_input(
        "reviews.jsonl",
        [
            review_line(user_id="U1", parent_asin="B1", timestamp=BASE_MS),
            bad_review(review_line, bad),
            review_line(user_id="U2", parent_asin="B2", timestamp=BASE_MS + 1),
        ],
        gzipped=gzipped,
    )

    report = import_paths(paths=[path])

    file_report = report.files[0]
    (problem,) = file_report.listed_problems
    assert file_report.path == str(path)
    assert problem.line_number == 2
    assert problem.reason == reason
    assert message in problem.message
    assert problem.severity is Severity.SKIPPED
    assert file_report.skipped == {reason: 1}
    assert file_report.counts.ratings.inserted == 2
    stored = set(
        Interaction.objects.values_list("reviewer__external_id", "product__parent_asin")
    )
    assert stored == {("U1", "B1"), ("U2", "B2")}


CSV_CASES = {
    "non-numeric rating": ("U9,B9,five,1609459200000", "rating not a number"),
    "rating out of range": ("U9,B9,9.0,1609459200000", "rating out of range"),
    "timestamp in seconds": ("U9,B9,4.0,1609459200", "timestamp in seconds"),
    "missing user_id": (",B9,4.0,1609459200000", "missing user_id"),
    "missing parent_asin": ("U9,,4.0,1609459200000", "missing parent_asin"),
    "too few columns": ("U9,B9,4.0", "too few columns"),
    "binary garbage": (b"\xff\xd8\xff\xe0,\x00\x10JFIF", "not valid UTF-8"),
}


@pytest.mark.parametrize("gzipped", [False, True], ids=["plain", "gzip"])
@pytest.mark.parametrize("case", CSV_CASES)
def test_csv_row_problem(case, gzipped, write_input, csv_line):
    bad, reason = CSV_CASES[case]
    path = write_input(
        "split.csv",
        [
            "user_id,parent_asin,rating,timestamp,history",
            csv_line("U1", "B1", "5.0", BASE_MS) + ",",
            bad,
            csv_line("U2", "B2", "3.0", BASE_MS + 1) + ",B1",
        ],
        gzipped=gzipped,
    )

    report = import_paths(paths=[path])

    file_report = report.files[0]
    (problem,) = file_report.listed_problems
    assert problem.line_number == 3
    assert problem.reason == reason
    assert file_report.counts.ratings.inserted == 2
    assert Interaction.objects.count() == 2


def test_csv_quoted_fields(write_input):
    path = write_input(
        "split.csv",
        [
            "user_id,parent_asin,rating,timestamp",
            f'"U1","B1","4.0","{BASE_MS}"',
        ],
    )

    report = import_paths(paths=[path])

    assert report.files[0].counts.ratings.inserted == 1


def test_metadata_text_price_is_warning(write_input, metadata_line):
    path = write_input(
        "meta.jsonl",
        [
            metadata_line("B1"),
            metadata_line("B2", price="from $12.99"),
            metadata_line("B3", price=None),
        ],
        gzipped=True,
    )

    report = import_paths(paths=[path])

    file_report = report.files[0]
    (problem,) = file_report.listed_problems
    assert problem.line_number == 2
    assert problem.severity is Severity.WARNING
    assert problem.message == "price 'from $12.99' is not a number; stored as unknown"
    assert file_report.warnings == {"price not a number": 1}
    assert file_report.counts.products.inserted == 3
    assert Product.objects.get(parent_asin="B2").price is None


@pytest.mark.parametrize("gzipped", [False, True], ids=["plain", "gzip"])
def test_metadata_line_problems(gzipped, write_input, metadata_line):
    path = write_input(
        "meta.jsonl",
        [
            metadata_line("B1"),
            metadata_line(parent_asin=...),
            "{not json",
            b"\xc3\x28 broken utf-8",
            metadata_line("B2"),
        ],
        gzipped=gzipped,
    )

    report = import_paths(paths=[path])

    problems = [
        (problem.line_number, problem.reason)
        for problem in report.files[0].listed_problems
    ]
    assert problems == [
        (2, "missing parent_asin"),
        (3, "invalid JSON"),
        (4, "not valid UTF-8"),
    ]
    assert sorted(Product.objects.values_list("parent_asin", flat=True)) == [
        "B1",
        "B2",
    ]


def test_empty_file_is_warning(write_input, review_line):
    empty = write_input("empty.jsonl", [])
    good = write_input("reviews.jsonl", [review_line()])

    report = import_paths(paths=[empty, good])

    empty_report = report.files[0]
    (problem,) = empty_report.listed_problems
    assert problem.reason == "empty file"
    assert problem.severity is Severity.WARNING
    assert empty_report.error is None
    assert report.files[1].counts.ratings.inserted == 1


def test_problem_listing_is_limited(write_input, review_line):
    lines = [review_line(user_id="U1")]
    lines += [review_line(user_id=f"U{i}", rating="bad") for i in range(25)]
    path = write_input("reviews.jsonl", lines)

    report = import_paths(paths=[path], max_listed_problems=20)

    file_report = report.files[0]
    assert len(file_report.listed_problems) == 20
    assert file_report.listed_problems[-1].line_number == 21
    assert file_report.skipped == {"rating not a number": 25}


def test_command_prints_unlisted_count(write_input, review_line, capsys):
    lines = [review_line(user_id=f"U{i}", rating=9) for i in range(23)]
    path = write_input("reviews.jsonl", lines)

    call_command("import_amazon", str(path), "--max-listed-problems", "20")

    output = capsys.readouterr().out
    assert f"{path}:1: skipped: rating 9 is outside 1 to 5" in output
    assert f"{path}:20: skipped:" in output
    assert f"{path}:21: skipped:" not in output
    assert f"{path}: 3 more problem lines not listed" in output
    assert "  skipped: rating out of range: 23" in output


def test_truncated_gzip_keeps_earlier_rows(tmp_path, review_line):
    lines = [review_line(user_id=f"U{i}") for i in range(2000)]
    content = gzip.compress("\n".join(lines).encode() + b"\n")
    path = tmp_path / "reviews.jsonl.gz"
    path.write_bytes(content[: len(content) // 2])

    report = import_paths(paths=[path], batch_size=300)

    file_report = report.files[0]
    assert file_report.error.startswith(
        f"{path}: the file is cut off after line {file_report.lines_read}:"
    )
    assert file_report.records > 0
    assert Interaction.objects.count() == file_report.records


def test_unknown_format_names_file(write_input, review_line):
    notes = write_input("notes.txt", ["Shopping list", "milk"])
    good = write_input("reviews.jsonl", [review_line()])

    report = import_paths(paths=[notes, good])

    assert report.files[0].error.startswith(f"{notes}: unknown format.")
    assert report.files[1].counts.ratings.inserted == 1
    assert report.readable is True


def test_missing_path_is_reported(tmp_path, review_line, write_input):
    good = write_input("reviews.jsonl", [review_line()])
    missing = tmp_path / "absent.jsonl"

    report = import_paths(paths=[missing, good])

    assert report.files[0].error == f"{missing}: no such file or directory; " + (
        "check the path."
    )
    assert report.files[1].counts.ratings.inserted == 1


def test_command_fails_when_nothing_readable(write_input, tmp_path):
    notes = write_input("notes.txt", ["Shopping list"])

    with pytest.raises(CommandError, match="No input could be read"):
        call_command("import_amazon", str(notes), str(tmp_path / "absent.csv"))


def test_command_succeeds_when_one_file_readable(write_input, review_line, capsys):
    notes = write_input("notes.txt", ["Shopping list"])
    good = write_input("reviews.jsonl", [review_line()])

    call_command("import_amazon", str(notes), str(good))

    output = capsys.readouterr().out
    assert f"error: {notes}: unknown format." in output
