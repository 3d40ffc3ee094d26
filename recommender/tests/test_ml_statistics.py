import math

import pytest

from recommender.ml.statistics import confidence_half_width, summarize_runs


def test_half_width_of_three_values():
    # Mean 2, sample standard deviation 1, t(0.975, 2) = 4.303.
    half_width = confidence_half_width([1.0, 2.0, 3.0])

    assert half_width == pytest.approx(4.303 / math.sqrt(3))


def test_half_width_of_one_value_is_none():
    assert confidence_half_width([0.5]) is None


def test_half_width_of_equal_values_is_zero():
    assert confidence_half_width([0.25, 0.25]) == 0.0


def test_half_width_rejects_too_many_runs():
    with pytest.raises(ValueError, match="at most 20 runs, got 21"):
        confidence_half_width([0.0] * 21)


def test_summarize_runs_averages_each_metric():
    means, half_widths = summarize_runs(
        [{"recall@20": 0.1, "ndcg@20": 0.05}, {"recall@20": 0.3, "ndcg@20": 0.05}]
    )

    assert means == {"recall@20": pytest.approx(0.2), "ndcg@20": pytest.approx(0.05)}
    assert half_widths["recall@20"] == pytest.approx(12.706 * 0.1)
    assert half_widths["ndcg@20"] == 0.0


def test_summarize_runs_rejects_no_runs():
    with pytest.raises(ValueError, match="No runs to summarize"):
        summarize_runs([])
