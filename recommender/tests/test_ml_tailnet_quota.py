import numpy as np
import pytest
import torch

from recommender.ml.sessions import PrefixExamples
from recommender.ml.tailnet import TailNet, TailNetConfig, suggest
from recommender.ml.tailnet.evaluation import (
    RankingRule,
    choose_tail_slots,
    tail_quota_curve,
)
from recommender.ml.tailnet.ranking import (
    constant_score_function,
    rank_candidates,
    rank_examples,
    top_items_spreading_exposure,
    top_k_with_tail_quota,
)

# Items 0-3 are head, 4-7 tail. Scores fall with the index except item 6,
# the best tail item, which beats the head item 3.
SCORES = torch.tensor([[8.0, 7.0, 6.0, 4.0, 3.0, 2.0, 5.0, 1.0]])
IS_TAIL = torch.tensor([False, False, False, False, True, True, True, True])


def tail_count(top: torch.Tensor, is_tail: torch.Tensor) -> list[int]:
    return is_tail[top].sum(dim=1).tolist()


def test_quota_zero_is_plain_top_k():
    top = top_k_with_tail_quota(SCORES, IS_TAIL, 4, 0)
    assert top.tolist() == [[0, 1, 2, 6]]
    assert torch.equal(top, torch.topk(SCORES, 4).indices)


def test_quota_below_tail_in_top_k_changes_nothing():
    top = top_k_with_tail_quota(SCORES, IS_TAIL, 4, 1)
    assert top.tolist() == [[0, 1, 2, 6]]


def test_quota_replaces_lowest_head_items():
    top = top_k_with_tail_quota(SCORES, IS_TAIL, 4, 2)
    # Item 4, the next tail item by score, replaces item 2, the lowest head
    # item. It sits last because its score is the lowest of the four.
    assert top.tolist() == [[0, 1, 6, 4]]
    top = top_k_with_tail_quota(SCORES, IS_TAIL, 4, 3)
    assert top.tolist() == [[0, 6, 4, 5]]


def test_quota_of_k_takes_only_tail_items():
    top = top_k_with_tail_quota(SCORES, IS_TAIL, 4, 4)
    assert top.tolist() == [[6, 4, 5, 7]]


def test_quota_gives_max_of_quota_and_plain_tail():
    torch.manual_seed(0)
    scores = torch.randn(64, 50)
    is_tail = torch.rand(50) < 0.6
    plain = tail_count(torch.topk(scores, 10).indices, is_tail)
    for slots in range(11):
        top = top_k_with_tail_quota(scores, is_tail, 10, slots)
        assert top.shape == (64, 10)
        assert tail_count(top, is_tail) == [max(slots, n) for n in plain]
        for row in top.tolist():
            assert len(set(row)) == 10


def test_quota_keeps_score_order():
    torch.manual_seed(1)
    scores = torch.randn(16, 30)
    is_tail = torch.rand(30) < 0.5
    top = top_k_with_tail_quota(scores, is_tail, 8, 5)
    picked = scores.gather(1, top)
    assert torch.equal(picked, picked.sort(dim=1, descending=True).values)


def test_quota_with_fewer_tail_items_than_slots():
    is_tail = torch.tensor([False, False, False, False, False, False, True, True])
    top = top_k_with_tail_quota(SCORES, is_tail, 4, 3)
    # Only items 6 and 7 are tail, so both are taken and two head items
    # fill the list.
    assert top.tolist() == [[0, 1, 6, 7]]
    assert tail_count(top, is_tail) == [2]


def test_quota_with_fewer_items_than_k():
    top = top_k_with_tail_quota(SCORES[:, :5], IS_TAIL[:5], 20, 3)
    assert top.tolist() == [[0, 1, 2, 3, 4]]


def test_quota_never_picks_excluded_tail_items():
    scores = SCORES.clone()
    scores[0, 6] = -torch.inf
    scores[0, 5] = -torch.inf
    top = top_k_with_tail_quota(scores, IS_TAIL, 4, 3)
    assert top.tolist() == [[0, 1, 4, 7]]


def test_quota_accepts_per_row_split():
    is_tail = torch.stack([IS_TAIL, ~IS_TAIL])
    scores = SCORES.expand(2, -1)
    top = top_k_with_tail_quota(scores, is_tail, 4, 2)
    assert top.tolist() == [[0, 1, 6, 4], [0, 1, 2, 6]]


def test_quota_ties_go_to_lower_index():
    scores = torch.zeros((1, 6))
    is_tail = torch.tensor([False, False, False, True, True, True])
    top = top_k_with_tail_quota(scores, is_tail, 3, 2)
    assert top.tolist() == [[0, 3, 4]]


@pytest.mark.parametrize(
    ("k", "tail_slots", "message"),
    [
        (4, -1, "tail_slots must be a whole number from 0 to k=4, got -1"),
        (4, 5, "tail_slots must be a whole number from 0 to k=4, got 5"),
        (4, 1.5, "got 1.5"),
        (4, True, "got True"),
        (0, 0, "k must be a whole number of at least 1, got 0"),
    ],
)
def test_quota_rejects_invalid_values(k, tail_slots, message):
    with pytest.raises(ValueError, match=message):
        top_k_with_tail_quota(SCORES, IS_TAIL, k, tail_slots)


def test_quota_rejects_misaligned_tail_mask():
    with pytest.raises(ValueError, match="one flag per item \\(8\\)"):
        top_k_with_tail_quota(SCORES, IS_TAIL[:5], 4, 1)
    with pytest.raises(ValueError, match="must be bool"):
        top_k_with_tail_quota(SCORES, IS_TAIL.long(), 4, 1)


def test_reserve_scores_choose_the_reserved_tail_items():
    # Item 7, the worst tail item by score, is the best by reserve score.
    reserve = torch.tensor([[0.0, 0.0, 0.0, 0.0, 1.0, 2.0, 3.0, 9.0]])
    top = top_k_with_tail_quota(SCORES, IS_TAIL, 4, 1, reserve_scores=reserve)
    # Item 6 is not reserved, and the three free positions go to the three
    # best items by score, all head.
    assert top.tolist() == [[0, 1, 2, 7]]
    top = top_k_with_tail_quota(SCORES, IS_TAIL, 4, 2, reserve_scores=reserve)
    assert top.tolist() == [[0, 1, 6, 7]]


def test_reserve_equal_to_scores_is_plain():
    torch.manual_seed(4)
    scores = torch.randn(32, 40)
    is_tail = torch.rand(40) < 0.7
    scores[:, 5] = -torch.inf
    for slots in range(9):
        assert torch.equal(
            top_k_with_tail_quota(scores, is_tail, 8, slots, reserve_scores=scores),
            top_k_with_tail_quota(scores, is_tail, 8, slots),
        )


def test_reserve_scores_never_reserve_excluded_items():
    scores = SCORES.clone()
    scores[0, 7] = -torch.inf
    reserve = torch.tensor([[0.0, 0.0, 0.0, 0.0, 1.0, 2.0, 3.0, 9.0]])
    top = top_k_with_tail_quota(scores, IS_TAIL, 4, 1, reserve_scores=reserve)
    assert top.tolist() == [[0, 1, 2, 6]]


def test_reserve_minus_inf_fills_quota():
    # A huge penalty can push an eligible item's reserve score to -inf,
    # level with the head items, which may never take a reserved position.
    reserve = torch.tensor([[0.0, 0.0, 0.0, 0.0, -torch.inf, 1.0, 2.0, -torch.inf]])
    top = top_k_with_tail_quota(SCORES, IS_TAIL, 4, 3, reserve_scores=reserve)
    assert tail_count(top, IS_TAIL) == [3]
    # Items 6 and 5 by reserve score, then 4, the lower index of the two
    # at -inf; the list keeps score order.
    assert top.tolist() == [[0, 6, 4, 5]]


def test_reserve_scores_of_nan_rank_last():
    reserve = torch.tensor([[0.0, 0.0, 0.0, 0.0, torch.nan, 1.0, 2.0, 3.0]])
    top = top_k_with_tail_quota(SCORES, IS_TAIL, 4, 1, reserve_scores=reserve)
    assert top.tolist() == [[0, 1, 2, 7]]
    reserve = torch.full((1, 8), torch.nan)
    top = top_k_with_tail_quota(SCORES, IS_TAIL, 4, 1, reserve_scores=reserve)
    assert top.tolist() == [[0, 1, 2, 4]]


def test_reserve_changes_full_tail_row():
    # The plain top 4 contains tail item 6, so the plain quota of 1 keeps it.
    # The reserve scores give the position to item 7 instead.
    reserve = torch.tensor([[0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 9.0]])
    assert top_k_with_tail_quota(SCORES, IS_TAIL, 4, 1).tolist() == [[0, 1, 2, 6]]
    top = top_k_with_tail_quota(SCORES, IS_TAIL, 4, 1, reserve_scores=reserve)
    assert top.tolist() == [[0, 1, 2, 7]]


def test_reserve_scores_must_match_scores():
    with pytest.raises(ValueError) as error:
        top_k_with_tail_quota(SCORES, IS_TAIL, 4, 1, reserve_scores=SCORES[:, :4])
    assert str(error.value) == (
        "reserve_scores must have the shape of scores, (1, 8), got (1, 4)."
    )


def spread_candidates(count: int):
    """Candidates of `count` examples that all score items as SCORES."""
    score = constant_score_function(SCORES[0].numpy())
    return rank_candidates(
        score, examples_of(count), IS_TAIL.numpy(), k=4, tail_depth=4
    )


def test_exposure_penalty_spreads_the_reserved_position():
    candidates = spread_candidates(5)
    assert candidates.items.shape == (5, 8)
    top = top_items_spreading_exposure(candidates, 1, 10.0, 8)
    # Tail items by score: 6, 4, 5, 7. Each list reserves the best tail
    # item that fewer earlier lists showed, so the position rotates.
    assert top.tolist() == [
        [0, 1, 2, 6],
        [0, 1, 2, 4],
        [0, 1, 2, 5],
        [0, 1, 2, 7],
        [0, 1, 2, 6],
    ]


def test_exposure_penalty_follows_the_given_order():
    candidates = spread_candidates(3)
    top = top_items_spreading_exposure(
        candidates, 1, 10.0, 8, order=np.array([2, 0, 1])
    )
    assert top.tolist() == [[0, 1, 2, 4], [0, 1, 2, 5], [0, 1, 2, 6]]


def test_small_exposure_penalty_keeps_a_much_better_item():
    # 0.5 * log(2) is less than the score gap of 2 between items 6 and 4.
    top = top_items_spreading_exposure(spread_candidates(3), 1, 0.5, 8)
    assert top.tolist() == [[0, 1, 2, 6]] * 3
    # 0.5 * log(1 + n) passes that gap once n reaches e**4 - 1, about 54.
    top = top_items_spreading_exposure(spread_candidates(56), 1, 0.5, 8)
    assert top[:, 3].tolist() == [6] * 54 + [4, 6]


def test_exposure_penalty_zero_equals_the_plain_quota():
    torch.manual_seed(6)
    scores = torch.randn(50, 30)
    is_tail = (torch.rand(30) < 0.7).numpy()
    candidates = rank_candidates(
        per_row_score_function(scores), examples_of(50), is_tail, k=6, tail_depth=12
    )
    for slots in range(7):
        assert torch.equal(
            top_items_spreading_exposure(candidates, slots, 0.0, 30),
            candidates.top_items(slots),
        )


@pytest.mark.parametrize(
    ("penalty", "order", "message"),
    [
        (-1.0, None, "penalty must be a finite number of at least 0, got -1.0."),
        (np.inf, None, "penalty must be a finite number of at least 0, got inf."),
        (1.0, np.array([0, 0, 1]), "order must hold every example index from 0 to 2"),
        (1.0, np.array([0, 1]), "order must hold every example index from 0 to 2"),
    ],
)
def test_exposure_penalty_rejects_invalid_values(penalty, order, message):
    with pytest.raises(ValueError) as error:
        top_items_spreading_exposure(spread_candidates(3), 1, penalty, 8, order)
    assert str(error.value).startswith(message)


@pytest.mark.parametrize("depth", [0, -3, 2.5, True])
def test_candidates_reject_invalid_tail_depth(depth):
    score = constant_score_function(SCORES[0].numpy())
    with pytest.raises(ValueError) as error:
        rank_candidates(score, examples_of(1), IS_TAIL.numpy(), k=4, tail_depth=depth)
    assert str(error.value) == (
        f"tail_depth must be a whole number of at least 1, got {depth!r}."
    )


def test_curve_with_exposure_penalty_widens_the_tail():
    candidates = spread_candidates(8)
    examples = examples_of(8)
    plain = tail_quota_curve(candidates, examples, IS_TAIL.numpy(), 2)
    spread = tail_quota_curve(
        candidates, examples, IS_TAIL.numpy(), 2, RankingRule(2, 10.0, 4, cutoff=4)
    )
    assert [point["tail_coverage@4"] for point in plain] == [0.25, 0.25, 0.5]
    # One reserved position rotates through all four tail items.
    assert [point["tail_coverage@4"] for point in spread] == [0.25, 1.0, 1.0]
    assert [point["recall@4"] for point in spread] == [0.5, 0.5, 0.5]


def examples_of(count: int) -> PrefixExamples:
    """Return `count` examples whose one history item is the row number."""
    history = np.arange(count, dtype=np.int64)[:, None]
    return PrefixExamples(
        history=history,
        lengths=np.ones(count, dtype=np.int64),
        targets=np.arange(count, dtype=np.int64) % 8,
        timestamp_ms=None,
    )


def per_row_score_function(scores: torch.Tensor):
    def score(history, lengths, prior):
        return scores[history[:, 0]]

    return score


def test_rank_examples_applies_quota():
    examples = examples_of(1)
    score = constant_score_function(SCORES[0].numpy())
    top = rank_examples(score, examples, 8, k=4, tail_slots=2, is_tail=IS_TAIL.numpy())
    assert top.tolist() == [[0, 1, 6, 4]]
    with pytest.raises(ValueError, match="A tail quota needs is_tail"):
        rank_examples(score, examples, 8, k=4, tail_slots=2)


def test_candidates_match_full_ranking():
    torch.manual_seed(2)
    scores = torch.randn(40, 30)
    is_tail = (torch.rand(30) < 0.7).numpy()
    examples = examples_of(40)
    score = per_row_score_function(scores)
    candidates = rank_candidates(score, examples, is_tail, k=6, batch_size=16)
    assert candidates.items.shape == (40, 12)
    for slots in range(7):
        full = rank_examples(
            score, examples, 30, k=6, batch_size=16, tail_slots=slots, is_tail=is_tail
        )
        assert torch.equal(candidates.top_items(slots), full)


def test_candidates_with_few_head_items():
    # One head item and 7 tail items: 1 head and 4 tail candidates.
    is_tail = np.array([False, True, True, True, True, True, True, True])
    score = constant_score_function(SCORES[0].numpy())
    candidates = rank_candidates(score, examples_of(2), is_tail, k=4)
    assert candidates.items.tolist() == [[0, 1, 2, 6, 3]] * 2
    assert candidates.is_tail.tolist() == [False, True, True, True, True]
    assert candidates.top_items(0).tolist() == [[0, 1, 2, 6]] * 2


def test_candidates_reject_short_tail_mask():
    score = constant_score_function(SCORES[0].numpy())
    with pytest.raises(ValueError) as error:
        rank_candidates(score, examples_of(1), IS_TAIL[:2].numpy(), k=4)
    assert str(error.value) == ("is_tail must have one flag per scored item, 8, got 2.")


def test_curve_and_automatic_choice():
    score = constant_score_function(SCORES[0].numpy())
    examples = examples_of(8)
    candidates = rank_candidates(score, examples, IS_TAIL.numpy(), k=4)
    curve = tail_quota_curve(candidates, examples, IS_TAIL.numpy(), 4)
    assert [point["tail_slots"] for point in curve] == [0, 1, 2, 3, 4]
    # Targets are items 0-7 once each, so Recall@4 is 4 of 8 at every quota.
    assert [point["recall@4"] for point in curve] == [0.5] * 5
    assert [point["tail_coverage@4"] for point in curve] == [
        0.25,
        0.25,
        0.5,
        0.75,
        1.0,
    ]
    assert choose_tail_slots(curve, cutoff=4) == 4


def test_automatic_choice_keeps_recall_share():
    curve = [
        {"tail_slots": 0, "recall@20": 0.100},
        {"tail_slots": 1, "recall@20": 0.099},
        {"tail_slots": 2, "recall@20": 0.095},
        {"tail_slots": 3, "recall@20": 0.0949},
        {"tail_slots": 4, "recall@20": 0.096},
    ]
    assert choose_tail_slots(curve) == 4
    assert choose_tail_slots(curve[:4]) == 2
    assert choose_tail_slots(curve, recall_share=0.99) == 1
    with pytest.raises(ValueError, match="must start at quota 0"):
        choose_tail_slots(curve[1:])


def make_model() -> TailNet:
    # Items 0 and 1 have the most clicks, so with the default head share
    # 0.2 they are the head of the 10 items and items 2-9 the tail.
    clicks = np.array([90, 80, 7, 6, 5, 4, 3, 2, 1, 1])
    torch.manual_seed(0)
    config = TailNetConfig(embedding_dim=8, hidden_dim=8, dropout=0.0)
    model = TailNet(config, [f"item{index}" for index in range(10)], clicks)
    model.eval()
    return model


def test_suggest_applies_tail_quota():
    model = make_model()
    session = ["item0", "item1"]
    plain = suggest(model, session, count=10)
    assert [entry.is_tail for entry in plain] == [
        item not in {"item0", "item1"} for item in (e.item_id for e in plain)
    ]
    for slots in range(4):
        result = suggest(model, session, count=3, tail_slots=slots)
        plain_tail = sum(entry.is_tail for entry in plain[:3])
        assert sum(entry.is_tail for entry in result) == max(slots, plain_tail)
        scores = [entry.score for entry in result]
        assert scores == sorted(scores, reverse=True)
    only_tail = suggest(model, session, count=3, tail_slots=3)
    assert [entry.item_id for entry in only_tail] == [
        entry.item_id for entry in plain if entry.is_tail
    ][:3]


def test_suggest_quota_skips_excluded_and_popularity():
    model = make_model()
    excluded = {f"item{index}" for index in range(2, 9)}
    result = suggest(model, ["item0"], count=3, exclude=excluded, tail_slots=3)
    assert sorted(entry.item_id for entry in result) == ["item0", "item1", "item9"]
    popular = suggest(model, ["unknown"], count=2, tail_slots=2)
    assert [entry.item_id for entry in popular] == ["item0", "item1"]
    assert [entry.source for entry in popular] == ["popularity", "popularity"]


def test_suggest_rejects_invalid_tail_slots():
    with pytest.raises(ValueError, match="tail_slots must be a whole number of at"):
        suggest(make_model(), ["item0"], tail_slots=-1)
