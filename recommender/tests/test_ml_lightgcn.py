import math

import numpy as np
import pytest
import torch

from recommender.ml.data import InteractionLog, ItemFeatures
from recommender.ml.gnn.graph import build_edges
from recommender.ml.lightgcn import (
    LightGcnConfig,
    build_graph,
    lightgcn_score_function,
    train_lightgcn,
)

COMMUNITY_SIZE = 8
USERS_PER_COMMUNITY = 12
ITEMS_PER_USER = 5
SMALL = LightGcnConfig(
    embedding_dim=8,
    learning_rate=0.05,
    regularization=1e-4,
    batch_size=64,
    epochs=30,
    patience=30,
    threads=1,
)


@pytest.fixture(autouse=True)
def single_thread():
    torch.set_num_threads(1)


def make_log(users, items, user_count, item_count):
    return InteractionLog(
        user_ids=[f"u{index}" for index in range(user_count)],
        item_ids=[f"i{index}" for index in range(item_count)],
        user=np.asarray(users, dtype=np.int64),
        item=np.asarray(items, dtype=np.int64),
        timestamp_ms=np.arange(len(users), dtype=np.int64),
        rating=np.full(len(users), 5.0, dtype=np.float32),
        items=ItemFeatures.empty(item_count),
    )


def community_logs():
    """Build two communities whose users rate only their community's items.

    Returns the training log, a validation log with one new in-community
    item per user, and each user's in-community item held out of both.
    """
    rng = np.random.default_rng(3)
    user_count = 2 * USERS_PER_COMMUNITY
    item_count = 2 * COMMUNITY_SIZE
    train_users, train_items, valid_users, valid_items = [], [], [], []
    held_out = np.zeros(user_count, dtype=np.int64)
    for user in range(user_count):
        community = user // USERS_PER_COMMUNITY
        chosen = community * COMMUNITY_SIZE + rng.permutation(COMMUNITY_SIZE)
        train_users += [user] * ITEMS_PER_USER
        train_items += chosen[:ITEMS_PER_USER].tolist()
        valid_users.append(user)
        valid_items.append(int(chosen[ITEMS_PER_USER]))
        held_out[user] = chosen[ITEMS_PER_USER + 1]
    train = make_log(train_users, train_items, user_count, item_count)
    valid = make_log(valid_users, valid_items, user_count, item_count)
    return train, valid, held_out


@pytest.fixture(scope="module")
def trained():
    torch.set_num_threads(1)
    train, valid, held_out = community_logs()
    return train_lightgcn(train, SMALL, valid), train, held_out


def test_lightgcn_ranks_own_community_first(trained):
    result, train, held_out = trained
    users = np.arange(len(train.user_ids))

    scores = lightgcn_score_function(result.model, users)(np.arange(len(users)))

    wins = 0
    for user in users:
        community = user // USERS_PER_COMMUNITY
        other = np.arange(COMMUNITY_SIZE) + (1 - community) * COMMUNITY_SIZE
        wins += int(scores[user, held_out[user]] > scores[user, other].max())
    assert wins >= 0.9 * len(users)


def test_lightgcn_selects_best_valid_epoch(trained):
    result, _, _ = trained
    ndcg = [metrics["ndcg@20"] for metrics in result.valid_metrics]

    assert result.best_epoch == int(np.argmax(ndcg)) + 1
    assert len(result.valid_metrics) == SMALL.epochs
    assert result.valid_metrics[0]["users"] == 2 * USERS_PER_COMMUNITY


def test_lightgcn_graph_holds_only_train_pairs(trained):
    result, train, _ = trained
    user_count = len(train.user_ids)
    graph = result.model.graph

    forward = graph[:, graph[0] < user_count]
    backward = graph[:, graph[0] >= user_count]
    pairs = {(int(u), int(i) - user_count) for u, i in forward.T.tolist()}
    train_pairs = set(zip(train.user.tolist(), train.item.tolist(), strict=True))
    assert pairs == train_pairs
    assert forward.shape[1] == len(train_pairs)
    assert torch.equal(backward.flip(0), forward)


def test_build_graph_offsets_items():
    edges = torch.tensor([[0, 1], [2, 0]])

    graph = build_graph(edges, user_count=2)

    assert graph.tolist() == [[0, 1, 4, 2], [4, 2, 0, 1]]


def test_lightgcn_without_valid_keeps_last_epoch():
    train, _, _ = community_logs()

    result = train_lightgcn(train, LightGcnConfig(embedding_dim=4, epochs=3))

    assert result.best_epoch == 3
    assert result.valid_metrics == []
    assert len(result.losses) == 3


def test_lightgcn_is_seeded():
    train, _, _ = community_logs()
    config = LightGcnConfig(embedding_dim=4, epochs=2, seed=5)

    first = train_lightgcn(train, config).model.network.embedding.weight
    second = train_lightgcn(train, config).model.network.embedding.weight

    assert torch.equal(first, second)


def test_lightgcn_graph_is_built_from_distinct_pairs():
    train = make_log([0, 0, 1], [1, 1, 0], user_count=2, item_count=2)

    result = train_lightgcn(train, LightGcnConfig(embedding_dim=4, epochs=1))

    assert result.model.graph.shape == (2, 4)
    assert build_edges(train).shape == (2, 2)


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (
            {"embedding_dim": 0},
            "LightGcnConfig.embedding_dim must be positive, got 0.",
        ),
        ({"layers": 0}, "LightGcnConfig.layers must be positive, got 0."),
        ({"epochs": -1}, "LightGcnConfig.epochs must be 0 or more, got -1."),
        (
            {"regularization": math.nan},
            "LightGcnConfig.regularization must be 0 or more, got nan.",
        ),
        ({"patience": 0}, "LightGcnConfig.patience must be positive, got 0."),
    ],
)
def test_config_rejects_invalid_values(options, message):
    with pytest.raises(ValueError) as raised:
        LightGcnConfig(**options)

    assert str(raised.value) == message
