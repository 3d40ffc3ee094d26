"""Prediction moments, item timelines and the time-aware popularity."""

from pathlib import Path

import numpy as np
import pytest
import torch
from django.conf import settings

from recommender.ml.benchmark_files import read_benchmark_directory
from recommender.ml.data import InteractionLog, ItemFeatures
from recommender.ml.evaluation import EvaluationSettings
from recommender.ml.evaluation_models import (
    EvaluationContext,
    evaluate_baselines,
    popularity_score_function,
)
from recommender.ml.popularity import ItemTimeline, popularity_ranking_scores
from recommender.ml.ranking import build_evaluation_users
from recommender.ml.splits import Split, files_split

DATA = Path(str(settings.MARKETPLACE_DATA_DIR)) / "amazon2023"
DAY_MS = 86_400_000


@pytest.fixture(autouse=True)
def single_thread():
    torch.set_num_threads(1)


def make_log(users, items, days, item_count, user_count=None):
    return InteractionLog(
        user_ids=[f"u{index}" for index in range(user_count or max(users) + 1)],
        item_ids=[f"i{index}" for index in range(item_count)],
        user=np.asarray(users, dtype=np.int64),
        item=np.asarray(items, dtype=np.int64),
        timestamp_ms=np.asarray(days, dtype=np.int64) * DAY_MS,
        rating=np.full(len(users), 5.0, dtype=np.float32),
        items=ItemFeatures.empty(item_count),
    )


# Item 0 was rated on days 1, 2 and 3, item 1 on days 10 and 11, item 2 on
# day 20; item 3 never.
HISTORY = make_log(
    [0, 1, 2, 0, 1, 2], [0, 0, 0, 1, 1, 2], [1, 2, 3, 10, 11, 20], item_count=4
)


def test_timeline_counts_events_up_to_moment():
    timeline = ItemTimeline(HISTORY)

    assert timeline.counts(11 * DAY_MS).tolist() == [3, 2, 0, 0]
    assert timeline.counts(11 * DAY_MS - 1).tolist() == [3, 1, 0, 0]
    assert timeline.counts(11 * DAY_MS, days=1).tolist() == [0, 2, 0, 0]
    assert timeline.counts(0).tolist() == [0, 0, 0, 0]


def test_timeline_ages_unseen_items_as_new():
    timeline = ItemTimeline(HISTORY)

    assert timeline.age_days(12 * DAY_MS).tolist() == [11.0, 2.0, 0.0, 0.0]


def test_ranking_scores_break_window_ties_by_earlier_counts():
    timeline = ItemTimeline(HISTORY)

    scores = popularity_ranking_scores(timeline, 21 * DAY_MS, days=15)

    # Items 1 and 2 lead the window with 2 and 1 events. Items 0 and 3 have
    # none in it, and item 0 comes first because of its 3 earlier events.
    assert np.argsort(-scores).tolist() == [1, 2, 0, 3]


def test_global_moment_is_last_history_event():
    target = make_log([0, 1], [3, 3], [30, 40], item_count=4, user_count=3)

    users = build_evaluation_users(HISTORY, target)

    assert users.prediction_ms.tolist() == [20 * DAY_MS, 20 * DAY_MS]


def test_per_user_moment_precedes_first_target():
    target = make_log([0, 1, 1], [3, 3, 2], [12, 5, 4], item_count=4, user_count=3)

    users = build_evaluation_users(HISTORY, target, per_user_time=True)

    assert users.prediction_ms.tolist() == [12 * DAY_MS - 1, 4 * DAY_MS - 1]


def test_recent_popularity_ignores_later_events_per_user():
    # Item 0 has 3 events on days 1-3 and item 1 has 4 on days 10-13. User
    # 0 is ranked as of day 5, before item 1's events, and user 1 as of
    # day 14, after them.
    history = make_log(
        [0, 1, 2, 0, 1, 2, 0],
        [0, 0, 0, 1, 1, 1, 1],
        [1, 2, 3, 10, 11, 12, 13],
        item_count=3,
    )
    target = make_log([0, 1], [2, 2], [5, 14], item_count=3, user_count=3)
    users = build_evaluation_users(history, target, per_user_time=True)

    scores = popularity_score_function(ItemTimeline(history), users, days=30)(
        np.arange(2)
    )

    assert torch.argsort(scores[0], descending=True).tolist() == [0, 1, 2]
    assert torch.argsort(scores[1], descending=True).tolist() == [1, 0, 2]


def test_files_split_detects_time_split():
    split = files_split(read_benchmark_directory(DATA / "electronics/kcore5"))

    assert split.name == "time"
    assert split.time_respecting is True
    assert (len(split.train), len(split.valid), len(split.test)) == (
        111_481,
        6_557,
        13_116,
    )


def test_files_split_detects_leave_last_out():
    data = read_benchmark_directory(DATA / "all_beauty/5core/last_out_w_his")

    split = files_split(data)

    assert split.name == "leave-last-out"
    assert split.time_respecting is False
    assert (len(split.train), len(split.valid), len(split.test)) == (2_029, 253, 253)


@pytest.mark.slow
def test_popularity_baselines_on_time_split():
    split = files_split(read_benchmark_directory(DATA / "electronics/kcore5"))
    context = EvaluationContext.build(split, head_share=0.8)
    settings = EvaluationSettings(models=("popularity", "popularity-recent"))
    runs: dict = {}
    selection: dict = {}

    evaluate_baselines(context, settings, runs, selection)

    # Users without history are ranked like everyone else by the
    # popularity rows, so the 30-day row matches the reference figures.
    assert context.cold_users == 152
    assert set(runs) == {"popularity", "popularity-recent", "popularity-30d"}
    assert runs["popularity"][0]["recall@20"] == pytest.approx(0.0235, abs=5e-5)
    assert runs["popularity-30d"][0]["recall@20"] == pytest.approx(0.0613, abs=5e-5)
    assert runs["popularity-30d"][0]["ndcg@20"] == pytest.approx(0.0294, abs=5e-5)
    assert selection["popularity-recent"]["window_days"] == 60.0


def test_rank_falls_back_only_without_history():
    # User 2 has no event before the test period; items 0 and 1 lead the
    # all-time counts.
    train = make_log([0, 1, 0], [0, 0, 1], [1, 2, 3], item_count=4, user_count=3)
    valid = make_log([1], [1], [4], item_count=4, user_count=3)
    test = make_log([0, 1, 2], [2, 2, 3], [5, 5, 5], item_count=4, user_count=3)
    split = Split(
        name="time", train=train, valid=valid, test=test, time_respecting=True
    )
    context = EvaluationContext.build(split, head_share=0.8)
    reverse = torch.tensor([0.0, 1.0, 2.0, 3.0])

    def score(positions):
        return reverse.expand(len(positions), -1)

    with_fallback = context.rank(score)
    as_is = context.rank_as_is(score)

    assert context.cold_users == 1
    assert with_fallback[2, :2].tolist() == [0, 1]
    assert as_is[2, :2].tolist() == [3, 2]
    assert with_fallback[0, :2].tolist() == [3, 2]
