import numpy as np
import pytest
import torch

from recommender.ml.blend import (
    FEATURES,
    blend_model_score_function,
    blend_score_function,
    build_candidate_features,
    choose_blend_weights,
    fit_blend_model,
)
from recommender.ml.data import InteractionLog, ItemFeatures
from recommender.ml.gnn import GnnConfig, train_gnn
from recommender.ml.ranking import build_evaluation_users

DAY_MS = 86_400_000
ITEMS = 12
RECENT = FEATURES.index("recent_popularity")
AGE = FEATURES.index("item_age")
DECAYED = FEATURES.index("popularity_7d")
AFFINITY = FEATURES.index("category_affinity")


@pytest.fixture(autouse=True)
def single_thread():
    torch.set_num_threads(1)


def make_log(users, items, days, user_count, item_count=ITEMS, categories=None):
    items_features = ItemFeatures.empty(item_count)
    if categories is not None:
        items_features.categories = list(categories)
    return InteractionLog(
        user_ids=[f"u{index}" for index in range(user_count)],
        item_ids=[f"i{index}" for index in range(item_count)],
        user=np.asarray(users, dtype=np.int64),
        item=np.asarray(items, dtype=np.int64),
        timestamp_ms=np.asarray(days, dtype=np.int64) * DAY_MS,
        rating=np.full(len(users), 5.0, dtype=np.float32),
        items=items_features,
    )


def history_and_target():
    """Build 6 users who each rated items 0-5 long ago (days 1-6).

    Users 0-2 rated item 6 and users 3-5 item 7 on days 50-55, so these
    are the recently popular items. Each user's test item, on day 60, is
    the one of the two that the user has not rated. User 6 rated items
    8-10 on days 2-4, so they share no rater with items 0-7. Item 11 has
    no event at all.
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
    users += [6, 6, 6]
    items += [8, 9, 10]
    days += [2, 3, 4]
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
        reverse_index_score,
        gnn,
        history,
        users,
        recent_days=30,
        candidate_count=8,
        popular_count=0,
        neighbour_count=0,
    )
    return features, users, gnn


def test_candidates_leave_out_history(features_and_users):
    features, users, _ = features_and_users

    # Each user has 7 of the 12 items in their history and item 11 has no
    # event, so only the first 4 of the 8 candidate slots are valid.
    assert features.candidates.shape == (6, 8)
    for row, history in enumerate(users.histories):
        valid = features.candidates[row, :4].tolist()
        assert set(valid).isdisjoint(history)
        assert valid == [10, 9, 8, 6 + (row < 3)]
    assert features.features.shape == (len(FEATURES), 6, 8)
    assert features.valid[:, :4].all()
    assert not features.valid[:, 4:].any()


def test_recent_popularity_marks_recent_item(features_and_users):
    features, _, _ = features_and_users

    recent = features.features[RECENT]
    assert bool((recent[:, 3] > recent[:, :3].max(dim=1).values).all())


def test_items_without_events_are_no_candidates(features_and_users):
    features, _, _ = features_and_users

    # The k-core filter guarantees that an item without events will be
    # rated later, so offering it would use knowledge of the future.
    for row in range(6):
        offered = features.candidates[row][features.valid[row]].tolist()
        assert 11 not in offered


def test_weights_chosen_on_validation_favour_recent_items(features_and_users):
    features, users, _ = features_and_users

    weights, ndcg = choose_blend_weights(features, users)

    assert weights["two_tower"] == 1.0
    assert weights["recent_popularity"] > 0.0
    assert ndcg == pytest.approx(1.0)


def test_blend_scores_only_candidates(features_and_users):
    features, users, _ = features_and_users
    weights = {name: 0.0 for name in FEATURES}
    weights["two_tower"] = 1.0

    scores = blend_score_function(features, weights, ITEMS)(np.arange(len(users)))

    assert scores.shape == (6, ITEMS)
    assert torch.isinf(scores[:, :6]).all()
    assert torch.isfinite(scores[:, 8:11]).all()
    assert torch.isinf(scores[:, 11]).all()
    assert torch.argsort(scores[0], descending=True)[:4].tolist() == [10, 9, 8, 7]


def test_recency_weighted_popularity_marks_recent_item(features_and_users):
    features, _, _ = features_and_users

    decayed = features.features[DECAYED]
    assert bool((decayed[:, 3] > decayed[:, :3].max(dim=1).values).all())


def test_popular_candidates_join_retrieval(features_and_users):
    _, users, gnn = features_and_users
    history, _ = history_and_target()

    features = build_candidate_features(
        reverse_index_score,
        gnn,
        history,
        users,
        recent_days=30,
        candidate_count=2,
        popular_count=1,
        neighbour_count=0,
    )

    # The retrieval model ranks item 7 below items 8-11, so only the
    # popular source brings it in. Users 0-2 have item 6 in their history,
    # so their most popular unrated item is 7, and for users 3-5 it is 6.
    assert features.candidates.shape == (6, 3)
    assert features.valid.all()
    for row in range(6):
        popular = 7 if row < 3 else 6
        assert features.candidates[row].tolist() == [10, 9, popular]


def test_neighbour_candidates_join_retrieval(features_and_users):
    _, users, gnn = features_and_users
    history, _ = history_and_target()

    features = build_candidate_features(
        reverse_index_score,
        gnn,
        history,
        users,
        recent_days=30,
        candidate_count=1,
        popular_count=0,
        neighbour_count=3,
    )

    # Items 8-10 share no rater with the history, so item-kNN proposes only
    # the one unrated item that does.
    assert features.candidates.shape == (6, 4)
    for row in range(6):
        neighbour = 7 if row < 3 else 6
        assert features.candidates[row, :2].tolist() == [10, neighbour]
        assert features.valid[row].tolist() == [True, True, False, False]


def test_category_affinity_follows_history(features_and_users):
    _, users, gnn = features_and_users
    history, _ = history_and_target()
    # Items 0-5 and 9 are cables, 6, 7 and 10 are cases, 8 is a lens.
    categories = ["Cables"] * 6 + ["Cases", "Cases", "Lenses", "Cables"]
    categories += ["Cases", ""]
    history = make_log(
        history.user, history.item, history.timestamp_ms // DAY_MS, 8, ITEMS, categories
    )

    features = build_candidate_features(
        reverse_index_score,
        gnn,
        history,
        users,
        recent_days=30,
        candidate_count=5,
        popular_count=0,
        neighbour_count=0,
    )

    affinity = features.features[AFFINITY]
    # Candidates 10, 9, 8 and the unrated one of items 6 and 7. Six of
    # each user's seven history items are cables and one is a case.
    assert features.candidates[0, :4].tolist() == [10, 9, 8, 7]
    assert bool((affinity[:, 1] > affinity[:, 0]).all())
    assert bool((affinity[:, 0] > affinity[:, 2]).all())
    assert bool(affinity[:, 0].eq(affinity[:, 3]).all())


@pytest.mark.parametrize(
    "option",
    ["candidate_count", "popular_count", "neighbour_count"],
)
def test_candidate_counts_reject_bad_values(features_and_users, option):
    _, users, gnn = features_and_users
    history, _ = history_and_target()
    bad = 0 if option == "candidate_count" else -1

    with pytest.raises(ValueError, match=f"{option} must be .*got {bad}"):
        build_candidate_features(
            reverse_index_score, gnn, history, users, 30, **{option: bad}
        )


def test_blend_model_ranks_recent_items_first(features_and_users):
    features, users, _ = features_and_users

    model = fit_blend_model(features, users, hidden=4, seed=3)
    scores = blend_model_score_function(features, model, ITEMS)(np.arange(len(users)))

    assert model.valid_ndcg == pytest.approx(1.0)
    assert scores.shape == (6, ITEMS)
    assert torch.isinf(scores[:, :6]).all()
    for row in range(6):
        assert int(torch.argmax(scores[row])) == (7 if row < 3 else 6)


def test_blend_model_repeats_with_its_seed(features_and_users):
    features, users, _ = features_and_users

    first = fit_blend_model(features, users, hidden=4, seed=5).score(features)
    second = fit_blend_model(features, users, hidden=4, seed=5).score(features)

    assert torch.equal(first, second)


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"hidden": 0}, "hidden must be at least 1, got 0"),
        ({"weight_decay": -0.5}, "weight_decay must be 0 or more, got -0.5"),
    ],
)
def test_blend_model_rejects_bad_settings(features_and_users, options, message):
    features, users, _ = features_and_users

    with pytest.raises(ValueError, match=message):
        fit_blend_model(features, users, **options)
