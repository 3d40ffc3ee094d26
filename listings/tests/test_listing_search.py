import datetime as dt
import unicodedata
from decimal import Decimal
from urllib.parse import parse_qs, urlsplit

import pytest
from django.db import connection
from django.utils import timezone
from rest_framework.test import APIClient

from listings.models import Listing
from recommender.tests.factories import (
    CategoryFactory,
    ListingFactory,
    SubcategoryFactory,
)

pytestmark = pytest.mark.django_db

LISTINGS_URL = "/api/v1/listings/"
START = timezone.now() - dt.timedelta(days=2)


@pytest.fixture(autouse=True)
def _pg_trgm(db):
    # The suite builds its tables without migrations, so the extension that
    # migration 0003 enables is created here.
    with connection.cursor() as cursor:
        cursor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")


def listing(title, minutes=0, **fields):
    return ListingFactory(
        title=title, bumped_at=START + dt.timedelta(minutes=minutes), **fields
    )


def fetch(client, url, params=None):
    response = client.get(url, params)
    assert response.status_code == 200, response.content
    body = response.json()
    return [item["id"] for item in body["results"]], body["next"]


def search_ids(q, **params):
    ids, _ = fetch(APIClient(), LISTINGS_URL, {"q": q, "page_size": 100, **params})
    return ids


def test_database_locale_splits_hangul_into_trigrams():
    with connection.cursor() as cursor:
        cursor.execute("SELECT show_trgm('맥북')")
        (trigrams,) = cursor.fetchone()

    # A C-locale database treats Hangul as non-word characters and returns
    # no trigrams, so Korean search would find nothing.
    assert len(trigrams) == 3


@pytest.mark.parametrize(
    "q", ["맥북", unicodedata.normalize("NFD", "맥북")], ids=["nfc", "nfd"]
)
def test_korean_word_finds_suffixed_and_compound_titles(q):
    selling = listing("맥북을 팝니다", minutes=1)
    pro = listing("맥북프로 M1 16GB", minutes=2)
    listing("아이패드 에어 4세대", minutes=3)
    listing("갤럭시 북 프로", minutes=4)

    assert search_ids(q) == [pro.pk, selling.pk]


def test_title_stored_decomposed_is_found():
    decomposed = listing(unicodedata.normalize("NFD", "맥북 에어 M2"))

    assert search_ids("맥북") == [decomposed.pk]


@pytest.mark.parametrize("q", ["iphone", "IPHONE", "ipho", "iPhone 13"])
def test_english_word_and_prefix_find_title(q):
    iphone = listing("iPhone 13 Pro 256GB")
    listing("Galaxy S21 Ultra")
    listing("Pixel 7 charger")

    assert search_ids(q) == [iphone.pk]


def test_title_match_ranks_above_description_match():
    in_description = listing(
        "Clear phone case", minutes=10, description="Fits the iPhone 13 Pro."
    )
    in_title = listing("iPhone 13 Pro 256GB", minutes=1)

    assert search_ids("iphone") == [in_title.pk, in_description.pk]


def test_no_match_returns_empty_page():
    listing("iPhone 13 Pro 256GB")

    response = APIClient().get(LISTINGS_URL, {"q": "playstation"})

    assert response.status_code == 200
    assert response.json() == {"results": [], "next": None}


def test_search_with_category_and_price_filters(settings):
    settings.MARKETPLACE_DEFAULT_CURRENCY = "USD"
    phones = CategoryFactory(name="Phones", path="Phones")
    apple = SubcategoryFactory(name="Apple", parent=phones)
    other = CategoryFactory(name="Cases", path="Cases")
    cheap = listing("iPhone 12", category=apple, price=Decimal("150.00"))
    listing("iPhone 13", category=apple, price=Decimal("450.00"))
    listing("iPhone 11 case", category=other, price=Decimal("10.00"))
    listing("Galaxy S21", category=phones, price=Decimal("200.00"))

    found = search_ids("iphone", category=phones.pk, max_price="300")

    assert found == [cheap.pk]


def test_sold_and_hidden_listings_not_found_by_default():
    active = listing("iPhone 13 Pro", minutes=1)
    reserved = listing("iPhone 13 mini", minutes=2, status=Listing.Status.RESERVED)
    listing("iPhone 12 Pro", minutes=3, status=Listing.Status.SOLD)
    listing("iPhone 12", minutes=4, status=Listing.Status.HIDDEN)

    assert search_ids("iphone") == [active.pk]
    assert search_ids("iphone", status=["active", "reserved"]) == [
        reserved.pk,
        active.pk,
    ]


def test_search_with_price_ordering():
    dear = listing("iPhone 13 Pro", price=Decimal("900.00"))
    cheap = listing("iPhone 13 case", price=Decimal("15.00"))
    listing("Galaxy S21", price=Decimal("1.00"))

    assert search_ids("iphone", ordering="price") == [cheap.pk, dear.pk]


@pytest.mark.parametrize("q", ["", "   "])
def test_blank_query_rejected(q):
    response = APIClient().get(LISTINGS_URL, {"q": q})

    assert response.status_code == 400
    assert response.json() == {
        "q": ["The query parameter q is empty; give search words or leave q out."]
    }


def test_query_over_200_characters_rejected():
    response = APIClient().get(LISTINGS_URL, {"q": "a" * 201})

    assert response.status_code == 400
    assert response.json() == {
        "q": ["The search query has 201 characters; use at most 200."]
    }


def test_decomposed_query_counted_after_composition():
    # 100 syllables are 200 jamo in NFD but 100 characters in NFC.
    response = APIClient().get(
        LISTINGS_URL, {"q": unicodedata.normalize("NFD", "맥" * 100)}
    )

    assert response.status_code == 200


def test_relevance_ordering_without_query_rejected():
    response = APIClient().get(LISTINGS_URL, {"ordering": "relevance"})

    assert response.status_code == 400
    assert response.json() == {
        "ordering": [
            "The relevance ordering needs search words; give q or pick another "
            "ordering."
        ]
    }


def test_scroll_through_results_has_no_repeat_or_skip():
    # Equal titles tie on rank, and pairs of them tie on bump time too.
    in_titles = [listing("iPhone 13 Pro", minutes=n // 2) for n in range(8)]
    in_descriptions = [
        listing("Phone case", minutes=n // 2, description="For the iPhone 13 Pro")
        for n in range(3)
    ]
    listing("Galaxy S21", minutes=0)
    client = APIClient()

    seen = []
    page_sizes = []
    ids, next_url = fetch(client, LISTINGS_URL, {"q": "iphone", "page_size": 3})
    while True:
        page_sizes.append(len(ids))
        seen.extend(ids)
        if next_url is None:
            break
        ids, next_url = fetch(client, next_url)

    def newest_first(listings):
        return [
            item.pk
            for item in sorted(
                listings, key=lambda item: (item.bumped_at, item.pk), reverse=True
            )
        ]

    assert page_sizes == [3, 3, 3, 2]
    assert len(seen) == len(set(seen))
    assert seen == newest_first(in_titles) + newest_first(in_descriptions)


def test_cursor_of_other_query_rejected():
    for n in range(4):
        listing("iPhone 13 Pro", minutes=n)
    _, next_url = fetch(APIClient(), LISTINGS_URL, {"q": "iphone", "page_size": 2})
    cursor = parse_qs(urlsplit(next_url).query)["cursor"][0]

    response = APIClient().get(LISTINGS_URL, {"q": "pro", "cursor": cursor})

    assert response.status_code == 400
    assert response.json() == {
        "cursor": [
            "The cursor belongs to the search 'iphone', not 'pro'; request the "
            "first page without a cursor."
        ]
    }
