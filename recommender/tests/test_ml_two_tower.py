import math
from dataclasses import replace

import numpy as np
import pytest
import torch

from recommender.ml.data import InteractionLog, ItemFeatures
from recommender.ml.two_tower import (
    TwoTowerConfig,
    load_two_tower,
    save_two_tower,
    train_two_tower,
)
from recommender.ml.two_tower.training import (
    build_training_examples,
    in_batch_loss,
    log_q_correction,
)

SMALL = TwoTowerConfig(
    embedding_dim=16,
    feature_dim=8,
    hidden_dim=32,
    history_length=4,
    batch_size=64,
    epochs=12,
    learning_rate=0.01,
    id_dropout=0.0,
    recency_half_life_days=None,
    min_feature_count=1,
    threads=1,
)


@pytest.fixture(autouse=True)
def single_thread():
    torch.set_num_threads(1)


def clustered_log(users_per_cluster=20, items_per_cluster=8, events_per_user=6, seed=0):
    """Two item clusters; every user rates items of one cluster only."""
    generator = np.random.default_rng(seed)
    item_count = 2 * items_per_cluster
    users, items, timestamps = [], [], []
    for user in range(2 * users_per_cluster):
        cluster = user % 2
        chosen = generator.choice(items_per_cluster, events_per_user, replace=False)
        for step, item in enumerate(chosen):
            users.append(user)
            items.append(cluster * items_per_cluster + int(item))
            timestamps.append(1_000 * (user * events_per_user + step))
    titles = [
        f"{'audio' if index < items_per_cluster else 'camera'} item{index}"
        for index in range(item_count)
    ]
    return InteractionLog(
        user_ids=[f"u{index}" for index in range(2 * users_per_cluster)],
        item_ids=[f"i{index}" for index in range(item_count)],
        user=np.asarray(users, dtype=np.int64),
        item=np.asarray(items, dtype=np.int64),
        timestamp_ms=np.asarray(timestamps, dtype=np.int64),
        rating=np.full(len(users), 5.0, dtype=np.float32),
        items=ItemFeatures(
            titles=titles,
            categories=[
                "Audio" if index < items_per_cluster else "Cameras"
                for index in range(item_count)
            ],
            stores=["Acme"] * item_count,
            prices=np.linspace(5.0, 500.0, item_count),
        ),
    )


def last_event_mask(log):
    last = np.zeros(len(log), dtype=bool)
    for user in range(len(log.user_ids)):
        last[np.flatnonzero(log.user == user)[-1]] = True
    return last


@pytest.fixture(scope="module")
def trained():
    """The full log and a model trained without each user's last event."""
    torch.set_num_threads(1)
    log = clustered_log()
    return log, train_two_tower(log.subset(~last_event_mask(log)), SMALL)


def test_log_q_correction_subtracts_log_probability():
    probability = torch.tensor([0.5, 0.25, 0.25])

    correction = log_q_correction(torch.tensor([0, 2]), probability)

    assert correction.shape == (1, 2)
    assert correction[0, 0].item() == pytest.approx(-math.log(0.5))
    assert correction[0, 1].item() == pytest.approx(-math.log(0.25))


def test_in_batch_loss_applies_correction_per_column():
    users = torch.eye(2)
    targets = torch.eye(2)
    correction = torch.tensor([[0.0, math.log(4.0)]])

    loss = in_batch_loss(users, targets, torch.tensor([0, 1]), 1.0, correction)

    row_0 = -math.log(math.exp(1.0) / (math.exp(1.0) + math.exp(0.0 + math.log(4.0))))
    row_1 = -math.log(
        math.exp(1.0 + math.log(4.0)) / (math.exp(0.0) + math.exp(1.0 + math.log(4.0)))
    )
    assert loss.item() == pytest.approx((row_0 + row_1) / 2, rel=1e-5)


def test_in_batch_loss_masks_colliding_targets():
    users = torch.eye(3)
    targets = torch.eye(3)

    with_collision = in_batch_loss(users, targets, torch.tensor([0, 0, 1]), 1.0, None)

    # Rows 0 and 1 share item 0, so each drops the other's column and keeps
    # one negative; row 2 keeps two.
    rows_0_and_1 = -math.log(math.e / (math.e + 1.0))
    row_2 = -math.log(math.e / (math.e + 2.0))
    assert with_collision.item() == pytest.approx(
        (2 * rows_0_and_1 + row_2) / 3, rel=1e-5
    )


def test_training_examples_never_contain_target(trained):
    log, result = trained
    repeated = InteractionLog(
        user_ids=["u0"],
        item_ids=log.item_ids,
        user=np.zeros(4, dtype=np.int64),
        item=np.array([1, 2, 1, 3]),
        timestamp_ms=np.array([1, 2, 3, 4]),
        rating=np.full(4, 5.0, dtype=np.float32),
        items=log.items,
    )

    examples = build_training_examples(repeated, result.model, SMALL)
    known = result.model.index_of(log.item_ids)

    assert examples.target.tolist() == [known[2], known[1], known[3]]
    assert examples.history.tolist()[1] == [known[2], -1, -1, -1]
    assert examples.history.tolist()[2] == [known[1], known[2], known[1], -1]


def test_training_examples_truncate_history(trained):
    log, result = trained
    config = replace(SMALL, history_length=2)

    examples = build_training_examples(log, result.model, config)

    assert examples.history.shape[1] == 2


def test_training_loss_falls(trained):
    _, result = trained

    assert result.epoch_losses[-1] < result.epoch_losses[0]


def test_trained_model_ranks_held_out_item_above_random(trained):
    log, result = trained
    model = result.model
    known = model.index_of(log.item_ids)
    items = model.encode_items(known, log.items)
    ranks = []
    for user in range(len(log.user_ids)):
        events = log.item[log.user == user]
        history, held_out = events[:-1], events[-1]
        vector = model.encode_users([known[history].tolist()])[0]
        scores = items @ vector
        scores[history] = -np.inf
        ranks.append(int((scores > scores[held_out]).sum()))
    candidates = len(log.item_ids) - 5

    # A random ranking puts the held-out item at rank (candidates - 1) / 2
    # on average; each user's cluster alone halves that.
    assert np.mean(ranks) < (candidates - 1) / 4


def test_save_load_round_trip(trained, tmp_path):
    log, result = trained
    path = tmp_path / "two_tower.pt"

    save_two_tower(result.model, path)
    loaded = load_two_tower(path)

    known = result.model.index_of(log.item_ids)
    histories = [[0, 1, 2], [5], []]
    assert loaded.item_ids == result.model.item_ids
    assert loaded.config == result.model.config
    assert np.array_equal(
        loaded.encode_items(known, log.items),
        result.model.encode_items(known, log.items),
    )
    assert np.array_equal(
        loaded.encode_users(histories), result.model.encode_users(histories)
    )


def test_load_rejects_other_files(tmp_path):
    path = tmp_path / "other.pt"
    torch.save({"format": "other"}, path)

    with pytest.raises(ValueError, match="not a Two-Tower artifact"):
        load_two_tower(path)


def test_content_only_item_embedding(trained):
    _, result = trained
    features = ItemFeatures(
        titles=["audio speaker, brand new"],
        categories=["Audio > Speakers"],
        stores=["Unknown Store"],
        prices=np.array([np.nan]),
    )

    vector = result.model.encode_items(np.array([-1]), features)

    assert vector.shape == (1, SMALL.embedding_dim)
    assert vector.dtype == np.float32
    assert bool(np.isfinite(vector).all())
    assert float(np.linalg.norm(vector)) == pytest.approx(1.0, abs=1e-5)


def test_item_embeddings_are_normalized(trained):
    log, result = trained
    known = result.model.index_of(log.item_ids)

    vectors = result.model.encode_items(known, log.items)

    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)


def test_empty_history_gives_zero_row(trained):
    _, result = trained

    vectors = result.model.encode_users([[], [0, 1]])

    assert vectors.dtype == np.float32
    assert vectors[0].tolist() == [0.0] * SMALL.embedding_dim
    assert float(np.linalg.norm(vectors[1])) == pytest.approx(1.0, abs=1e-5)


def test_encode_users_of_no_users(trained):
    _, result = trained

    assert result.model.encode_users([]).shape == (0, SMALL.embedding_dim)


def test_encode_users_rejects_unknown_index(trained):
    _, result = trained

    with pytest.raises(ValueError, match="History item indices"):
        result.model.encode_users([[10_000]])


def test_index_of_marks_unknown_ids(trained):
    _, result = trained

    assert result.model.index_of(["i0", "missing"]).tolist() == [
        result.model.item_ids.index("i0"),
        -1,
    ]


def test_training_with_validation_selects_epoch():
    log = clustered_log()
    last = last_event_mask(log)
    config = replace(SMALL, epochs=3, patience=1)

    result = train_two_tower(log.subset(~last), config, valid=log.subset(last))

    assert 1 <= result.best_epoch <= 3
    assert len(result.valid_metrics) == len(result.epoch_losses)
    assert set(result.valid_metrics[0]) >= {"recall@20", "ndcg@20", "mrr@20"}


def test_training_is_seeded():
    log = clustered_log()
    config = replace(SMALL, epochs=2)

    first = train_two_tower(log, config)
    second = train_two_tower(log, config)

    assert first.epoch_losses == second.epoch_losses


def test_config_rejects_invalid_values():
    with pytest.raises(ValueError, match="temperature"):
        TwoTowerConfig(temperature=0.0)
