import numpy as np
import pytest
import torch

from recommender.ml.blend import (
    FEATURES,
    blend_score_function,
    build_candidate_features,
    choose_blend_weights,
)
from recommender.ml.data import InteractionLog, ItemFeatures
from recommender.ml.gnn import GnnConfig, train_gnn
from recommender.ml.ranking import build_evaluation_users

DAY_MS = 86_400_000
ITEMS = 12
RECENT = FEATURES.index("recent_popularity")
AGE = FEATURES.index("item_age")


@pytest.fixture(autouse=True)
def single_thread():
    torch.set_num_threads(1)


def make_log(users, items, days, user_count, item_count=ITEMS):
    return InteractionLog(
        user_ids=[f"u{index}" for index in range(user_count)],
        item_ids=[f"i{index}" for index in range(item_count)],
        user=np.asarray(users, dtype=np.int64),
        item=np.asarray(items, dtype=np.int64),
        timestamp_ms=np.asarray(days, dtype=np.int64) * DAY_MS,
        rating=np.full(len(users), 5.0, dtype=np.float32),
        items=ItemFeatures.empty(item_count),
    )


def history_and_target():
    """Build 6 users who each rated items 0-5 long ago (days 1-6).

    Users 0-2 rated item 6 and users 3-5 item 7 on days 50-55, so these
    are the recently popular items. Each user's test item, on day 60, is
    the one of the two that the user has not rated.
    Items 8-11 have no event at all.
    """
    users, items, days = [], [], []
    for user in range(6):
        for item in range(6):
            users.append(user)
            items.append((item + user) % 6)
            days.append(1 + item)
    for user in range(6):
        users += [user]
        items += [6 if user < 3 else 7]
        days += [50 + user]
    history = make_log(users, items, days, user_count=8)
    target = make_log(
        list(range(6)), [7 if user < 3 else 6 for user in range(6)], [60] * 6, 8
    )
    return history, target


def reverse_index_score(positions):
    """Rank higher item indices first, as a retrieval model that is wrong."""
    return torch.arange(ITEMS, dtype=torch.float32).expand(len(positions), -1)


@pytest.fixture(scope="module")
def features_and_users():
    torch.set_num_threads(1)
    history, target = history_and_target()
    users = build_evaluation_users(history, target)
    gnn = train_gnn(history, GnnConfig(embedding_dim=4, epochs=2, threads=1)).model
    features = build_candidate_features(
        reverse_index_score, gnn, history, users, recent_days=30, candidate_count=8
    )
    return features, users


def test_candidates_leave_out_history(features_and_users):
    features, users = features_and_users

    # Each user has 7 of the 12 items in their history, so only the first
    # 5 of the 8 candidate slots are valid.
    assert features.candidates.shape == (6, 8)
    for row, history in enumerate(users.histories):
        valid = features.candidates[row, :5].tolist()
        assert set(valid).isdisjoint(history)
        assert valid == [11, 10, 9, 8, 6 + (row < 3)]
    assert features.features.shape == (len(FEATURES), 6, 8)
    assert features.valid[:, :5].all()
    assert not features.valid[:, 5:].any()


def test_recent_popularity_marks_recent_item(features_and_users):
    features, _ = features_and_users

    recent = features.features[RECENT]
    assert bool((recent[:, 4] > recent[:, :4].max(dim=1).values).all())


def test_unseen_items_get_neutral_age(features_and_users):
    features, _ = features_and_users

    # Items 8-11 have no event before the moment, so their age feature is
    # the neutral 0 rather than the age of a brand-new item.
    assert features.features[AGE][:, :4].eq(0.0).all()


def test_weights_chosen_on_validation_favour_recent_items(features_and_users):
    features, users = features_and_users

    weights, ndcg = choose_blend_weights(features, users)

    assert weights["two_tower"] == 1.0
    assert weights["recent_popularity"] > 0.0
    assert ndcg == pytest.approx(1.0)


def test_blend_scores_only_candidates(features_and_users):
    features, users = features_and_users
    weights = {name: 0.0 for name in FEATURES}
    weights["two_tower"] = 1.0

    scores = blend_score_function(features, weights, ITEMS)(np.arange(len(users)))

    assert scores.shape == (6, ITEMS)
    assert torch.isinf(scores[:, :6]).all()
    assert torch.isfinite(scores[:, 8:]).all()
    assert torch.argsort(scores[0], descending=True)[:5].tolist() == [11, 10, 9, 8, 7]
