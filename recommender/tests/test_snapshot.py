import datetime as dt
from decimal import Decimal
from pathlib import Path

import numpy as np
import pytest

from recommender.ml.data import read_snapshot
from recommender.models import Interaction, TrainingSnapshot
from recommender.snapshots import build_interaction_log, export_snapshot
from recommender.tests.factories import (
    CategoryFactory,
    InteractionFactory,
    ProductFactory,
    ReviewerFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def _at(milliseconds: int) -> dt.datetime:
    return dt.datetime.fromtimestamp(milliseconds / 1000, tz=dt.UTC)


def test_export_keeps_time_order_and_millisecond_timestamps():
    camera = ProductFactory(
        parent_asin="B000CAMERA",
        title="Camera",
        price=Decimal("199.99"),
        category=CategoryFactory(name="Cameras", path="Electronics > Cameras"),
        store="Canon",
    )
    cable = ProductFactory(parent_asin="B000CABLE", title="Cable", price=None)
    alice = ReviewerFactory(external_id="ALICE")
    buyer = UserFactory(username="buyer")
    InteractionFactory(
        reviewer=alice, product=cable, occurred_at=_at(1_600_000_000_123), rating=4
    )
    InteractionFactory(
        reviewer=alice, product=camera, occurred_at=_at(1_500_000_000_456), rating=5
    )
    Interaction.objects.create(
        user=buyer,
        product=camera,
        kind=Interaction.Kind.VIEW,
        source=Interaction.Source.SITE,
        occurred_at=_at(1_700_000_000_789),
    )

    log = build_interaction_log()

    assert log.item_ids == ["B000CAMERA", "B000CABLE"]
    assert log.user_ids == [f"reviewer:{alice.pk}", f"user:{buyer.pk}"]
    assert log.timestamp_ms.tolist() == [
        1_500_000_000_456,
        1_600_000_000_123,
        1_700_000_000_789,
    ]
    assert log.item.tolist() == [0, 1, 0]
    assert log.user.tolist() == [0, 0, 1]
    assert log.rating[:2].tolist() == [5.0, 4.0]
    assert np.isnan(log.rating[2])
    assert log.items.categories == ["Electronics > Cameras", ""]
    assert log.items.stores == ["Canon", "Acme"]
    assert log.items.prices[0] == pytest.approx(199.99)
    assert np.isnan(log.items.prices[1])


def test_export_snapshot_records_manifest_and_round_trips():
    InteractionFactory.create_batch(5)

    snapshot = export_snapshot()

    assert TrainingSnapshot.objects.count() == 1
    assert snapshot.interaction_count == 5
    assert snapshot.item_count == 5
    assert snapshot.manifest["interaction_count"] == 5
    log = read_snapshot(Path(snapshot.path))
    assert len(log) == 5
    assert sorted(log.item.tolist()) == [0, 1, 2, 3, 4]


def test_export_of_empty_database_is_empty():
    log = build_interaction_log()

    assert len(log) == 0
    assert log.item_ids == []


def test_read_snapshot_rejects_directory_without_manifest(tmp_path):
    with pytest.raises(FileNotFoundError, match="not a snapshot"):
        read_snapshot(tmp_path)
