"""Format detection and line parsing, without a database."""

import datetime as dt
from decimal import Decimal

import pytest

from recommender.importing.formats import FileFormat, InputFile, UnknownFormatError
from recommender.importing.parsing import parse_metadata_lines, parse_review_lines
from recommender.importing.records import LineProblem, ProductRecord, Severity

NOW = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)


def detect(path):
    with InputFile(path) as input_file:
        return input_file.detect()


def test_detect_review_jsonl(write_input, review_line):
    path = write_input("data.bin", [review_line()])

    detection = detect(path)

    assert detection.file_format is FileFormat.REVIEWS_JSONL
    assert detection.compressed is False


def test_detect_metadata_jsonl(write_input, metadata_line):
    path = write_input("reviews.jsonl", [metadata_line()])

    assert detect(path).file_format is FileFormat.METADATA_JSONL


def test_detect_csv_with_history_column(write_input):
    path = write_input(
        "items.jsonl",
        ["user_id,parent_asin,rating,timestamp,history", "U1,B1,5.0,1,B2 B3"],
    )

    detection = detect(path)

    assert detection.file_format is FileFormat.BENCHMARK_CSV
    assert detection.csv_columns == {
        "user_id": 0,
        "parent_asin": 1,
        "rating": 2,
        "timestamp": 3,
    }


def test_detect_csv_columns_in_other_order(write_input):
    path = write_input("a.csv", ["timestamp,rating,parent_asin,user_id"])

    assert detect(path).csv_columns == {
        "user_id": 3,
        "parent_asin": 2,
        "rating": 1,
        "timestamp": 0,
    }


def test_detect_gzip_by_magic_bytes(write_input, review_line):
    path = write_input("reviews.jsonl", [review_line()], gzipped=True)

    detection = detect(path)

    assert detection.compressed is True
    assert detection.file_format is FileFormat.REVIEWS_JSONL


def test_detect_plain_file_named_gz(write_input, review_line):
    path = write_input("reviews.jsonl.gz", [review_line()])

    assert detect(path).compressed is False


def test_detect_skips_broken_first_line(write_input, review_line):
    path = write_input("reviews.jsonl", ['{"rating": 5.0, "user', review_line()])

    assert detect(path).file_format is FileFormat.REVIEWS_JSONL


def test_detect_empty_file(write_input):
    path = write_input("empty.jsonl", ["", "  "])

    assert detect(path).file_format is None


def test_detect_unknown_format_names_file(write_input):
    path = write_input("notes.txt", ["just some text", "more text"])

    with pytest.raises(UnknownFormatError, match=r"notes\.txt: unknown format"):
        detect(path)


def test_detect_csv_without_header_is_unknown(write_input):
    path = write_input("ratings.csv", ["U1,B1,5.0,1609459200000"])

    with pytest.raises(UnknownFormatError, match="the first line starts with"):
        detect(path)


def test_detected_lines_start_at_line_one(write_input, review_line):
    path = write_input("reviews.jsonl", [review_line(), "", review_line()])

    with InputFile(path) as input_file:
        input_file.detect()
        numbers = [number for number, _ in input_file.lines()]

    assert numbers == [1, 2, 3]


def parse_one_product(line: str) -> list[ProductRecord | LineProblem]:
    return list(parse_metadata_lines([(7, line.encode())]))


def test_metadata_large_image_urls(metadata_line):
    images = [
        {"thumb": "t1", "large": "l1", "variant": "MAIN", "hi_res": "h1"},
        {"thumb": "t2", "large": "l2", "variant": "PT01", "hi_res": None},
    ]

    (record,) = parse_one_product(metadata_line(images=images))

    assert record.image_urls == ["l1", "l2"]


def test_metadata_image_url_strings(metadata_line):
    (record,) = parse_one_product(metadata_line(images=["https://example.com/a.jpg"]))

    assert record.image_urls == ["https://example.com/a.jpg"]


def test_metadata_numeric_price_in_cents(metadata_line):
    (record,) = parse_one_product(metadata_line(price=12.999))

    assert record.price == Decimal("13.00")


def test_metadata_numeric_price_string(metadata_line):
    (record,) = parse_one_product(metadata_line(price="24.50"))

    assert record.price == Decimal("24.50")


def test_metadata_text_price_is_warning(metadata_line):
    warning, record = parse_one_product(metadata_line(price="from $12.99"))

    assert record.price is None
    assert warning.severity is Severity.WARNING
    assert warning.line_number == 7
    assert warning.reason == "price not a number"
    assert "'from $12.99'" in warning.message


def test_metadata_null_price_without_warning(metadata_line):
    (record,) = parse_one_product(metadata_line(price=None))

    assert record.price is None


def test_metadata_missing_fields_are_empty(metadata_line):
    line = metadata_line(
        features=...,
        description=...,
        details=...,
        rating_number=...,
        main_category=None,
        store=None,
    )

    (record,) = parse_one_product(line)

    assert record.features == []
    assert record.description == []
    assert record.details == {}
    assert record.rating_count is None
    assert record.main_category == ""
    assert record.store == ""


def test_metadata_empty_categories(metadata_line):
    (record,) = parse_one_product(metadata_line(categories=[]))

    assert record.categories == ()


def test_metadata_lone_surrogate_is_skipped(metadata_line):
    line = metadata_line(title="x").replace('"x"', '"bad \\ud800 text"')

    (problem,) = parse_one_product(line)

    assert problem.reason == "invalid JSON"


def test_review_rating_given_as_string(review_line):
    lines = [(1, review_line(rating="4").encode())]

    (record,) = parse_review_lines(lines, now=NOW)

    assert record.rating == 4.0


def test_review_boolean_rating_is_skipped(review_line):
    lines = [(1, review_line(rating=True).encode())]

    (problem,) = parse_review_lines(lines, now=NOW)

    assert problem.reason == "rating not a number"


def test_review_nan_rating_is_skipped(review_line):
    lines = [(1, review_line().replace("5.0", "NaN").encode())]

    (problem,) = parse_review_lines(lines, now=NOW)

    assert problem.reason == "rating out of range"


def test_review_json_array_is_skipped():
    (problem,) = parse_review_lines([(3, b"[1, 2]")], now=NOW)

    assert problem.message == "expected a JSON object, found list"


def test_review_nul_escape_in_text_is_kept(review_line):
    line = review_line(text="a\u0000b")

    (record,) = parse_review_lines([(1, line.encode())], now=NOW)

    assert record.user_id == "USER1"


def test_review_nul_escape_in_user_id_is_skipped(review_line):
    line = review_line(user_id="U\u0000")

    (problem,) = parse_review_lines([(1, line.encode())], now=NOW)

    assert problem.reason == "NUL character"


def test_metadata_nul_escape_is_skipped(metadata_line):
    (problem,) = parse_one_product(metadata_line(title="a\u0000b"))

    assert problem.reason == "NUL character"


def test_review_long_user_id_is_skipped(review_line):
    (problem,) = parse_review_lines(
        [(1, review_line(user_id="U" * 65).encode())], now=NOW
    )

    assert problem.reason == "user_id too long"
