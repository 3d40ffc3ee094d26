"""Measure listing search latency beside a primary-key lookup.

The script creates a scratch database on 127.0.0.1 (marketplace_search_bench
by default) and migrates it, which enables pg_trgm and builds the search
indexes. It bulk-creates synthetic listings of one seller named
synthetic-seller. Each title is a seeded random combination of English and
Korean product words, and each description starts with "Synthetic listing".
It then times, in one run on the same server:

1. Search: the first page (20 listings) of `browse_listings` by relevance,
   for queries drawn from English words, English prefixes and Korean words.
2. Primary-key lookup: `get_visible_listing` on random listings, the query
   that serves one listing's page.

Both go through the ORM and fetch the same related rows. It prints the
median and 99th percentile of each, their ratio and the plan of one search,
then drops the database.

Usage:
    python bench/search_latency.py --listings 100000 --queries 200
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import statistics
import time
from collections.abc import Callable
from decimal import Decimal
from functools import partial

from scratch_database import (
    add_database_arguments,
    create_database,
    drop_database,
    setup_django,
)

SEED = 2024
ENGLISH_WORDS = [
    "iPhone",
    "Galaxy",
    "Pixel",
    "MacBook",
    "ThinkPad",
    "AirPods",
    "PlayStation",
    "Switch",
    "iPad",
    "Kindle",
    "GoPro",
    "Canon",
    "Nikon",
    "Bose",
    "Walkman",
    "Chromebook",
    "Surface",
    "Lumix",
    "Garmin",
    "Fitbit",
]
KOREAN_WORDS = [
    "맥북",
    "아이폰",
    "갤럭시",
    "아이패드",
    "에어팟",
    "노트북",
    "모니터",
    "키보드",
    "마우스",
    "카메라",
    "렌즈",
    "충전기",
    "이어폰",
    "스피커",
    "태블릿",
]
KOREAN_ENDINGS = ["을 팝니다", "프로", " 급처", " 새상품", " 판매합니다", ""]
ENGLISH_EXTRAS = ["Pro", "Max", "mini", "2021", "256GB", "black", "used", "boxed"]
CONDITIONS = ["new", "like_new", "good", "fair", "for_parts"]


def parse_arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--listings",
        type=int,
        default=100_000,
        help="synthetic listings to create (default: 100,000)",
    )
    parser.add_argument(
        "--queries",
        type=int,
        default=200,
        help="timed searches and timed lookups each (default: 200)",
    )
    add_database_arguments(parser, default="marketplace_search_bench")
    return parser.parse_args()


def synthetic_title(rng: random.Random) -> str:
    if rng.random() < 0.5:
        words = [rng.choice(ENGLISH_WORDS), rng.choice(ENGLISH_EXTRAS)]
        if rng.random() < 0.5:
            words.append(rng.choice(ENGLISH_EXTRAS))
        return " ".join(words)
    title = rng.choice(KOREAN_WORDS) + rng.choice(KOREAN_ENDINGS)
    if rng.random() < 0.5:
        title = f"{title} {rng.choice(ENGLISH_EXTRAS)}"
    return title


def create_listings(count: int, rng: random.Random) -> None:
    from accounts.models import User
    from listings.models import Listing

    seller = User.objects.create(username="synthetic-seller")
    start = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    batch = []
    for n in range(count):
        batch.append(
            Listing(
                seller=seller,
                title=synthetic_title(rng),
                description=(
                    f"Synthetic listing {n}. Comes with "
                    f"{rng.choice(ENGLISH_WORDS)} {rng.choice(KOREAN_WORDS)} parts."
                ),
                price=Decimal(rng.randrange(1_000, 200_000)) / 100,
                currency="USD",
                condition=rng.choice(CONDITIONS),
                bumped_at=start + dt.timedelta(seconds=rng.randrange(10_000_000)),
            )
        )
        if len(batch) == 5_000:
            Listing.objects.bulk_create(batch)
            batch = []
    Listing.objects.bulk_create(batch)


def sample_queries(count: int, rng: random.Random) -> list[str]:
    """Return English words, their first four letters and Korean words."""
    queries = []
    for n in range(count):
        kind = n % 3
        if kind == 0:
            queries.append(rng.choice(ENGLISH_WORDS).lower())
        elif kind == 1:
            queries.append(rng.choice(ENGLISH_WORDS)[:4].lower())
        else:
            queries.append(rng.choice(KOREAN_WORDS))
    return queries


def time_calls(calls: list[Callable[[], object]]) -> list[float]:
    """Return the wall time of each call, in milliseconds."""
    timings = []
    for call in calls:
        started = time.perf_counter()
        call()
        timings.append((time.perf_counter() - started) * 1000)
    return timings


def summarize(name: str, timings: list[float]) -> tuple[float, float]:
    median = statistics.median(timings)
    p99 = statistics.quantiles(timings, n=100, method="inclusive")[98]
    print(f"{name:<18} median {median:8.2f} ms   p99 {p99:8.2f} ms")
    return median, p99


def run(arguments: argparse.Namespace) -> None:
    from django.contrib.auth.models import AnonymousUser
    from django.db import connection

    from listings import selectors
    from listings.models import Listing

    rng = random.Random(SEED)
    started = time.perf_counter()
    create_listings(arguments.listings, rng)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE listings_listing")
    print(
        f"Created {arguments.listings:,} synthetic listings in "
        f"{time.perf_counter() - started:.1f} s"
    )

    viewer = AnonymousUser()

    def search_page(query: str) -> list[Listing]:
        page = selectors.browse_listings(
            viewer=viewer,
            filters=selectors.ListingFilters(search=query),
            ordering=selectors.ListingOrdering.RELEVANCE,
        )
        return page.listings

    queries = sample_queries(arguments.queries, rng)
    pks = list(Listing.objects.values_list("pk", flat=True))
    lookups = [rng.choice(pks) for _ in range(arguments.queries)]

    # Warm the caches with queries outside the timed sample.
    for query in ("warm", "노트북", "ipad"):
        search_page(query)
    for pk in pks[:20]:
        selectors.get_visible_listing(viewer=viewer, pk=pk)

    search_timings = time_calls([partial(search_page, query) for query in queries])
    lookup_timings = time_calls(
        [partial(selectors.get_visible_listing, viewer=viewer, pk=pk) for pk in lookups]
    )

    matches = [
        selectors.filter_listings(
            viewer=viewer, filters=selectors.ListingFilters(search=query)
        ).count()
        for query in sorted(set(queries))
    ]
    print(
        f"{len(queries)} queries, {len(set(queries))} distinct, matching "
        f"{statistics.mean(matches):,.0f} listings on average (min {min(matches):,}, "
        f"max {max(matches):,})"
    )
    search_median, search_p99 = summarize("search (page 20)", search_timings)
    lookup_median, lookup_p99 = summarize("primary-key lookup", lookup_timings)
    print(
        f"ratio search/lookup: median {search_median / lookup_median:.1f}x, "
        f"p99 {search_p99 / lookup_p99:.1f}x"
    )

    queryset = selectors.filter_listings(
        viewer=viewer, filters=selectors.ListingFilters(search="맥북")
    ).order_by("-search_rank", "-bumped_at", "-id")[:20]
    print("Plan of the search for 맥북:")
    print(queryset.explain())


def main() -> None:
    arguments = parse_arguments()
    create_database(arguments)
    try:
        setup_django(arguments, secret_key="search-benchmark-only")
        run(arguments)
    finally:
        drop_database(arguments)


if __name__ == "__main__":
    main()
