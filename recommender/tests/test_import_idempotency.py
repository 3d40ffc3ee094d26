"""Natural keys, duplicates, updates and the catalog rows of the import."""

from decimal import Decimal

import pytest

from listings.models import Category, Product
from recommender.importing.service import import_paths
from recommender.models import Interaction, Reviewer
from recommender.tests.factories import UserFactory

pytestmark = pytest.mark.django_db

BASE_MS = 1_609_459_200_000  # 2021-01-01T00:00:00Z
CSV_HEADER = "user_id,parent_asin,rating,timestamp"


def test_repeated_row_is_duplicate(write_input, review_line):
    path = write_input("reviews.jsonl", [review_line(), review_line()])

    report = import_paths(paths=[path])

    ratings = report.files[0].counts.ratings
    assert ratings.inserted == 1
    assert ratings.duplicates == 1
    assert Interaction.objects.count() == 1


def test_second_run_inserts_nothing(write_input, review_line, metadata_line):
    reviews = write_input(
        "reviews.jsonl",
        [review_line(user_id="U1"), review_line(user_id="U2", rating=3.0)],
    )
    metadata = write_input("meta.jsonl", [metadata_line()])
    import_paths(paths=[reviews, metadata])

    report = import_paths(paths=[reviews, metadata])

    counts = report.totals.counts
    assert counts.ratings.inserted == 0
    assert counts.ratings.updated == 0
    assert counts.ratings.duplicates == 2
    assert counts.reviewers.inserted == 0
    assert counts.products.inserted == 0
    assert counts.products.updated == 0
    assert counts.products.duplicates == 1
    assert counts.categories.inserted == 0
    assert Interaction.objects.count() == 2


def test_changed_rating_across_runs_is_update(write_input, review_line):
    first = write_input("first.jsonl", [review_line(rating=5.0)])
    second = write_input("second.jsonl", [review_line(rating=2.0)])
    import_paths(paths=[first])

    report = import_paths(paths=[second])

    ratings = report.files[0].counts.ratings
    assert ratings.updated == 1
    assert ratings.inserted == 0
    assert Interaction.objects.get().rating == 2.0


@pytest.mark.parametrize("batch_size", [1, 2, 100])
def test_changed_rating_within_file(batch_size, write_input, csv_line):
    path = write_input(
        "split.csv",
        [
            CSV_HEADER,
            csv_line("U1", "B1", "5.0"),
            csv_line("U1", "B1", "5.0"),
            csv_line("U1", "B1", "4.0"),
            csv_line("U1", "B1", "4.0"),
            csv_line("U1", "B1", "3.0"),
        ],
    )

    report = import_paths(paths=[path], batch_size=batch_size)

    ratings = report.files[0].counts.ratings
    assert ratings.inserted == 1
    assert ratings.updated == 2
    assert ratings.duplicates == 2
    assert Interaction.objects.get().rating == 3.0


@pytest.mark.parametrize("batch_size", [1, 100])
def test_rating_back_to_stored_value(batch_size, write_input, csv_line):
    first = write_input("first.csv", [CSV_HEADER, csv_line(rating="5.0")])
    second = write_input(
        "second.csv", [CSV_HEADER, csv_line(rating="5.0"), csv_line(rating="1.0")]
    )
    import_paths(paths=[first])

    report = import_paths(paths=[second], batch_size=batch_size)

    ratings = report.files[0].counts.ratings
    assert ratings.duplicates == 1
    assert ratings.updated == 1
    assert Interaction.objects.get().rating == 1.0


def test_same_pair_at_two_times_is_two_ratings(write_input, csv_line):
    path = write_input(
        "split.csv",
        [
            CSV_HEADER,
            csv_line("U1", "B1", "5.0", BASE_MS),
            csv_line("U1", "B1", "2.0", BASE_MS + 1),
        ],
    )

    report = import_paths(paths=[path])

    assert report.files[0].counts.ratings.inserted == 2


def test_rating_fields(write_input, review_line):
    path = write_input(
        "reviews.jsonl",
        [review_line("AGKHLEW2SOWHNMFQIJGBECAF7INQ", "B07X4V2M3B", 4.0, BASE_MS + 7)],
    )

    import_paths(paths=[path])

    interaction = Interaction.objects.get()
    assert interaction.reviewer.external_id == "AGKHLEW2SOWHNMFQIJGBECAF7INQ"
    assert interaction.reviewer.source == Reviewer.Source.AMAZON_2023
    assert interaction.reviewer.user is None
    assert interaction.user is None
    assert interaction.product.parent_asin == "B07X4V2M3B"
    assert interaction.kind == Interaction.Kind.REVIEW
    assert interaction.source == Interaction.Source.IMPORT
    assert interaction.rating == 4.0
    assert interaction.occurred_at.isoformat() == "2021-01-01T00:00:00.007000+00:00"


def test_reviewer_keeps_linked_user(write_input, review_line):
    user = UserFactory()
    Reviewer.objects.create(external_id="U1", user=user)
    path = write_input("reviews.jsonl", [review_line(user_id="U1")])

    report = import_paths(paths=[path])

    assert report.files[0].counts.reviewers.inserted == 0
    assert Interaction.objects.get().reviewer.user == user


def test_review_product_is_stub(write_input, review_line):
    path = write_input("reviews.jsonl", [review_line(parent_asin="B1")])

    report = import_paths(paths=[path])

    product = Product.objects.get()
    assert report.files[0].counts.products.inserted == 1
    assert product.has_metadata is False
    assert product.title == ""
    assert product.image_urls == []


def test_metadata_fills_stub(write_input, review_line, metadata_line):
    reviews = write_input("reviews.jsonl", [review_line(parent_asin="B1")])
    metadata = write_input("meta.jsonl", [metadata_line("B1")])
    import_paths(paths=[reviews])

    report = import_paths(paths=[metadata])

    products = report.files[0].counts.products
    product = Product.objects.get()
    assert products.updated == 1
    assert products.inserted == 0
    assert product.has_metadata is True
    assert product.title == "Product B1"
    assert product.interactions.count() == 1


def test_reviews_after_metadata_keep_it(write_input, review_line, metadata_line):
    metadata = write_input("meta.jsonl", [metadata_line("B1")])
    reviews = write_input("reviews.jsonl", [review_line(parent_asin="B1")])
    import_paths(paths=[metadata])

    report = import_paths(paths=[reviews])

    product = Product.objects.get()
    assert report.files[0].counts.products.inserted == 0
    assert product.has_metadata is True
    assert product.title == "Product B1"


def test_metadata_fields(write_input, metadata_line):
    path = write_input(
        "meta.jsonl",
        [
            metadata_line(
                "B1",
                title="USB hub",
                store="Plugable",
                main_category="Computers",
                price=27.99,
                average_rating=4.2,
                rating_number=310,
                features=["4 ports"],
                description=["Powered hub."],
                details={"Weight": "3 ounces", "Ports": 4},
            )
        ],
    )

    import_paths(paths=[path])

    product = Product.objects.get()
    assert product.title == "USB hub"
    assert product.store == "Plugable"
    assert product.main_category == "Computers"
    assert product.price == Decimal("27.99")
    assert product.average_rating == 4.2
    assert product.rating_count == 310
    assert product.features == ["4 ports"]
    assert product.description == ["Powered hub."]
    assert product.details == {"Weight": "3 ounces", "Ports": 4}
    assert product.image_urls == ["https://example.com/B1_large.jpg"]


def test_changed_metadata_is_update(write_input, metadata_line):
    first = write_input("first.jsonl", [metadata_line("B1", price=10.0)])
    second = write_input("second.jsonl", [metadata_line("B1", price=12.5)])
    import_paths(paths=[first])

    report = import_paths(paths=[second])

    assert report.files[0].counts.products.updated == 1
    assert Product.objects.get().price == Decimal("12.50")


def test_repeated_metadata_in_file(write_input, metadata_line):
    path = write_input(
        "meta.jsonl",
        [
            metadata_line("B1", price=10.0),
            metadata_line("B1", price=10.0),
            metadata_line("B1", price=11.0),
        ],
    )

    report = import_paths(paths=[path])

    products = report.files[0].counts.products
    assert products.inserted == 1
    assert products.duplicates == 1
    assert products.updated == 1
    assert Product.objects.get().price == Decimal("11.00")


def test_category_tree_from_path(write_input, metadata_line):
    path = write_input(
        "meta.jsonl",
        [
            metadata_line("B1", categories=["Electronics", "Computers", "Laptops"]),
            metadata_line("B2", categories=["Electronics", "Computers", "Tablets"]),
        ],
    )

    report = import_paths(paths=[path])

    assert report.files[0].counts.categories.inserted == 4
    laptops = Category.objects.get(path="Electronics > Computers > Laptops")
    assert laptops.name == "Laptops"
    assert laptops.depth == 2
    assert laptops.parent.path == "Electronics > Computers"
    assert laptops.parent.depth == 1
    assert laptops.parent.parent.path == "Electronics"
    assert laptops.parent.parent.parent is None
    assert Product.objects.get(parent_asin="B1").category == laptops


def test_category_tree_across_batches(write_input, metadata_line):
    path = write_input(
        "meta.jsonl",
        [
            metadata_line("B1", categories=["Electronics", "Audio"]),
            metadata_line("B2", categories=["Electronics", "Audio", "Headphones"]),
        ],
    )

    report = import_paths(paths=[path], batch_size=1)

    headphones = Category.objects.get(path="Electronics > Audio > Headphones")
    assert report.files[0].counts.categories.inserted == 3
    assert headphones.parent.path == "Electronics > Audio"


def test_empty_categories_leave_category_unset(write_input, metadata_line):
    path = write_input(
        "meta.jsonl",
        [metadata_line("B1", categories=[], main_category="Computers")],
    )

    import_paths(paths=[path])

    product = Product.objects.get()
    assert product.category is None
    assert product.main_category == "Computers"
    assert Category.objects.count() == 0


def test_directory_imports_files_in_name_order(
    tmp_path, write_input, csv_line, metadata_line
):
    write_input("b_meta.jsonl", [metadata_line("B1")])
    write_input("a_split.csv", [CSV_HEADER, csv_line(parent_asin="B1")])
    (tmp_path / "nested").mkdir()

    report = import_paths(paths=[tmp_path])

    assert [file.path for file in report.files] == [
        str(tmp_path / "a_split.csv"),
        str(tmp_path / "b_meta.jsonl"),
    ]
    assert report.totals.counts.products.inserted == 1
    assert report.totals.counts.products.updated == 1


MIXED_REVIEWS = [
    ("U1", "B1", 5.0, BASE_MS),
    ("U1", "B1", 5.0, BASE_MS),
    ("U1", "B2", 3.0, BASE_MS + 1),
    ("U2", "B1", 4.0, BASE_MS + 2),
    ("U2", "B1", 1.0, BASE_MS + 2),
    ("U3", "B3", 2.0, BASE_MS + 3),
]


def write_mixed_files(write_input, review_line, metadata_line, csv_line):
    return [
        write_input(
            "reviews.jsonl",
            [review_line(*row) for row in MIXED_REVIEWS] + ["{broken"],
        ),
        write_input(
            "split.csv.gz",
            [CSV_HEADER, csv_line("U1", "B1", "2.0", BASE_MS), csv_line("U4", "B4")],
            gzipped=True,
        ),
        write_input(
            "meta.jsonl",
            [
                metadata_line("B1"),
                metadata_line("B2", categories=[], price="n/a"),
                metadata_line("B2", categories=[], price="n/a"),
                metadata_line("B5", categories=["Electronics", "Audio"]),
            ],
        ),
    ]


@pytest.mark.parametrize("method", ["copy", "orm"])
def test_write_methods_count_alike(
    method, write_input, review_line, metadata_line, csv_line
):
    paths = write_mixed_files(write_input, review_line, metadata_line, csv_line)

    first = import_paths(paths=paths, method=method, batch_size=3).to_dict()
    second = import_paths(paths=paths, method=method, batch_size=3).to_dict()

    assert first["total"]["counts"] == {
        "ratings": {"inserted": 5, "updated": 2, "duplicates": 1},
        "reviewers": {"inserted": 4, "updated": 0, "duplicates": 0},
        "products": {"inserted": 5, "updated": 2, "duplicates": 1},
        "categories": {"inserted": 4, "updated": 0, "duplicates": 0},
    }
    assert first["total"]["skipped"] == {"invalid JSON": 1}
    assert first["total"]["warnings"] == {"price not a number": 2}
    # The files change some ratings back and forth, so a rerun updates them
    # again, in the same order.
    assert second["total"]["counts"]["ratings"] == {
        "inserted": 0,
        "updated": 4,
        "duplicates": 4,
    }
    assert second["total"]["counts"]["products"] == {
        "inserted": 0,
        "updated": 0,
        "duplicates": 4,
    }
    assert Interaction.objects.count() == 5
