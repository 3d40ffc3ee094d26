import math

import numpy as np
import pytest
import torch

from recommender.ml.data import InteractionLog, ItemFeatures
from recommender.ml.item_knn import (
    ItemKnnConfig,
    count_co_ratings,
    fit_item_knn,
    item_knn_score_function,
)


@pytest.fixture(autouse=True)
def single_thread():
    torch.set_num_threads(1)


def make_log(users: list[int], items: list[int], item_count: int) -> InteractionLog:
    return InteractionLog(
        user_ids=[f"u{index}" for index in range(max(users) + 1)],
        item_ids=[f"i{index}" for index in range(item_count)],
        user=np.asarray(users, dtype=np.int64),
        item=np.asarray(items, dtype=np.int64),
        timestamp_ms=np.arange(len(users), dtype=np.int64),
        rating=np.full(len(users), 5.0, dtype=np.float32),
        items=ItemFeatures.empty(item_count),
    )


def similarity_of(model, row: int, column: int) -> float:
    dense = model.similarity.to_dense()
    return float(dense[row, column])


# Users 0 and 1 rated items 0 and 1; user 2 rated items 0 and 2; user 0
# rated item 0 twice. Item 3 has no rating.
LOG = make_log([0, 0, 0, 1, 1, 2, 2], [0, 1, 0, 0, 1, 0, 2], item_count=4)


def test_co_ratings_count_distinct_users():
    co_ratings = count_co_ratings(LOG)

    pairs = {
        (row, column): count
        for row, column, count in zip(
            co_ratings.rows.tolist(),
            co_ratings.columns.tolist(),
            co_ratings.counts.tolist(),
            strict=True,
        )
    }
    assert pairs == {(0, 1): 2.0, (1, 0): 2.0, (0, 2): 1.0, (2, 0): 1.0}
    assert co_ratings.item_users.tolist() == [3.0, 2.0, 1.0, 0.0]


def test_similarity_is_shrunk_cosine():
    model = fit_item_knn(LOG, ItemKnnConfig(neighbours=10, shrinkage=1.0))

    assert similarity_of(model, 0, 1) == pytest.approx(2 / (math.sqrt(6) + 1))
    assert similarity_of(model, 2, 0) == pytest.approx(1 / (math.sqrt(3) + 1))
    assert similarity_of(model, 0, 0) == 0.0
    assert similarity_of(model, 1, 2) == 0.0


def test_neighbours_keep_most_similar():
    model = fit_item_knn(LOG, ItemKnnConfig(neighbours=1, shrinkage=0.0))

    # Item 0's neighbours are 1 (2/sqrt(6) = 0.816) and 2 (1/sqrt(3) = 0.577).
    assert similarity_of(model, 0, 1) == pytest.approx(2 / math.sqrt(6))
    assert similarity_of(model, 0, 2) == 0.0
    assert similarity_of(model, 2, 0) == pytest.approx(1 / math.sqrt(3))


def test_scores_sum_neighbours_in_history():
    model = fit_item_knn(LOG, ItemKnnConfig(neighbours=10, shrinkage=0.0))
    histories = [[1, 1, 2], [3], []]

    scores = item_knn_score_function(model, histories)(np.arange(3))

    expected_item_0 = 2 / math.sqrt(6) + 1 / math.sqrt(3)
    assert scores.shape == (3, 4)
    assert scores[0, 0].item() == pytest.approx(expected_item_0, rel=1e-6)
    assert scores[0, 3].item() == 0.0
    assert scores[1].tolist() == [0.0, 0.0, 0.0, 0.0]
    assert scores[2].tolist() == [0.0, 0.0, 0.0, 0.0]


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"neighbours": 0}, "ItemKnnConfig.neighbours must be at least 1, got 0."),
        (
            {"shrinkage": -1.0},
            "ItemKnnConfig.shrinkage must be 0 or more, got -1.0.",
        ),
        (
            {"shrinkage": math.nan},
            "ItemKnnConfig.shrinkage must be 0 or more, got nan.",
        ),
    ],
)
def test_config_rejects_invalid_values(options, message):
    with pytest.raises(ValueError) as raised:
        ItemKnnConfig(**options)

    assert str(raised.value) == message
