"""Serving a TailNet trained with the item prior from the site's counts."""

import datetime as dt
from dataclasses import replace

import numpy as np
import pytest
import torch
from django.utils import timezone

from recommender.ml.tailnet import TailNet, TailNetConfig, save_tailnet
from recommender.models import Interaction, ModelVersion
from suggestions import serving
from suggestions.models import SessionView
from suggestions.services import Visitor, compute_suggestions
from suggestions.tests.helpers import build_market

pytestmark = pytest.mark.django_db

PRIOR_CONFIG = TailNetConfig(
    embedding_dim=8,
    hidden_dim=8,
    dropout=0.0,
    item_prior=True,
    prior_window_days=5.0,
)


@pytest.fixture(autouse=True)
def _fresh_model_cache():
    serving.clear_cache()
    yield
    serving.clear_cache()


def record(user, product, days_ago, count=1):
    for _ in range(count):
        Interaction.objects.create(
            user=user,
            product=product,
            kind=Interaction.Kind.VIEW,
            source=Interaction.Source.SITE,
            occurred_at=timezone.now() - dt.timedelta(days=days_ago),
        )


def promote_model(tmp_path, listings, config, state=None):
    """Save an untrained TailNet over the market's products and promote it."""
    item_ids = sorted(listing.product.parent_asin for listing in listings.values())
    torch.manual_seed(0)
    model = TailNet(config, item_ids, np.arange(len(item_ids), 0, -1))
    if state is not None:
        model.load_state_dict(state, strict=False)
    if config.item_prior:
        with torch.no_grad():
            model.prior_weight.fill_(100.0)
    path = tmp_path / f"tailnet-{ModelVersion.objects.count()}.pt"
    save_tailnet(model, path)
    ModelVersion.objects.create(
        kind=ModelVersion.Kind.TAILNET,
        artifact_path=str(path),
        config=config.to_state(),
        promoted_at=timezone.now(),
    )
    return model


def camera_viewer(buyer, listings):
    visitor = Visitor(user_pk=buyer.pk, session_key="")
    SessionView.objects.create(
        user_id=buyer.pk,
        session_key="",
        listing=listings["camera"],
        product=listings["camera"].product,
        viewed_at=timezone.now(),
    )
    return visitor


def test_recent_item_counts_window():
    buyer, listings = build_market()
    record(buyer, listings["strap"].product, days_ago=1, count=3)
    record(buyer, listings["bag"].product, days_ago=4)
    record(buyer, listings["lens"].product, days_ago=6)

    counts = serving.recent_item_counts(5.0)

    assert counts == {
        listings["strap"].product.parent_asin: 3,
        listings["bag"].product.parent_asin: 1,
    }


def test_recent_item_counts_cached_until_cleared():
    buyer, listings = build_market()
    record(buyer, listings["strap"].product, days_ago=1)
    strap = listings["strap"].product.parent_asin
    assert serving.recent_item_counts(5.0) == {strap: 1}

    record(buyer, listings["strap"].product, days_ago=1)

    assert serving.recent_item_counts(5.0) == {strap: 1}
    assert serving.recent_item_counts(2.0) == {strap: 2}
    serving.clear_cache()
    assert serving.recent_item_counts(5.0) == {strap: 2}


def test_prior_model_ranks_recent_product_first(tmp_path):
    buyer, listings = build_market()
    promote_model(tmp_path, listings, PRIOR_CONFIG)
    record(buyer, listings["strap"].product, days_ago=1, count=20)
    record(buyer, listings["bag"].product, days_ago=2, count=5)
    record(buyer, listings["tripod"].product, days_ago=9, count=50)
    visitor = camera_viewer(buyer, listings)

    suggestions = compute_suggestions(visitor, count=2)

    assert suggestions.source == "tailnet"
    assert [item["title"] for item in suggestions.listings] == ["strap", "bag"]


def test_prior_model_without_recent_interactions_degrades(tmp_path):
    buyer, listings = build_market()
    with_prior = promote_model(tmp_path, listings, PRIOR_CONFIG)
    visitor = camera_viewer(buyer, listings)
    zero_prior = compute_suggestions(visitor, count=4)

    serving.clear_cache()
    promote_model(
        tmp_path,
        listings,
        replace(PRIOR_CONFIG, item_prior=False),
        state=with_prior.state_dict(),
    )
    without = compute_suggestions(visitor, count=4)

    assert zero_prior.source == "tailnet"
    assert len(zero_prior.listings) == 4
    assert [item["id"] for item in zero_prior.listings] == [
        item["id"] for item in without.listings
    ]
    assert zero_prior.model_version != without.model_version
