from pathlib import Path

import numpy as np
import pytest
import torch
from django.conf import settings

from recommender.ml.benchmark_files import read_benchmark_directory
from recommender.ml.data import InteractionLog, ItemFeatures
from recommender.ml.metrics import head_item_mask
from recommender.ml.popularity import interaction_counts, rank_scores, recent_counts
from recommender.ml.ranking import build_evaluation_users, rank_top_k, ranking_metrics
from recommender.ml.splits import concatenate, time_split

KCORE5 = Path(str(settings.MARKETPLACE_DATA_DIR)) / "amazon2023/electronics/kcore5"
DAY_MS = 86_400_000


@pytest.fixture(autouse=True)
def single_thread():
    torch.set_num_threads(1)


def make_log(users, items, timestamps, item_count):
    return InteractionLog(
        user_ids=[f"u{index}" for index in range(max(users) + 1)],
        item_ids=[f"i{index}" for index in range(item_count)],
        user=np.asarray(users, dtype=np.int64),
        item=np.asarray(items, dtype=np.int64),
        timestamp_ms=np.asarray(timestamps, dtype=np.int64),
        rating=np.full(len(users), 5.0, dtype=np.float32),
        items=ItemFeatures.empty(item_count),
    )


def test_evaluation_users_collect_history_and_targets():
    history = make_log([0, 1, 0, 0], [3, 2, 1, 3], [30, 5, 10, 40], item_count=5)
    target = make_log([0, 0, 2], [4, 4, 0], [50, 51, 52], item_count=5)

    users = build_evaluation_users(history, target)

    assert users.users.tolist() == [0, 2]
    assert users.histories == [[1, 3, 3], []]
    assert users.relevant_indptr.tolist() == [0, 1, 2]
    assert users.relevant_indices.tolist() == [4, 0]
    assert users.excluded_indptr.tolist() == [0, 2, 2]
    assert users.excluded_indices.tolist() == [1, 3]


def test_rank_top_k_leaves_out_history():
    history = make_log([0, 0], [0, 2], [1, 2], item_count=5)
    target = make_log([0], [4], [3], item_count=5)
    users = build_evaluation_users(history, target)
    scores = torch.tensor([5.0, 4.0, 3.0, 2.0, 1.0])

    top = rank_top_k(lambda rows: scores.expand(len(rows), -1), users, 3)

    assert top.tolist() == [[1, 3, 4]]


def test_rank_scores_break_ties_by_index():
    scores = rank_scores(np.array([2, 5, 2, 0]))

    assert np.argsort(-scores).tolist() == [1, 0, 2, 3]


def test_rank_scores_break_ties_by_second_key():
    scores = rank_scores(np.array([2, 5, 2, 0]), np.array([1, 0, 9, 0]))

    assert np.argsort(-scores).tolist() == [1, 2, 0, 3]


def test_recent_counts_use_window_before_last_event():
    log = make_log([0, 0, 0], [0, 1, 1], [0, 20 * DAY_MS, 40 * DAY_MS], item_count=2)

    assert recent_counts(log, 30).tolist() == [0, 2]


@pytest.mark.slow
def test_all_time_popularity_on_time_split():
    split = time_split(read_benchmark_directory(KCORE5))
    known = concatenate(split.train, split.valid)
    users = build_evaluation_users(known, split.test)
    counts = interaction_counts(known)
    scores = torch.from_numpy(rank_scores(counts))

    top = rank_top_k(lambda rows: scores.expand(len(rows), -1), users, 50)
    metrics = ranking_metrics(
        top, users, interaction_counts=counts, is_tail=~head_item_mask(counts, 0.8)
    )

    assert len(users) == 5_882
    assert metrics["recall@20"] == pytest.approx(0.0235, abs=5e-5)
    assert metrics["ndcg@20"] == pytest.approx(0.0104, abs=5e-5)
