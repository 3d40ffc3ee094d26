import numpy as np
import pytest
import torch

from recommender.ml.sessions import build_prefix_examples, build_sessions
from recommender.ml.tailnet import (
    TailNet,
    TailNetConfig,
    load_tailnet,
    save_tailnet,
    suggest,
    suggest_many,
    tail_item_mask,
    train_tailnet,
)
from recommender.ml.tailnet.ranking import next_item_metrics

SMALL = TailNetConfig(embedding_dim=16, hidden_dim=16, dropout=0.0, threads=1)
ITEM_COUNT = 12
ITEM_IDS = [f"item{index}" for index in range(ITEM_COUNT)]
# Items 0-3 are clicked most, so with head_item_share 0.25 items 0-2 are
# head and the rest tail.
CLICKS = np.array([50, 40, 30, 20, 9, 8, 7, 6, 5, 4, 3, 2])


def make_model(config: TailNetConfig = SMALL, seed: int = 0) -> TailNet:
    torch.manual_seed(seed)
    model = TailNet(config, ITEM_IDS, CLICKS)
    model.eval()
    return model


def batch(*sessions: list[int], width: int = 6) -> tuple[torch.Tensor, torch.Tensor]:
    history = torch.full((len(sessions), width), -1, dtype=torch.int64)
    for row, session in enumerate(sessions):
        history[row, : len(session)] = torch.tensor(session)
    lengths = torch.tensor([len(session) for session in sessions])
    return history, lengths


def cycle_examples():
    """Two fixed sessions whose next item always follows from the last two.

    Both sessions pass item 4, so the next item after it depends on the
    item before, which only the GRU state carries.
    """
    sessions = [
        np.array([0, 4, 1, 5, 2, 6], dtype=np.int64),
        np.array([3, 4, 7, 8, 9, 10], dtype=np.int64),
    ]
    return build_prefix_examples(sessions * 8, max_length=20)


def test_tail_mask_by_click_share():
    counts = np.array([5, 0, 9, 9, 1])
    assert tail_item_mask(counts, 0.4).tolist() == [True, True, False, False, True]


def test_tail_mask_items_without_clicks_are_tail():
    counts = np.array([3, 0, 0, 0])
    assert tail_item_mask(counts, 0.9).tolist() == [False, True, True, True]


@pytest.mark.parametrize("share", [0.0, 1.0, -0.1])
def test_tail_mask_rejects_invalid_share(share):
    with pytest.raises(ValueError, match="head_item_share must be in"):
        tail_item_mask(np.array([1, 2]), share)


def test_model_head_tail_split_from_config():
    model = make_model(
        TailNetConfig(embedding_dim=8, hidden_dim=8, head_item_share=0.25)
    )
    assert model.is_tail.tolist() == [False] * 3 + [True] * 9


def test_forward_shapes():
    model = make_model()
    history, lengths = batch([0, 1, 2], [5], [7, 8, 9, 10, 11, 3])
    encoding = model.encode(history, lengths)
    assert encoding.session.shape == (3, SMALL.embedding_dim)
    assert encoding.factors.shape == (3, 2)
    assert model(history, lengths).shape == (3, ITEM_COUNT)


def test_rectification_factors_within_unit_interval():
    model = make_model()
    # Large weights push the preference's sigmoid to its limits.
    with torch.no_grad():
        model.preference.weight.mul_(1000.0)
        model.preference.bias.fill_(50.0)
    generator = torch.Generator().manual_seed(3)
    sessions = [
        torch.randint(ITEM_COUNT, (length,), generator=generator).tolist()
        for length in (1, 2, 4, 6, 6, 3)
    ]
    factors = model.encode(*batch(*sessions)).factors
    assert bool((factors >= 0.0).all())
    assert bool((factors <= 1.0).all())
    assert torch.allclose(factors.sum(dim=1), torch.ones(len(sessions)))


def test_rectification_scales_head_and_tail_scores():
    model = make_model()
    history, lengths = batch([0, 4, 7], [2])
    encoding = model.encode(history, lengths)
    raw = encoding.session @ model.item_embedding.weight[1:].T
    factor = torch.where(
        model.is_tail[None, :], encoding.factors[:, 1:], encoding.factors[:, :1]
    )
    assert torch.allclose(model(history, lengths), raw * factor)


def test_ablation_leaves_scores_unrectified():
    model = make_model(
        TailNetConfig(embedding_dim=16, hidden_dim=16, rectification=False)
    )
    history, lengths = batch([0, 4, 7], [2])
    encoding = model.encode(history, lengths)
    raw = encoding.session @ model.item_embedding.weight[1:].T
    assert torch.equal(encoding.factors, torch.ones(2, 2))
    assert torch.allclose(model(history, lengths), raw)


def test_session_state_resets_per_row():
    model = make_model()
    alone = model(*batch([3, 4]))
    history, lengths = batch([9, 8, 7, 6, 5], [3, 4], [1])
    together = model(history, lengths)
    assert torch.allclose(together[1], alone[0], atol=1e-6)


def test_padding_never_reaches_the_model():
    model = make_model()
    history, lengths = batch([3, 4], [5, 6, 7])
    garbage = history.clone()
    garbage[0, 2:] = 11
    assert torch.allclose(model(garbage, lengths), model(history, lengths))


def test_earlier_session_does_not_leak():
    # The same user's two sessions, an hour apart, split at a 30 minute gap.
    user = np.zeros(5, dtype=np.int64)
    item = np.array([9, 10, 3, 4, 5], dtype=np.int64)
    timestamp = np.array([0, 1, 60, 61, 62], dtype=np.int64) * 60_000
    sessions = build_sessions(user, item, timestamp, gap_minutes=30)
    examples = build_prefix_examples(sessions)
    # Item 3 starts the second session, so it is never a target and no
    # history of the second session contains items 9 or 10.
    assert examples.targets.tolist() == [10, 4, 5]
    second = examples.history[1:]
    assert not np.isin(second, [9, 10]).any()
    model = make_model()
    history = torch.from_numpy(examples.history[2:3])
    lengths = torch.from_numpy(examples.lengths[2:3])
    assert history[0, :2].tolist() == [3, 4]
    assert torch.allclose(model(history, lengths), model(*batch([3, 4])), atol=1e-6)


def test_encode_rejects_padding_inside_length():
    model = make_model()
    history, _ = batch([3])
    with pytest.raises(ValueError, match="item index -1 inside"):
        model(history, torch.tensor([2]))


def test_encode_rejects_empty_session():
    model = make_model()
    history = torch.full((2, 3), -1)
    with pytest.raises(ValueError, match="Every session needs at least one item"):
        model(history, torch.tensor([1, 0]))


@pytest.mark.parametrize("rectification", [True, False])
def test_tiny_data_set_is_memorized(rectification):
    examples = cycle_examples()
    config = TailNetConfig(
        embedding_dim=24,
        hidden_dim=24,
        dropout=0.0,
        rectification=rectification,
        head_item_share=0.25,
        batch_size=16,
        learning_rate=0.02,
        epochs=80,
        threads=1,
    )
    result = train_tailnet(examples, ITEM_IDS, CLICKS, config)
    with torch.no_grad():
        scores = result.model(
            torch.from_numpy(examples.history), torch.from_numpy(examples.lengths)
        )
    predicted = scores.argmax(dim=1).numpy()
    assert predicted.tolist() == examples.targets.tolist()
    assert result.epoch_losses[-1] < 0.1 * result.epoch_losses[0]


def test_training_with_validation_keeps_best_epoch():
    examples = cycle_examples()
    config = TailNetConfig(
        embedding_dim=8, hidden_dim=8, epochs=6, patience=2, learning_rate=0.05
    )
    result = train_tailnet(
        examples, ITEM_IDS, CLICKS, config, examples.subset(np.arange(10))
    )
    scores = [metrics["recall@20"] for metrics in result.valid_metrics]
    assert len(scores) == len(result.epoch_losses)
    assert 1 <= result.best_epoch <= len(scores)
    assert scores[result.best_epoch - 1] == max(scores)


def test_training_rejects_unknown_item_index():
    examples = build_prefix_examples([np.array([0, 1, ITEM_COUNT])])
    with pytest.raises(ValueError, match="outside the 12 item ids"):
        train_tailnet(examples, ITEM_IDS, CLICKS, SMALL)


def test_training_rejects_empty_examples():
    examples = build_prefix_examples([np.array([0])])
    with pytest.raises(ValueError, match="No train examples"):
        train_tailnet(examples, ITEM_IDS, CLICKS, SMALL)


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("embedding_dim", 0, "embedding_dim must be positive"),
        ("learning_rate", float("nan"), "learning_rate must be positive"),
        ("dropout", 1.0, r"dropout must be in \[0, 1\)"),
        ("head_item_share", 1.0, r"head_item_share must be in \(0, 1\)"),
        ("epochs", -1, "epochs must be >= 0"),
        ("selection_metric", "ndcg@20", "selection_metric must be one of"),
    ],
)
def test_config_rejects_invalid_values(field, value, message):
    with pytest.raises(ValueError, match=message):
        TailNetConfig(**{field: value})


def test_model_rejects_repeated_item_ids():
    with pytest.raises(ValueError, match="1 repeated ids"):
        TailNet(SMALL, ["a", "b", "a"], np.array([1, 2, 3]))


def test_artifact_round_trip(tmp_path):
    model = make_model()
    path = tmp_path / "tailnet.pt"
    save_tailnet(model, path)
    loaded = load_tailnet(path)
    history, lengths = batch([0, 4, 7], [2])
    assert loaded.item_ids == ITEM_IDS
    assert loaded.config == SMALL
    assert torch.equal(loaded.is_tail, model.is_tail)
    assert torch.allclose(loaded(history, lengths), model(history, lengths))


def test_artifact_errors(tmp_path):
    with pytest.raises(FileNotFoundError, match=r"TailNet artifact .* not found"):
        load_tailnet(tmp_path / "missing.pt")
    other = tmp_path / "other.pt"
    torch.save({"format": "gnn", "version": 1}, other)
    with pytest.raises(ValueError, match="is not a TailNet artifact"):
        load_tailnet(other)


def test_suggest_ranks_and_excludes():
    model = make_model()
    everything = suggest(model, ["item0", "item4"], count=ITEM_COUNT)
    assert len(everything) == ITEM_COUNT
    assert {entry.source for entry in everything} == {"tailnet"}
    scores = [entry.score for entry in everything]
    assert scores == sorted(scores, reverse=True)
    assert sum(scores) == pytest.approx(1.0)
    best = everything[0].item_id
    top = suggest(model, ["item0", "item4"], count=3, exclude={best, "unknown"})
    assert len(top) == 3
    assert best not in [entry.item_id for entry in top]
    assert [entry.item_id for entry in top] == [e.item_id for e in everything[1:4]]


def test_suggest_skips_unknown_items():
    model = make_model()
    with_unknown = suggest(model, ["nope", "item0", "gone", "item4"], count=5)
    assert with_unknown == suggest(model, ["item0", "item4"], count=5)


def test_suggest_reads_last_max_length_items():
    model = make_model(TailNetConfig(embedding_dim=8, hidden_dim=8, max_length=2))
    long = suggest(model, ["item9", "item8", "item0", "item4"], count=4)
    assert long == suggest(model, ["item0", "item4"], count=4)


def test_suggest_falls_back_to_popularity():
    model = make_model()
    result = suggest(model, ["unknown"], count=2, exclude={"item0"})
    assert [entry.item_id for entry in result] == ["item1", "item2"]
    assert [entry.source for entry in result] == ["popularity", "popularity"]
    assert result[0].score == pytest.approx(40 / CLICKS.sum())


def test_suggest_returns_fewer_when_all_excluded():
    model = make_model()
    result = suggest(model, ["item1"], count=5, exclude=ITEM_IDS[1:])
    assert [entry.item_id for entry in result] == ["item0"]
    assert suggest(model, [], count=3, exclude=ITEM_IDS) == []


def test_suggest_rejects_invalid_count():
    with pytest.raises(ValueError, match="count must be at least 1, got 0"):
        suggest(make_model(), ["item0"], count=0)


def test_next_item_metrics_exact():
    top = torch.tensor([[1, 2, 3], [4, 5, 0], [2, 1, 0]])
    targets = np.array([2, 9, 2])
    is_tail = np.array([False, False, True, True, True, True, True, True, True, True])
    metrics = next_item_metrics(top, targets, is_tail, k=3)
    assert metrics["recall@3"] == pytest.approx(2 / 3)
    assert metrics["mrr@3"] == pytest.approx((1 / 2 + 1) / 3)
    assert metrics["coverage@3"] == pytest.approx(6 / 10)
    assert metrics["tail_coverage@3"] == pytest.approx(4 / 8)
    assert metrics["tail_share@3"] == pytest.approx(5 / 9)


def test_next_item_metrics_rejects_no_examples():
    with pytest.raises(ValueError, match="No examples to measure"):
        next_item_metrics(
            torch.zeros((0, 3), dtype=torch.int64), np.array([]), np.array([True]), k=3
        )


def test_suggest_many_matches_suggest_per_session():
    model = make_model()
    sessions = [["item0", "item4"], ["unknown"], ["item3", "item1", "item2"], []]
    excluded = [{"item5"}, {"item0"}, set(), {"item1", "item2"}]

    batch = suggest_many(model, sessions, count=4, exclude=excluded)

    assert len(batch) == len(sessions)
    for session, exclude, result in zip(sessions, excluded, batch, strict=True):
        alone = suggest(model, session, count=4, exclude=exclude)
        assert [entry.item_id for entry in result] == [e.item_id for e in alone]
        assert [entry.source for entry in result] == [e.source for e in alone]
        assert [entry.score for entry in result] == pytest.approx(
            [entry.score for entry in alone], rel=1e-5
        )


def test_suggest_many_rejects_misaligned_exclude():
    with pytest.raises(ValueError, match="exclude has 1 entries for 2 sessions"):
        suggest_many(make_model(), [["item0"], ["item1"]], exclude=[set()])
