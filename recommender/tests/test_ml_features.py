import math

import numpy as np

from recommender.ml.data import ItemFeatures
from recommender.ml.features import (
    PRICE_BUCKET_COUNT,
    FeatureVocabulary,
    category_levels,
    price_bucket,
    title_terms,
    tokenize,
)


def make_features(titles, categories, stores, prices):
    return ItemFeatures(
        titles=titles,
        categories=categories,
        stores=stores,
        prices=np.asarray(prices, dtype=np.float64),
    )


def test_tokenize_lowercases_and_splits():
    assert tokenize("USB-C Cable, 6ft (2-Pack)") == [
        "usb",
        "c",
        "cable",
        "6ft",
        "2",
        "pack",
    ]


def test_tokenize_keeps_hangul_words():
    assert tokenize("아이폰 13 케이스") == ["아이폰", "13", "케이스"]


def test_title_terms_add_bigrams():
    assert title_terms("Sony TV Mount", max_words=2) == ["sony", "tv", "sony tv"]


def test_category_levels_are_prefixes():
    assert category_levels("Electronics > Audio > Headphones") == [
        "Electronics",
        "Electronics > Audio",
        "Electronics > Audio > Headphones",
    ]


def test_category_levels_of_empty_path():
    assert category_levels("") == []


def test_price_bucket_edges():
    assert price_bucket(math.nan) == 0
    assert price_bucket(0.5) == 1
    assert price_bucket(1.0) == 2
    assert price_bucket(1.99) == 2
    assert price_bucket(2.0) == 3
    assert price_bucket(10_000.0) == PRICE_BUCKET_COUNT - 1


def test_vocabulary_keeps_values_seen_twice():
    features = make_features(
        ["red cable", "red case", "blue lamp"],
        ["Cables", "Cables", "Lamps"],
        ["Acme", "Acme", "Solo"],
        [5.0, 7.0, math.nan],
    )

    vocabulary = FeatureVocabulary.fit(features, np.arange(3), min_count=2)

    assert vocabulary.title_terms == ["red"]
    assert vocabulary.category_levels == ["Cables"]
    assert vocabulary.stores == ["Acme"]


def test_encode_maps_unknown_values_to_zero():
    features = make_features(
        ["red cable", "red case"], ["Cables"] * 2, ["Acme"] * 2, [5.0, 5.0]
    )
    vocabulary = FeatureVocabulary.fit(features, np.arange(2), min_count=2)
    new_item = make_features(["green lamp"], ["Lamps"], ["Other"], [math.nan])

    encoded = vocabulary.encode(new_item)

    assert encoded.title.tolist()[0] == [0] * encoded.title.shape[1]
    assert encoded.category.tolist()[0] == [0] * encoded.category.shape[1]
    assert encoded.store.tolist() == [0]
    assert encoded.price.tolist() == [0]


def test_encode_known_values():
    features = make_features(
        ["red cable", "red case"], ["Cables"] * 2, ["Acme"] * 2, [5.0, 5.0]
    )
    vocabulary = FeatureVocabulary.fit(features, np.arange(2), min_count=2)

    encoded = vocabulary.encode(features)

    assert encoded.title[0, 0] == 1
    assert encoded.category[0, 0] == 1
    assert encoded.store.tolist() == [1, 1]
    assert encoded.price.tolist() == [price_bucket(5.0)] * 2


def test_vocabulary_state_round_trip():
    features = make_features(["a b", "a c"], ["X > Y"] * 2, ["S"] * 2, [1.0, 2.0])
    vocabulary = FeatureVocabulary.fit(features, np.arange(2), min_count=1)

    restored = FeatureVocabulary.from_state(vocabulary.to_state())

    assert restored == vocabulary
