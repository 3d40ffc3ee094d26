from dataclasses import replace

import numpy as np
import pytest
import torch

from recommender.ml.sessions import (
    PrefixExamples,
    build_prefix_examples,
    time_split_examples,
)
from recommender.ml.tailnet import (
    TailNet,
    TailNetConfig,
    load_tailnet,
    save_tailnet,
    suggest,
    suggest_many,
    train_tailnet,
)
from recommender.ml.tailnet.prior import RecentItemPrior, prior_from_counts
from recommender.ml.tailnet.ranking import (
    model_score_function,
    prior_popularity_score_function,
    rank_examples,
)

DAY_MS = 86_400_000
ITEM_COUNT = 6
ITEM_IDS = [f"item{index}" for index in range(ITEM_COUNT)]
CLICKS = np.array([30, 20, 10, 5, 3, 1])
WITH_PRIOR = TailNetConfig(
    embedding_dim=8,
    hidden_dim=8,
    dropout=0.0,
    head_item_share=0.34,
    item_prior=True,
    prior_window_days=2.0,
)


def make_model(config: TailNetConfig = WITH_PRIOR) -> TailNet:
    torch.manual_seed(0)
    model = TailNet(config, ITEM_IDS, CLICKS)
    model.eval()
    return model


def batch(*sessions: list[int]) -> tuple[torch.Tensor, torch.Tensor]:
    history = torch.full((len(sessions), 4), -1, dtype=torch.int64)
    for row, session in enumerate(sessions):
        history[row, : len(session)] = torch.tensor(session)
    return history, torch.tensor([len(session) for session in sessions])


def test_prior_counts_window_before_moment():
    # Items 0, 1, 1, 2, 3 at days 0, 1, 2, 3, 3.
    prior = RecentItemPrior(
        np.array([2, 1, 0, 1, 3]),
        np.array([3, 1, 0, 2, 3]) * DAY_MS,
        ITEM_COUNT,
        window_days=2.0,
    )
    counts = prior.counts(np.array([3 * DAY_MS, 10 * DAY_MS, 0]))
    assert counts.shape == (3, ITEM_COUNT)
    # [day 1, day 3): items 1 at days 1 and 2.
    assert counts[0].tolist() == [0, 2, 0, 0, 0, 0]
    assert counts[1].tolist() == [0] * ITEM_COUNT
    assert counts[2].tolist() == [0] * ITEM_COUNT


def test_prior_without_window_counts_everything_before():
    prior = RecentItemPrior(
        np.array([0, 0, 5]), np.array([1, 2, 3]) * DAY_MS, ITEM_COUNT, None
    )
    assert prior.counts(np.array([3 * DAY_MS]))[0].tolist() == [2, 0, 0, 0, 0, 0]
    assert prior.counts(np.array([4 * DAY_MS]))[0].tolist() == [2, 0, 0, 0, 0, 1]


def test_prior_is_causal():
    item = np.array([0, 1, 2])
    times = np.array([1, 2, 3]) * DAY_MS
    at = np.array([3 * DAY_MS, 3 * DAY_MS + 1])
    before = RecentItemPrior(item, times, ITEM_COUNT, 5.0).counts(at)
    # Interactions at or after the example's time must not change its prior.
    later_item = np.concatenate([item, [4, 4, 5]])
    later_times = np.concatenate([times, [3 * DAY_MS, 3 * DAY_MS + 1, 9 * DAY_MS]])
    after = RecentItemPrior(later_item, later_times, ITEM_COUNT, 5.0).counts(at)
    assert after[0].tolist() == before[0].tolist()
    assert after[0].tolist() == [1, 1, 0, 0, 0, 0]
    # One millisecond later the interaction at 3 days is strictly before.
    assert after[1].tolist() == [1, 1, 1, 0, 1, 0]


def test_prior_features_are_log_counts():
    prior = RecentItemPrior(np.array([0, 0, 0, 2]), np.arange(4), ITEM_COUNT, None)
    features = prior.features(np.array([10]))
    assert features.dtype == torch.float32
    assert features.shape == (1, ITEM_COUNT)
    expected = torch.tensor([[np.log(4.0), 0.0, np.log(2.0), 0.0, 0.0, 0.0]])
    assert torch.allclose(features, expected.float())


def test_prior_rejects_invalid_input():
    with pytest.raises(ValueError, match="item indices must be in"):
        RecentItemPrior(np.array([6]), np.array([0]), ITEM_COUNT, 1.0)
    with pytest.raises(ValueError, match="window_days must be positive"):
        RecentItemPrior(np.array([0]), np.array([0]), ITEM_COUNT, 0.0)
    with pytest.raises(ValueError, match="must be 1-D and aligned"):
        RecentItemPrior(np.array([0, 1]), np.array([0]), ITEM_COUNT, 1.0)
    with pytest.raises(ValueError, match="counts must not be negative"):
        prior_from_counts(np.array([[1, -1]]))


def test_forward_adds_weighted_prior_after_rectification():
    model = make_model(replace(WITH_PRIOR, prior_before_rectification=False))
    history, lengths = batch([0, 3], [5])
    prior = torch.arange(2 * ITEM_COUNT, dtype=torch.float32).reshape(2, -1)
    with torch.no_grad():
        model.prior_weight.fill_(0.5)
    rectified = model(history, lengths)
    assert rectified.shape == (2, ITEM_COUNT)
    assert torch.allclose(model(history, lengths, prior), rectified + 0.5 * prior)
    encoding = model.encode(history, lengths)
    raw = encoding.session @ model.item_embedding.weight[1:].T
    factor = torch.where(
        model.is_tail[None, :], encoding.factors[:, 1:], encoding.factors[:, :1]
    )
    assert torch.allclose(rectified, raw * factor)


def test_forward_rectifies_prior_by_default():
    model = make_model()
    assert model.config.prior_before_rectification is True
    history, lengths = batch([0, 3], [5])
    prior = torch.arange(2 * ITEM_COUNT, dtype=torch.float32).reshape(2, -1)
    with torch.no_grad():
        model.prior_weight.fill_(0.5)
    encoding = model.encode(history, lengths)
    raw = encoding.session @ model.item_embedding.weight[1:].T
    factor = torch.where(
        model.is_tail[None, :], encoding.factors[:, 1:], encoding.factors[:, :1]
    )
    expected = (raw + 0.5 * prior) * factor
    assert torch.allclose(model(history, lengths, prior), expected)
    assert torch.allclose(model(history, lengths), raw * factor)


def test_forward_rejects_misshaped_prior():
    model = make_model()
    with pytest.raises(ValueError, match="prior has shape"):
        model(*batch([0, 3]), torch.zeros(1, ITEM_COUNT - 1))


def test_model_without_prior_ignores_it():
    model = make_model(TailNetConfig(embedding_dim=8, hidden_dim=8))
    history, lengths = batch([0, 3])
    prior = torch.ones(1, ITEM_COUNT)
    assert not hasattr(model, "prior_weight")
    assert torch.equal(model(history, lengths, prior), model(history, lengths))


def test_rectification_factors_within_unit_interval_with_prior():
    model = make_model()
    with torch.no_grad():
        model.preference.weight.mul_(1000.0)
        model.preference.bias.fill_(-50.0)
    factors = model.encode(*batch([0, 1, 2, 3], [5], [4, 4])).factors
    assert factors.shape == (3, 2)
    assert bool((factors >= 0.0).all())
    assert bool((factors <= 1.0).all())
    assert torch.allclose(factors.sum(dim=1), torch.ones(3))


def timed_examples() -> tuple[PrefixExamples, RecentItemPrior]:
    """Sessions whose target is the item most bought in the last day.

    Item 5 sells most on days 0-4 and item 4 on days 5-9; every history is
    the uninformative item 0, so only the prior distinguishes the targets.
    """
    item: list[int] = []
    times: list[int] = []
    for day in range(10):
        hot = 5 if day < 5 else 4
        item += [hot] * 5 + [1, 2]
        times += [day * DAY_MS + hour * 3_600_000 for hour in range(7)]
    at = np.array([day * DAY_MS + 12 * 3_600_000 for day in range(1, 10)] * 4)
    targets = np.where(at < 5 * DAY_MS + 12 * 3_600_000, 5, 4)
    examples = PrefixExamples(
        history=np.full((len(at), 1), 0, dtype=np.int64),
        lengths=np.ones(len(at), dtype=np.int64),
        targets=targets.astype(np.int64),
        timestamp_ms=at.astype(np.int64),
    )
    return examples, RecentItemPrior(np.array(item), np.array(times), ITEM_COUNT, 1.0)


def test_training_learns_to_use_prior():
    examples, prior = timed_examples()
    config = TailNetConfig(
        embedding_dim=8,
        hidden_dim=8,
        dropout=0.0,
        item_prior=True,
        prior_window_days=1.0,
        batch_size=12,
        learning_rate=0.05,
        epochs=60,
    )
    result = train_tailnet(examples, ITEM_IDS, CLICKS, config, prior=prior)
    top = rank_examples(
        model_score_function(result.model), examples, ITEM_COUNT, k=1, prior=prior
    )
    assert top[:, 0].tolist() == examples.targets.tolist()
    assert float(result.model.prior_weight.detach()) > 1.0


def test_training_with_prior_needs_prior_and_times():
    examples, prior = timed_examples()
    config = TailNetConfig(embedding_dim=8, hidden_dim=8, item_prior=True, epochs=1)
    with pytest.raises(ValueError, match="no prior was given"):
        train_tailnet(examples, ITEM_IDS, CLICKS, config)
    untimed = build_prefix_examples([np.array([0, 1, 2])])
    with pytest.raises(ValueError, match="train examples have no timestamps"):
        train_tailnet(untimed, ITEM_IDS, CLICKS, config, prior=prior)
    with pytest.raises(ValueError, match="examples have no timestamps"):
        rank_examples(
            prior_popularity_score_function(ITEM_COUNT), untimed, 6, prior=prior
        )


def test_prior_popularity_ranks_by_window_count():
    examples, prior = timed_examples()
    top = rank_examples(
        prior_popularity_score_function(ITEM_COUNT), examples, ITEM_COUNT, prior=prior
    )
    assert top.shape == (len(examples), ITEM_COUNT)
    assert top[:, 0].tolist() == examples.targets.tolist()
    # Items 1 and 2 tie second; the lower index comes first. Items 0 and 3
    # were never bought and follow the two, also by index.
    assert top[0].tolist() == [5, 1, 2, 0, 3, 4]


def test_time_split_examples_carry_target_times():
    user = np.array([0, 0, 0, 1, 1])
    item = np.array([0, 1, 2, 3, 4])
    times = np.array([10, 20, 30, 15, 25])
    split = np.array([0, 1, 2, 0, 2])
    train, valid, test = time_split_examples(user, item, times, split)
    assert train.timestamp_ms.tolist() == []
    assert valid.timestamp_ms.tolist() == [20]
    assert test.timestamp_ms.tolist() == [30, 25]
    assert test.targets.tolist() == [2, 4]
    joined = PrefixExamples.concatenate([valid, test])
    assert joined.timestamp_ms.tolist() == [20, 30, 25]
    assert joined.targets.tolist() == [1, 2, 4]
    assert joined.subset(np.array([2])).timestamp_ms.tolist() == [25]


def test_concatenate_drops_times_unless_all_have_them():
    timed = build_prefix_examples([np.array([0, 1])], timestamps=[np.array([5, 6])])
    untimed = build_prefix_examples([np.array([2, 3])])
    assert timed.timestamp_ms.tolist() == [6]
    assert PrefixExamples.concatenate([timed, untimed]).timestamp_ms is None
    with pytest.raises(ValueError, match="No example sets to join"):
        PrefixExamples.concatenate([])


def test_artifact_round_trip_with_prior(tmp_path):
    model = make_model()
    with torch.no_grad():
        model.prior_weight.fill_(1.7)
    path = tmp_path / "tailnet.pt"
    save_tailnet(model, path)
    loaded = load_tailnet(path)
    history, lengths = batch([0, 3], [5])
    prior = torch.rand(2, ITEM_COUNT)
    assert loaded.config == WITH_PRIOR
    assert float(loaded.prior_weight) == pytest.approx(1.7)
    assert torch.allclose(
        loaded(history, lengths, prior), model(history, lengths, prior)
    )


def test_artifact_without_prior_fields_loads(tmp_path):
    # A file written before the prior existed: no item_prior or window in
    # its config and no prior weight in its state.
    model = make_model(TailNetConfig(embedding_dim=8, hidden_dim=8))
    path = tmp_path / "old.pt"
    save_tailnet(model, path)
    payload = torch.load(path, weights_only=True)
    del payload["config"]["item_prior"]
    del payload["config"]["prior_window_days"]
    torch.save(payload, path)
    loaded = load_tailnet(path)
    history, lengths = batch([0, 3])
    assert loaded.config.item_prior is False
    assert "prior_weight" not in loaded.state_dict()
    assert torch.allclose(loaded(history, lengths), model(history, lengths))


def test_suggest_uses_recent_counts():
    model = make_model()
    with torch.no_grad():
        model.prior_weight.fill_(100.0)
    counts = {"item4": 50, "item2": 3, "unknown": 99}
    result = suggest(model, ["item0"], count=2, recent_counts=counts)
    assert [entry.item_id for entry in result] == ["item4", "item2"]
    assert [entry.source for entry in result] == ["tailnet", "tailnet"]


def test_suggest_without_recent_counts_uses_zero_prior():
    model = make_model()
    with torch.no_grad():
        model.prior_weight.fill_(100.0)
    history, lengths = batch([0, 3])
    expected = torch.softmax(model(history, lengths), dim=1)[0]
    for counts in (None, {}):
        result = suggest(model, ["item0", "item3"], count=3, recent_counts=counts)
        ranked = torch.argsort(expected, descending=True)[:3].tolist()
        assert [entry.item_id for entry in result] == [ITEM_IDS[i] for i in ranked]
        assert result[0].score == pytest.approx(float(expected[ranked[0]]))


def test_suggest_many_shares_recent_counts():
    model = make_model()
    counts = {"item1": 4, "item5": 2}
    sessions = [["item0"], ["item3", "item2"], ["unknown"]]
    together = suggest_many(model, sessions, count=3, recent_counts=counts)
    for session, result in zip(sessions, together, strict=True):
        alone = suggest(model, session, count=3, recent_counts=counts)
        assert [entry.item_id for entry in result] == [e.item_id for e in alone]
        assert [entry.source for entry in result] == [e.source for e in alone]
        assert [entry.score for entry in result] == pytest.approx(
            [entry.score for entry in alone], rel=1e-5
        )
