"""Values that the database or Python cannot handle are reported per line.

Each case keeps the good lines around it, and the rest of the file.
"""

from decimal import Decimal

import pytest

from listings.models import Product
from recommender.importing.records import Severity
from recommender.importing.service import import_paths
from recommender.models import Interaction

pytestmark = pytest.mark.django_db

BASE_MS = 1_609_459_200_000  # 2021-01-01T00:00:00Z
CSV_HEADER = "user_id,parent_asin,rating,timestamp"
# Python's json module raises RecursionError long before this depth.
DEEP_ARRAY = "[" * 100_000 + "]" * 100_000
DEEP_JSON_MESSAGE = "invalid JSON: arrays or objects are nested too deeply to parse"


def nested_list(depth):
    return "[" * depth + "]" * depth


def with_raw_value(line, name, raw_json):
    """Replace the placeholder value of field `name` with raw JSON text."""
    return line.replace(f'"{name}": "RAW"', f'"{name}": {raw_json}')


def listed(file_report):
    return [
        (problem.line_number, problem.severity, problem.reason, problem.message)
        for problem in file_report.listed_problems
    ]


def test_huge_prices_are_warnings(write_input, metadata_line):
    raw_prices = ["1e30", '"1e26"', '"-1e40"', '"1e25"']
    lines = [metadata_line("B1")]
    lines += [
        with_raw_value(metadata_line(f"B{number}", price="RAW"), "price", raw)
        for number, raw in enumerate(raw_prices, start=2)
    ]
    lines.append(metadata_line("B6"))
    path = write_input("meta.jsonl", lines)

    report = import_paths(paths=[path])

    file_report = report.files[0]
    suffix = "is outside 0 to 9999999999.99; stored as unknown"
    warning = Severity.WARNING
    assert listed(file_report) == [
        (2, warning, "price out of range", f"price 1e+30 {suffix}"),
        (3, warning, "price out of range", f"price '1e26' {suffix}"),
        (4, warning, "price out of range", f"price '-1e40' {suffix}"),
        (5, warning, "price out of range", f"price '1e25' {suffix}"),
    ]
    assert file_report.warnings == {"price out of range": 4}
    assert file_report.skipped == {}
    assert file_report.counts.products.inserted == 6
    assert dict(Product.objects.values_list("parent_asin", "price")) == {
        "B1": Decimal("19.99"),
        "B2": None,
        "B3": None,
        "B4": None,
        "B5": None,
        "B6": Decimal("19.99"),
    }


def test_price_rounding_to_maximum_is_kept(write_input, metadata_line):
    path = write_input("meta.jsonl", [metadata_line("B1", price="9999999999.994")])

    report = import_paths(paths=[path])

    assert report.files[0].warnings == {}
    assert Product.objects.get().price == Decimal("9999999999.99")


def test_non_finite_numbers_clear_json_fields(write_input, metadata_line):
    lines = [
        metadata_line("B1"),
        with_raw_value(metadata_line("B2", details="RAW"), "details", '{"w": 1e400}'),
        with_raw_value(metadata_line("B3", features="RAW"), "features", "[NaN]"),
        with_raw_value(
            metadata_line("B4", description="RAW"),
            "description",
            '["ok", {"a": [-Infinity]}]',
        ),
        metadata_line("B5"),
    ]
    path = write_input("meta.jsonl", lines)

    report = import_paths(paths=[path])

    file_report = report.files[0]
    suffix = "which JSON columns cannot store; stored empty"
    too_large = "or a number too large for a float"
    warning = Severity.WARNING
    assert listed(file_report) == [
        (
            2,
            warning,
            "invalid details",
            f"details contains Infinity {too_large}, {suffix}",
        ),
        (3, warning, "invalid features", f"features contains NaN, {suffix}"),
        (
            4,
            warning,
            "invalid description",
            f"description contains -Infinity {too_large}, {suffix}",
        ),
    ]
    assert file_report.counts.products.inserted == 5
    products = {product.parent_asin: product for product in Product.objects.all()}
    assert products["B2"].details == {}
    assert products["B2"].features == ["Small", "Light"]
    assert products["B2"].title == "Product B2"
    assert products["B3"].features == []
    assert products["B3"].details == {"Brand": "Acme"}
    assert products["B4"].description == []
    assert products["B5"].details == {"Brand": "Acme"}


def test_nan_in_unstored_field_is_ignored(write_input, metadata_line):
    line = with_raw_value(metadata_line("B1", videos="RAW"), "videos", "[NaN]")
    path = write_input("meta.jsonl", [line])

    report = import_paths(paths=[path])

    assert report.files[0].listed_problems == []
    assert Product.objects.get().features == ["Small", "Light"]


def test_deep_details_are_cleared(write_input, metadata_line):
    line = with_raw_value(
        metadata_line("B1", details="RAW"), "details", f'{{"a": {nested_list(150)}}}'
    )
    path = write_input("meta.jsonl", [line])

    report = import_paths(paths=[path])

    assert listed(report.files[0]) == [
        (
            1,
            Severity.WARNING,
            "invalid details",
            "details is nested more than 100 levels deep; stored empty",
        )
    ]
    assert Product.objects.get().details == {}


@pytest.mark.parametrize("deep_line", [1, 2])
def test_deeply_nested_review_line_is_skipped(deep_line, write_input, review_line):
    lines = [
        review_line(user_id="U1", timestamp=BASE_MS),
        review_line(user_id="U2", timestamp=BASE_MS + 1),
        review_line(user_id="U3", timestamp=BASE_MS + 2),
    ]
    lines[deep_line - 1] = '{"text": ' + DEEP_ARRAY + "}"
    path = write_input("reviews.jsonl", lines)

    report = import_paths(paths=[path])

    file_report = report.files[0]
    assert file_report.file_format == "review JSONL"
    assert listed(file_report) == [
        (deep_line, Severity.SKIPPED, "invalid JSON", DEEP_JSON_MESSAGE)
    ]
    assert file_report.counts.ratings.inserted == 2
    expected_users = {"U1", "U2", "U3"} - {f"U{deep_line}"}
    stored_users = set(
        Interaction.objects.values_list("reviewer__external_id", flat=True)
    )
    assert stored_users == expected_users


@pytest.mark.parametrize("deep_line", [1, 3])
def test_deeply_nested_metadata_line_is_skipped(deep_line, write_input, metadata_line):
    lines = [metadata_line("B1"), metadata_line("B2"), metadata_line("B3")]
    lines[deep_line - 1] = (
        f'{{"parent_asin": "B{deep_line}", "details": {{"a": {DEEP_ARRAY}}}}}'
    )
    path = write_input("meta.jsonl", lines)

    report = import_paths(paths=[path])

    file_report = report.files[0]
    assert file_report.file_format == "item metadata JSONL"
    assert listed(file_report) == [
        (deep_line, Severity.SKIPPED, "invalid JSON", DEEP_JSON_MESSAGE)
    ]
    expected = sorted({"B1", "B2", "B3"} - {f"B{deep_line}"})
    assert sorted(Product.objects.values_list("parent_asin", flat=True)) == expected


def test_only_deep_lines_are_unknown_format(write_input):
    path = write_input("deep.jsonl", ['{"text": ' + DEEP_ARRAY + "}"])

    report = import_paths(paths=[path])

    assert report.files[0].error.startswith(f"{path}: unknown format.")


def test_nested_title_is_cleared(write_input, metadata_line):
    line = with_raw_value(metadata_line("B1", title="RAW"), "title", nested_list(300))
    path = write_input("meta.jsonl", [line])

    report = import_paths(paths=[path])

    assert listed(report.files[0]) == [
        (
            1,
            Severity.WARNING,
            "invalid title",
            "title [[[[...]]]] is not text; stored empty",
        )
    ]
    assert Product.objects.get().title == ""


def test_nested_categories_are_shortened(write_input, metadata_line):
    line = with_raw_value(
        metadata_line("B1", categories="RAW"), "categories", nested_list(300)
    )
    path = write_input("meta.jsonl", [line])

    report = import_paths(paths=[path])

    (problem,) = report.files[0].listed_problems
    assert problem.message == (
        "categories [[[[...]]]] is not a list of names; stored without a category"
    )
    assert Product.objects.get().category is None


def test_nested_rating_is_shortened(write_input, review_line):
    line = with_raw_value(review_line(rating="RAW"), "rating", nested_list(300))
    path = write_input("reviews.jsonl", [line, review_line(user_id="U2")])

    report = import_paths(paths=[path])

    assert listed(report.files[0]) == [
        (
            1,
            Severity.SKIPPED,
            "rating not a number",
            "rating [[[[...]]]] is not a number",
        )
    ]
    assert Interaction.objects.count() == 1


def test_category_path_beyond_index_limit(write_input, metadata_line):
    # 195 CJK characters take 585 bytes in UTF-8, so five such names stay
    # within the length limits in characters but not within 2,600 bytes.
    names = [chr(0x4E00 + level) * 195 for level in range(5)]
    path = write_input(
        "meta.jsonl",
        [metadata_line("B1", categories=names), metadata_line("B2")],
    )

    report = import_paths(paths=[path])

    (problem,) = report.files[0].listed_problems
    assert problem.line_number == 1
    assert problem.reason == "invalid categories"
    assert problem.message.endswith(
        "is 2,937 bytes in UTF-8, more than the 2,600 bytes that the index on "
        "category paths accepts; stored without a category"
    )
    assert Product.objects.get(parent_asin="B1").category is None
    assert Product.objects.get(parent_asin="B2").category.path == (
        "Electronics > Computers & Accessories > Laptops"
    )


def test_long_csv_values_are_cut_in_messages(write_input, csv_line):
    path = write_input(
        "split.csv",
        [
            CSV_HEADER,
            csv_line("U1", "B1", "5.0", BASE_MS),
            csv_line("U2", "B2", "1" * 5000, BASE_MS),
            csv_line("U3", "B3", "4.0", "2" * 5000),
            csv_line("U4", "B4", "4.0", "3" * 4000),
            csv_line("U5", "B5", "3.0", BASE_MS + 1),
        ],
    )

    report = import_paths(paths=[path])

    skipped = Severity.SKIPPED
    assert listed(report.files[0]) == [
        (
            3,
            skipped,
            "rating out of range",
            f"rating '{'1' * 79}... is outside 1 to 5",
        ),
        (
            4,
            skipped,
            "timestamp not an integer",
            f"timestamp '{'2' * 79}... is not an integer number of milliseconds",
        ),
        (
            5,
            skipped,
            "timestamp out of range",
            f"timestamp {'3' * 80}... is in the future",
        ),
    ]
    stored_users = set(
        Interaction.objects.values_list("reviewer__external_id", flat=True)
    )
    assert stored_users == {"U1", "U5"}
