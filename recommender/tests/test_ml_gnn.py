import inspect

import numpy as np
import pytest
import torch

from recommender.ml.data import InteractionLog, ItemFeatures
from recommender.ml.evaluation_models import EvaluationContext, _fit_gnn
from recommender.ml.gnn import GnnConfig, load_gnn, save_gnn, train_gnn
from recommender.ml.gnn.graph import (
    build_edges,
    check_held_out_edges,
    edge_keys,
    held_out_pairs,
    sample_negatives,
    split_edges,
)
from recommender.ml.splits import Split

SMALL = GnnConfig(
    embedding_dim=16,
    epochs=150,
    learning_rate=0.02,
    validate_every=10,
    patience=100,
    threads=1,
)
COMMUNITY_SIZE = 10
USERS_PER_COMMUNITY = 20
ITEMS_PER_USER = 5


@pytest.fixture(autouse=True)
def one_thread():
    previous = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(previous)


def make_log(
    users: list[int], items: list[int], user_count: int, item_count: int
) -> InteractionLog:
    return InteractionLog(
        user_ids=[f"u{index}" for index in range(user_count)],
        item_ids=[f"i{index}" for index in range(item_count)],
        user=np.asarray(users, dtype=np.int64),
        item=np.asarray(items, dtype=np.int64),
        timestamp_ms=np.arange(len(users), dtype=np.int64),
        rating=np.full(len(users), 5.0, dtype=np.float32),
        items=ItemFeatures.empty(item_count),
    )


def random_log(seed: int, user_count: int = 12, item_count: int = 15) -> InteractionLog:
    rng = np.random.default_rng(seed)
    users = rng.integers(user_count, size=60).tolist()
    items = rng.integers(item_count, size=60).tolist()
    # Every user gets at least one event.
    users += list(range(user_count))
    items += rng.integers(item_count, size=user_count).tolist()
    return make_log(users, items, user_count, item_count)


def community_logs() -> tuple[InteractionLog, InteractionLog, np.ndarray]:
    """Build two communities: users of each rate only that community's items.

    Returns the training log, a validation log of one new in-community item
    per user, and each user's held-out test item (also in-community, new).
    """
    rng = np.random.default_rng(7)
    user_count = 2 * USERS_PER_COMMUNITY
    item_count = 2 * COMMUNITY_SIZE
    train_users, train_items = [], []
    valid_users, valid_items = [], []
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


def histories_of(log: InteractionLog) -> list[list[int]]:
    histories: list[list[int]] = [[] for _ in log.user_ids]
    for user, item in zip(log.user.tolist(), log.item.tolist(), strict=True):
        histories[user].append(item)
    return histories


@pytest.fixture(scope="module")
def community_model():
    torch.set_num_threads(1)
    train, valid, held_out = community_logs()
    result = train_gnn(train, SMALL, valid)
    return result, train, held_out


def test_split_edges_disjoint_and_complete():
    edges = build_edges(random_log(0))
    generator = torch.Generator().manual_seed(0)
    split = split_edges(edges, 0.3, generator)
    message = set(map(tuple, split.message.T.tolist()))
    supervision = set(map(tuple, split.supervision.T.tolist()))
    assert message.isdisjoint(supervision)
    assert message | supervision == set(map(tuple, edges.T.tolist()))
    assert len(supervision) == round(edges.shape[1] * 0.3)


def test_training_steps_keep_message_and_supervision_apart():
    train = random_log(1)
    steps = []

    def record(split, negatives):
        steps.append((split.message.clone(), split.supervision.clone()))

    config = GnnConfig(embedding_dim=8, epochs=5, threads=1)
    train_gnn(train, config, on_step=record)
    assert len(steps) == 5
    for message, supervision in steps:
        shared = torch.isin(edge_keys(message, 15), edge_keys(supervision, 15))
        assert not bool(shared.any())


def test_split_edges_rejects_duplicate_edges():
    edges = torch.tensor([[0, 0, 1, 1], [2, 2, 3, 3]])
    generator = torch.Generator().manual_seed(0)
    with pytest.raises(RuntimeError, match="overlap"):
        # Four seeds cover both placements of a duplicate pair.
        for seed in range(4):
            generator.manual_seed(seed)
            split_edges(edges, 0.5, generator)


def test_training_graph_excludes_validation_edges():
    train = make_log([0, 0, 1, 1, 2], [0, 1, 1, 2, 3], 3, 6)
    valid = make_log([0, 1, 2, 2], [4, 5, 5, 3], 3, 6)
    seen = []

    def record(split, negatives):
        seen.append(torch.cat([split.message, split.supervision], dim=1))

    result = train_gnn(
        train, GnnConfig(embedding_dim=8, epochs=3, threads=1), valid, on_step=record
    )
    new_in_valid = {(0, 4), (1, 5), (2, 5)}
    graph = set(map(tuple, result.model.graph_edges.T.tolist()))
    assert graph == {(0, 0), (0, 1), (1, 1), (1, 2), (2, 3)}
    assert graph.isdisjoint(new_in_valid)
    for edges in seen:
        assert set(map(tuple, edges.T.tolist())).isdisjoint(new_in_valid)


def test_held_out_check_raises_on_leaked_edge():
    train = make_log([0, 1], [0, 1], 2, 3)
    valid = make_log([0, 1], [2, 1], 2, 3)
    leaked_graph = torch.tensor([[0, 1, 0], [0, 1, 2]])
    with pytest.raises(RuntimeError, match="user 0, item 2"):
        check_held_out_edges(leaked_graph, held_out_pairs(train, valid), 3)


def test_held_out_pairs_keep_repeat_events_out():
    train = make_log([0, 1], [0, 1], 2, 3)
    valid = make_log([0, 1], [2, 1], 2, 3)
    pairs = held_out_pairs(train, valid)
    assert pairs.user.tolist() == [0]
    assert pairs.item.tolist() == [2]


def test_negatives_are_never_known_positives():
    # User 0 has 9 of 10 items as positives, so only item 9 is negative.
    edges = torch.tensor([[0] * 9 + [1, 1], [*range(9), 0, 5]])
    keys = torch.sort(edge_keys(edges, 10)).values
    generator = torch.Generator().manual_seed(0)
    users = torch.tensor([0] * 50 + [1] * 50)
    negatives = sample_negatives(users, keys, 10, generator)
    assert set(negatives[:50].tolist()) == {9}
    assert not bool(torch.isin(negatives[50:], torch.tensor([0, 5])).any())


def test_training_negatives_avoid_message_and_supervision_edges():
    train = random_log(2)
    positives = set(map(tuple, build_edges(train).T.tolist()))
    collisions = []

    def record(split, negatives):
        users = split.supervision[0].repeat_interleave(negatives.shape[1])
        for pair in zip(users.tolist(), negatives.reshape(-1).tolist(), strict=True):
            if pair in positives:
                collisions.append(pair)

    train_gnn(
        train,
        GnnConfig(embedding_dim=8, epochs=5, negatives_per_positive=3, threads=1),
        on_step=record,
    )
    assert collisions == []


def test_negative_sampling_raises_without_negatives():
    edges = torch.tensor([[0, 0, 0], [0, 1, 2]])
    keys = torch.sort(edge_keys(edges, 3)).values
    generator = torch.Generator().manual_seed(0)
    with pytest.raises(ValueError, match="user 0"):
        sample_negatives(torch.tensor([0]), keys, 3, generator)


def test_model_selection_uses_validation_only(community_model):
    result, _, _ = community_model
    scores = [metrics["ndcg@20"] for metrics in result.valid_metrics]
    best = result.valid_epochs[int(np.argmax(scores))]
    assert result.best_epoch == best
    assert result.valid_metrics[0]["users"] == 2 * USERS_PER_COMMUNITY
    assert "test" not in inspect.signature(train_gnn).parameters


def test_model_ranks_held_out_in_community(community_model):
    result, train, held_out = community_model
    histories = histories_of(train)
    wins = 0
    for user, history in enumerate(histories):
        community = user // USERS_PER_COMMUNITY
        other = np.arange(COMMUNITY_SIZE) + (1 - community) * COMMUNITY_SIZE
        candidates = np.concatenate([[held_out[user]], other])
        scores = result.model.score([history], candidates)[0]
        wins += int(scores[0] > scores[1:].max())
    assert wins >= 0.9 * len(histories)


def test_new_user_scored_toward_community(community_model):
    result, _, _ = community_model
    model = result.model
    first = np.arange(COMMUNITY_SIZE)
    second = np.arange(COMMUNITY_SIZE, 2 * COMMUNITY_SIZE)
    scores = model.score([[0, 1], [10, 11]], np.concatenate([first, second]))
    assert scores[0, 2:COMMUNITY_SIZE].mean() > scores[0, COMMUNITY_SIZE:].mean()
    assert scores[1, COMMUNITY_SIZE + 2 :].mean() > scores[1, :COMMUNITY_SIZE].mean()
    assert scores[0, 2:COMMUNITY_SIZE].min() > scores[0, COMMUNITY_SIZE:].max()


def test_score_accepts_per_user_candidates(community_model):
    model = community_model[0].model
    shared = model.score([[0, 1], [10]], np.array([3, 12]))
    per_user = model.score([[0, 1], [10]], np.array([[3, 12], [3, 12]]))
    assert per_user.shape == (2, 2)
    np.testing.assert_allclose(per_user, shared, rtol=1e-5, atol=1e-6)


def test_save_load_round_trip(community_model, tmp_path):
    model = community_model[0].model
    path = tmp_path / "gnn.pt"
    save_gnn(model, path)
    loaded = load_gnn(path)
    histories = [[0, 1, 2], [15], []]
    candidates = np.arange(2 * COMMUNITY_SIZE)
    expected = model.score(histories, candidates)
    np.testing.assert_array_equal(loaded.score(histories, candidates), expected)
    assert loaded.item_ids == model.item_ids


def test_score_without_users_is_empty(community_model):
    model = community_model[0].model
    scores = model.score([], np.array([1, 2]))
    assert scores.shape == (0, 2)


def test_load_rejects_other_files(tmp_path):
    path = tmp_path / "other.pt"
    torch.save({"format": "two-tower", "version": 1}, path)
    with pytest.raises(ValueError, match="not a GNN artifact"):
        load_gnn(path)
    with pytest.raises(FileNotFoundError, match=r"missing\.pt"):
        load_gnn(tmp_path / "missing.pt")


def test_empty_log_raises():
    empty = make_log([], [], 2, 3)
    with pytest.raises(ValueError, match="no events"):
        train_gnn(empty, GnnConfig(threads=1))


def test_unknown_item_index_raises(community_model):
    model = community_model[0].model
    with pytest.raises(ValueError, match="Unknown item index 20"):
        model.score([[0, 20]], np.array([1, 2]))
    with pytest.raises(ValueError, match="Unknown item index -1"):
        model.score([[0]], np.array([1, -1]))


def test_candidate_rows_must_match_users(community_model):
    model = community_model[0].model
    with pytest.raises(ValueError, match="3 rows for 2 users"):
        model.score([[0], [1]], np.zeros((3, 2), dtype=np.int64))


def test_config_rejects_bad_values():
    with pytest.raises(ValueError, match="supervision_share"):
        GnnConfig(supervision_share=1.0)
    with pytest.raises(ValueError, match="layers"):
        GnnConfig(layers=3)


def test_evaluation_refit_graph_leaves_out_test_pairs():
    train = make_log([0, 0, 1, 1, 2, 2], [0, 1, 1, 2, 2, 3], 3, 6)
    valid = make_log([0, 1, 2], [2, 3, 4], 3, 6)
    # User 0's test item 1 repeats a training pair; the other two are new.
    test = make_log([0, 1, 2], [1, 5, 5], 3, 6)
    split = Split(
        name="time", train=train, valid=valid, test=test, time_respecting=True
    )
    context = EvaluationContext.build(split, head_share=0.8)
    config = GnnConfig(embedding_dim=4, epochs=4, validate_every=2, threads=1)

    fitted = _fit_gnn(context, config, retrain=True)

    selected = set(map(tuple, fitted.selected.graph_edges.T.tolist()))
    final = set(map(tuple, fitted.final.graph_edges.T.tolist()))
    assert selected == {(0, 0), (0, 1), (1, 1), (1, 2), (2, 2), (2, 3)}
    assert final == selected | {(0, 2), (1, 3), (2, 4)}
    assert final.isdisjoint({(1, 5), (2, 5)})
    assert fitted.summary["best_step"] in (2, 4)
