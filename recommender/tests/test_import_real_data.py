"""Import of the real Electronics files, with exact counts."""

import pytest

from listings.models import Category, Product
from recommender.importing.service import import_paths
from recommender.models import Interaction, Reviewer

pytestmark = pytest.mark.django_db


@pytest.mark.slow
def test_kcore5_import_counts(electronics_dir):
    kcore5 = electronics_dir / "kcore5"
    paths = [
        kcore5 / "Electronics.train.csv",
        kcore5 / "Electronics.valid.csv",
        kcore5 / "Electronics.test.csv",
        kcore5 / "meta_Electronics.jsonl",
    ]

    first = import_paths(paths=paths).totals
    second = import_paths(paths=paths).totals

    assert first.records == 131_154 + 9_671
    assert first.skipped.total() == 0
    assert first.counts.ratings.inserted == 130_500
    assert first.counts.ratings.duplicates == 654
    # No (user, product, timestamp) key comes with two different ratings.
    assert first.counts.ratings.updated == 0
    assert first.counts.reviewers.inserted == 15_266
    assert first.counts.products.inserted == 9_671
    assert first.counts.products.updated == 9_671
    assert Interaction.objects.count() == 130_500
    assert Reviewer.objects.count() == 15_266
    assert Product.objects.count() == 9_671
    assert Product.objects.filter(has_metadata=False).count() == 0
    assert Product.objects.filter(category__isnull=True).count() == 0
    assert second.counts.ratings.inserted == 0
    assert second.counts.ratings.updated == 0
    assert second.counts.ratings.duplicates == 131_154
    assert second.counts.reviewers.inserted == 0
    assert second.counts.products.inserted == 0
    assert second.counts.products.updated == 0
    assert second.counts.products.duplicates == 9_671
    assert second.counts.categories.inserted == 0


def test_raw_review_head_counts(electronics_dir):
    path = electronics_dir / "raw" / "Electronics.head500.jsonl"

    report = import_paths(paths=[path])

    file_report = report.files[0]
    assert file_report.file_format == "review JSONL"
    assert file_report.lines_read == 500
    assert file_report.skipped.total() == 0
    assert file_report.counts.ratings.inserted == 500
    assert Interaction.objects.count() == 500
    assert Reviewer.objects.count() == 102
    assert Product.objects.count() == 487
    assert Product.objects.filter(has_metadata=True).count() == 0


def test_raw_metadata_head_counts(electronics_dir):
    path = electronics_dir / "raw" / "meta_Electronics.head500.jsonl"

    report = import_paths(paths=[path])

    file_report = report.files[0]
    product = Product.objects.get(parent_asin="B00MCW7G9M")
    assert file_report.file_format == "item metadata JSONL"
    assert file_report.skipped.total() == 0
    assert file_report.counts.products.inserted == 500
    assert Product.objects.filter(has_metadata=True).count() == 500
    # 28 products in this file have an empty category list.
    assert Product.objects.filter(category__isnull=True).count() == 28
    assert Product.objects.filter(price__isnull=True).count() == 273
    assert product.category.path == "Electronics > Television & Video > Video Glasses"
    assert product.image_urls == [
        "https://m.media-amazon.com/images/I/41qrX56lsYL._AC_.jpg"
    ]
    assert product.details == {
        "Date First Available": "August 2, 2014",
        "Manufacturer": "Fatshark",
    }
    assert Category.objects.get(path="Electronics").depth == 0


def test_kcore5_metadata_leaf_categories(electronics_dir):
    path = electronics_dir / "kcore5" / "meta_Electronics.jsonl"

    import_paths(paths=[path])

    product = Product.objects.get(parent_asin="B08GFTPQ5B")
    assert product.category.path == "Hard Shell Cases"
    assert product.category.depth == 0
    assert product.image_urls == [
        "https://m.media-amazon.com/images/I/41vx1ANmnuL._AC_.jpg"
    ]
    assert Product.objects.filter(price__isnull=True).count() == 1_826
