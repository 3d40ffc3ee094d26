import unicodedata
from decimal import Decimal

import pytest
from django.db import connection
from rest_framework.test import APIClient

from recommender.tests.factories import CategoryFactory, ProductFactory

pytestmark = pytest.mark.django_db

SEARCH_URL = "/api/v1/catalog/products/"


@pytest.fixture(autouse=True)
def _pg_trgm(db):
    # The suite builds its tables without migrations, so the extension that
    # migration 0003 enables is created here.
    with connection.cursor() as cursor:
        cursor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")


@pytest.fixture
def headphones():
    category = CategoryFactory(name="Headphones", path="Electronics > Headphones")
    return ProductFactory(
        parent_asin="B0SONYXM40",
        title="Sony WH-1000XM4 Wireless Noise Canceling Headphones",
        category=category,
        price=Decimal("349.99"),
        rating_count=5000,
    )


def search(q):
    return APIClient().get(SEARCH_URL, {"q": q})


@pytest.mark.parametrize(
    "q",
    [
        "sony headphones",
        "HEADPHONES sony",
        "  Headphones   SONY ",
        "xm4 wireless",
        "headph",
    ],
)
def test_search_finds_product_by_words(headphones, q):
    response = search(q)

    assert response.status_code == 200
    assert [item["parent_asin"] for item in response.json()] == ["B0SONYXM40"]


def test_search_returns_sell_form_fields(headphones):
    response = search("sony headphones")

    assert response.json() == [
        {
            "parent_asin": "B0SONYXM40",
            "title": "Sony WH-1000XM4 Wireless Noise Canceling Headphones",
            "category": headphones.category.pk,
            "category_path": "Electronics > Headphones",
            "catalog_price": "349.99",
            "suggested_price": "209.99",
            "suggested_currency": "USD",
        }
    ]


def test_search_leaves_out_weak_matches(headphones):
    ProductFactory(title="Sony Alpha camera", rating_count=10)
    ProductFactory(title="Nikon Z6 camera body", rating_count=10)

    asins = [item["parent_asin"] for item in search("headphones").json()]

    assert asins == ["B0SONYXM40"]


def test_search_orders_by_match_then_rating_count(headphones):
    more_rated = ProductFactory(
        title="Sony WH-1000XM4 Wireless Noise Canceling Headphones", rating_count=9000
    )
    unrated = ProductFactory(
        title="Sony WH-1000XM4 Wireless Noise Canceling Headphones", rating_count=None
    )
    partial = ProductFactory(title="Sony headphone stand", rating_count=50000)

    asins = [item["parent_asin"] for item in search("sony headphones").json()]

    assert asins == [
        more_rated.parent_asin,
        "B0SONYXM40",
        unrated.parent_asin,
        partial.parent_asin,
    ]


@pytest.mark.parametrize(
    "q", ["맥북", unicodedata.normalize("NFD", "맥북")], ids=["nfc", "nfd"]
)
def test_search_finds_korean_title(q):
    macbook = ProductFactory(title="애플 맥북프로 14 M3", rating_count=10)
    ProductFactory(title="삼성 갤럭시 북3", rating_count=10)

    asins = [item["parent_asin"] for item in search(q).json()]

    assert asins == [macbook.parent_asin]


def test_search_without_catalog_price_suggests_nothing():
    ProductFactory(title="Unknown price radio", price=None, category=None)

    item = search("radio").json()[0]

    assert item["catalog_price"] is None
    assert item["suggested_price"] is None
    assert item["category"] is None
    assert item["category_path"] is None


def test_search_skips_products_without_metadata():
    ProductFactory(title="", has_metadata=False)
    ProductFactory(title="Placeholder radio", has_metadata=False)

    assert search("radio").json() == []


@pytest.mark.parametrize("q", ["", "   "])
def test_empty_query_rejected(q):
    response = search(q)

    assert response.status_code == 400
    assert response.json() == {
        "q": ["The query parameter q is empty; give words of the title."]
    }


def test_missing_query_rejected():
    response = APIClient().get(SEARCH_URL)

    assert response.status_code == 400
    assert response.json() == {
        "q": ["The query parameter q is missing; give words of the title."]
    }


def test_query_with_too_many_words_rejected():
    response = search("a b c d e f g h i")

    assert response.status_code == 400
    assert response.json() == {"q": ["The search query has 9 words; use at most 8."]}
