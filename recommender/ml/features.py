"""Content features of items: title tokens, category path, store, price.

A `FeatureVocabulary` is fitted on the items of a training log and turns any
`ItemFeatures` into padded integer arrays. Index 0 of every vocabulary is
padding, which also stands for a missing or unknown value, so an item never
seen in training still gets features from whatever part of its text the
vocabulary covers.
"""

from __future__ import annotations

import itertools
import math
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np

from recommender.ml.data import ItemFeatures

CATEGORY_SEPARATOR = " > "
# Words are runs of letters or digits in any script, lowercased.
WORD_PATTERN = re.compile(r"[^\W_]+")
# Price bucket edges in US dollars: powers of two from $1 to $4,096.
PRICE_EDGES = tuple(2.0**power for power in range(13))
# Bucket 0 is an unknown price; buckets 1..len(PRICE_EDGES) + 1 are prices.
PRICE_BUCKET_COUNT = len(PRICE_EDGES) + 2


def tokenize(text: str) -> list[str]:
    """Split text into lowercase words of letters and digits."""
    return WORD_PATTERN.findall(text.lower())


def title_terms(title: str, max_words: int) -> list[str]:
    """Return the first `max_words` words of a title and their bigrams."""
    words = tokenize(title)[:max_words]
    bigrams = [f"{first} {second}" for first, second in itertools.pairwise(words)]
    return words + bigrams


def category_levels(path: str) -> list[str]:
    """Return every prefix of a " > "-joined category path, root first."""
    names = [name.strip() for name in path.split(CATEGORY_SEPARATOR)]
    names = [name for name in names if name]
    return [CATEGORY_SEPARATOR.join(names[: depth + 1]) for depth in range(len(names))]


def price_bucket(price: float) -> int:
    """Map a price in dollars to a log-scale bucket; 0 when unknown.

    Bucket 1 is for prices under $1, bucket b (2 <= b <= 13) for
    [2 ** (b - 2), 2 ** (b - 1)) dollars and the last bucket for $4,096 or
    more.
    """
    if not math.isfinite(price) or price < 0:
        return 0
    return 1 + int(np.searchsorted(PRICE_EDGES, price, side="right"))


@dataclass
class EncodedItems:
    """Padded integer features of items, row i for item i.

    Args:
        title: int64 [items, title_width] title term ids, 0 = padding.
        category: int64 [items, category_width] category level ids.
        store: int64 [items] store ids, 0 = missing or unknown.
        price: int64 [items] price buckets, 0 = unknown.
    """

    title: np.ndarray
    category: np.ndarray
    store: np.ndarray
    price: np.ndarray

    def __len__(self) -> int:
        return len(self.store)

    def take(self, rows: np.ndarray) -> EncodedItems:
        return EncodedItems(
            title=self.title[rows],
            category=self.category[rows],
            store=self.store[rows],
            price=self.price[rows],
        )


@dataclass
class FeatureVocabulary:
    """Vocabularies of title terms, category levels and stores.

    Each list maps position + 1 to a value, because id 0 is padding.
    """

    title_terms: list[str]
    category_levels: list[str]
    stores: list[str]
    max_title_words: int
    max_category_depth: int

    @classmethod
    def fit(
        cls,
        features: ItemFeatures,
        rows: np.ndarray,
        *,
        min_count: int = 2,
        max_title_terms: int = 50_000,
        max_title_words: int = 24,
        max_category_depth: int = 6,
    ) -> FeatureVocabulary:
        """Build vocabularies from the items at `rows` of `features`.

        A value is kept when at least `min_count` of those items have it;
        title terms are capped at the `max_title_terms` most frequent.
        """
        term_counts: Counter[str] = Counter()
        level_counts: Counter[str] = Counter()
        store_counts: Counter[str] = Counter()
        for row in rows.tolist():
            term_counts.update(set(title_terms(features.titles[row], max_title_words)))
            level_counts.update(category_levels(features.categories[row]))
            store = features.stores[row].strip()
            if store:
                store_counts[store] += 1
        return cls(
            title_terms=_frequent(term_counts, min_count, max_title_terms),
            category_levels=_frequent(level_counts, min_count, None),
            stores=_frequent(store_counts, min_count, None),
            max_title_words=max_title_words,
            max_category_depth=max_category_depth,
        )

    @property
    def title_size(self) -> int:
        return len(self.title_terms) + 1

    @property
    def category_size(self) -> int:
        return len(self.category_levels) + 1

    @property
    def store_size(self) -> int:
        return len(self.stores) + 1

    def encode(self, features: ItemFeatures) -> EncodedItems:
        """Turn item features into padded id arrays; unknown values are 0."""
        term_ids = _index(self.title_terms)
        level_ids = _index(self.category_levels)
        store_ids = _index(self.stores)
        titles = [
            [
                term_ids[term]
                for term in title_terms(title, self.max_title_words)
                if term in term_ids
            ]
            for title in features.titles
        ]
        categories = [
            [
                level_ids.get(level, 0)
                for level in category_levels(path)[: self.max_category_depth]
            ]
            for path in features.categories
        ]
        return EncodedItems(
            title=_pad(titles, 2 * self.max_title_words - 1),
            category=_pad(categories, self.max_category_depth),
            store=np.asarray(
                [store_ids.get(store.strip(), 0) for store in features.stores],
                dtype=np.int64,
            ),
            price=np.asarray(
                [price_bucket(float(price)) for price in features.prices],
                dtype=np.int64,
            ),
        )

    def to_state(self) -> dict[str, Any]:
        """Return a JSON-serializable copy, the inverse of `from_state`."""
        return {
            "title_terms": self.title_terms,
            "category_levels": self.category_levels,
            "stores": self.stores,
            "max_title_words": self.max_title_words,
            "max_category_depth": self.max_category_depth,
        }

    @classmethod
    def from_state(cls, state: dict[str, Any]) -> FeatureVocabulary:
        return cls(
            title_terms=list(state["title_terms"]),
            category_levels=list(state["category_levels"]),
            stores=list(state["stores"]),
            max_title_words=int(state["max_title_words"]),
            max_category_depth=int(state["max_category_depth"]),
        )


def _frequent(counts: Counter[str], min_count: int, limit: int | None) -> list[str]:
    kept = [(value, count) for value, count in counts.items() if count >= min_count]
    kept.sort(key=lambda pair: (-pair[1], pair[0]))
    if limit is not None:
        kept = kept[:limit]
    return [value for value, _ in kept]


def _index(values: Iterable[str]) -> dict[str, int]:
    return {value: position + 1 for position, value in enumerate(values)}


def _pad(rows: list[list[int]], width: int) -> np.ndarray:
    padded = np.zeros((len(rows), max(width, 1)), dtype=np.int64)
    for position, ids in enumerate(rows):
        ids = ids[:width]
        padded[position, : len(ids)] = ids
    return padded
