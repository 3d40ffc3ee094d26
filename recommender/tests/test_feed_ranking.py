import numpy as np
import pytest

from recommender.feed_filters import CandidateRow
from recommender.feed_ranking import (
    DiversityRules,
    blend_with_freshness,
    diversify,
    freshness,
)


def _row(pk, *, product=None, category=1, seller=1):
    return CandidateRow(
        pk=pk,
        product_pk=product,
        parent_asin=None,
        category_pk=category,
        seller_pk=seller,
        bumped_at_epoch=0.0,
    )


def test_diversify_keeps_best_listing_per_product():
    ranked = [_row(1, product=10), _row(2, product=10), _row(3, product=11)]

    result = diversify(ranked, DiversityRules(window=10, category_cap=9, seller_cap=9))

    assert [row.pk for row in result] == [1, 3]


def test_diversify_moves_surplus_seller_to_next_window():
    ranked = [_row(pk, seller=1) for pk in range(1, 4)] + [_row(4, seller=2)]

    result = diversify(ranked, DiversityRules(window=2, category_cap=9, seller_cap=1))

    assert [row.pk for row in result] == [1, 4, 2, 3]


def test_diversify_caps_category_per_window():
    ranked = [_row(1, category=5), _row(2, category=5), _row(3, category=6)]

    result = diversify(ranked, DiversityRules(window=2, category_cap=1, seller_cap=9))

    assert [row.pk for row in result] == [1, 3, 2]


def test_diversify_drops_nothing_when_caps_cannot_hold():
    ranked = [_row(pk, seller=1) for pk in range(1, 8)]

    result = diversify(ranked, DiversityRules(window=3, category_cap=1, seller_cap=1))

    assert sorted(row.pk for row in result) == list(range(1, 8))
    assert [row.pk for row in result] == list(range(1, 8))


def test_diversity_rules_reject_zero_cap():
    with pytest.raises(ValueError, match="seller_cap must be at least 1"):
        DiversityRules(window=20, category_cap=5, seller_cap=0)


def test_freshness_halves_per_half_life():
    now = 100 * 3600.0
    bumped = np.asarray([now, now - 10 * 3600.0, now - 20 * 3600.0, now + 60.0])

    values = freshness(bumped, now, half_life_hours=10.0)

    assert np.allclose(values, [1.0, 0.5, 0.25, 1.0])


def test_freshness_rejects_non_positive_half_life():
    with pytest.raises(ValueError, match="half_life_hours=0"):
        freshness(np.zeros(1), 0.0, half_life_hours=0)


def test_blend_lets_fresh_listing_pass_slightly_better_one():
    relevance = np.asarray([1.0, 0.9, 0.0])
    bumped = np.asarray([0.0, 1000 * 3600.0, 0.0])

    blended = blend_with_freshness(
        relevance, bumped, now_epoch=1000 * 3600.0, weight=0.5, half_life_hours=24
    )

    assert int(np.argmax(blended)) == 1
