import math

import numpy as np
import pytest
import torch

from recommender.ml.metrics import (
    average_popularity,
    head_item_mask,
    hit_matrix,
    item_coverage,
    mrr_at_k,
    ndcg_at_k,
    recall_at_k,
    tail_share,
)


@pytest.fixture(autouse=True)
def single_thread():
    torch.set_num_threads(1)


@pytest.fixture
def hits():
    # User 0 hits at ranks 1 and 3, user 1 never, user 2 at rank 2.
    return torch.tensor(
        [
            [True, False, True, False],
            [False, False, False, False],
            [False, True, False, False],
        ]
    )


@pytest.fixture
def relevant_counts():
    return torch.tensor([2, 1, 3])


def test_recall_at_k_hand_computed(hits, relevant_counts):
    recall = recall_at_k(hits, relevant_counts, 2).tolist()

    assert recall[0] == pytest.approx(0.5)
    assert recall[1] == pytest.approx(0.0)
    assert recall[2] == pytest.approx(1 / 3)


def test_recall_at_k_counts_all_hits_within_k(hits, relevant_counts):
    recall = recall_at_k(hits, relevant_counts, 4).tolist()

    assert recall[0] == pytest.approx(1.0)
    assert recall[2] == pytest.approx(1 / 3)


def test_ndcg_at_k_hand_computed(hits, relevant_counts):
    ndcg = ndcg_at_k(hits, relevant_counts, 4).tolist()

    ideal_two = 1.0 + 1.0 / math.log2(3)
    ideal_three = ideal_two + 1.0 / math.log2(4)
    assert ndcg[0] == pytest.approx((1.0 + 1.0 / math.log2(4)) / ideal_two)
    assert ndcg[1] == pytest.approx(0.0)
    assert ndcg[2] == pytest.approx((1.0 / math.log2(3)) / ideal_three)


def test_ndcg_ideal_is_capped_at_k():
    hits = torch.tensor([[True, True, False]])

    ndcg = ndcg_at_k(hits, torch.tensor([5]), 2).tolist()

    assert ndcg[0] == pytest.approx(1.0)


def test_ndcg_without_relevant_items_is_zero():
    ndcg = ndcg_at_k(torch.tensor([[False, False]]), torch.tensor([0]), 2)

    assert ndcg.tolist() == [0.0]


def test_mrr_at_k_hand_computed(hits):
    mrr = mrr_at_k(hits, 4).tolist()

    assert mrr == [1.0, 0.0, 0.5]


def test_mrr_ignores_hits_past_k(hits):
    mrr = mrr_at_k(hits, 1).tolist()

    assert mrr == [1.0, 0.0, 0.0]


def test_hit_matrix_marks_relevant_items():
    top_items = torch.tensor([[3, 1, 0], [2, 4, 1]])
    indptr = np.array([0, 2, 3])
    indices = np.array([0, 3, 4])

    hits = hit_matrix(top_items, indptr, indices, item_count=5)

    assert hits.tolist() == [[True, False, True], [False, True, False]]


def test_item_coverage_counts_distinct_items():
    top_items = torch.tensor([[0, 1, 5], [1, 2, 6]])

    assert item_coverage(top_items, 2, item_count=10) == pytest.approx(0.3)


def test_tail_share_counts_slots():
    top_items = torch.tensor([[0, 1], [0, 3]])
    is_tail = np.array([False, False, True, True])

    assert tail_share(top_items, 2, is_tail) == pytest.approx(0.25)


def test_average_popularity_over_slots():
    top_items = torch.tensor([[0, 1], [0, 2]])
    counts = np.array([10, 4, 2])

    assert average_popularity(top_items, 2, counts) == pytest.approx(6.5)


def test_head_items_reach_head_share():
    counts = np.array([3, 10, 1, 5, 1])

    is_head = head_item_mask(counts, 0.8)

    # 10 + 5 = 15 of 20 events is under 80%; adding 3 reaches 18.
    assert is_head.tolist() == [True, True, False, True, False]


def test_head_items_reject_invalid_share():
    with pytest.raises(ValueError, match="head_share"):
        head_item_mask(np.array([1, 2]), 1.5)


def test_ndcg_with_fewer_items_than_k():
    hits = torch.tensor([[False, True]])

    ndcg = ndcg_at_k(hits, torch.tensor([1]), 20).tolist()

    assert ndcg[0] == pytest.approx(1.0 / math.log2(3))
