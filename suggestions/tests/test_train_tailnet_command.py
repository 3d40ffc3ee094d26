"""The train_tailnet command on stored interactions and benchmark files."""

import datetime as dt
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from recommender.ml.tailnet import load_tailnet
from recommender.models import Interaction, ModelVersion
from recommender.tests.factories import ProductFactory, UserFactory

pytestmark = pytest.mark.django_db


def record_views(user, products):
    start = timezone.now() - dt.timedelta(hours=1)
    for offset, product in enumerate(products):
        Interaction.objects.create(
            user=user,
            product=product,
            kind=Interaction.Kind.VIEW,
            source=Interaction.Source.SITE,
            occurred_at=start + dt.timedelta(minutes=offset),
        )


def test_command_registers_promoted_version():
    products = [ProductFactory() for _ in range(4)]
    record_views(UserFactory(username="first"), products[:3])
    record_views(UserFactory(username="second"), products[1:])
    output = StringIO()

    call_command(
        "train_tailnet", "--epochs", "1", "--embedding-dim", "8", stdout=output
    )

    version = ModelVersion.objects.get()
    assert version.kind == ModelVersion.Kind.TAILNET
    assert version.promoted_at is not None
    assert version.metrics["examples"] == 4
    assert version.metrics["items"] == 4
    assert version.metrics["sequences"] == 2
    assert version.metrics["source"] == "interactions"
    model = load_tailnet(Path(version.artifact_path))
    assert sorted(model.item_ids) == sorted(p.parent_asin for p in products)
    assert output.getvalue().startswith(
        f"Registered TailNet version {version.pk} (promoted): 4 examples over 4 items,"
    )


def test_command_no_promote_and_max_actors():
    products = [ProductFactory() for _ in range(4)]
    record_views(UserFactory(username="first"), products[:3])
    record_views(UserFactory(username="second"), products[1:])

    call_command(
        "train_tailnet",
        "--epochs=1",
        "--embedding-dim=8",
        "--max-actors=1",
        "--no-promote",
        stdout=StringIO(),
    )

    version = ModelVersion.objects.get()
    assert version.promoted_at is None
    assert version.metrics["sequences"] == 1
    assert version.metrics["examples"] == 2


def test_command_without_sequences_fails():
    record_views(UserFactory(username="single"), [ProductFactory()])

    with pytest.raises(CommandError, match="None of the 1 sequences has the two items"):
        call_command("train_tailnet", "--epochs=1", stdout=StringIO())

    assert ModelVersion.objects.count() == 0


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--max-actors=0"], "--max-actors must be at least 1, got 0."),
        (["--embedding-dim=0"], "TailNetConfig.embedding_dim must be positive"),
        (["--epochs=-1"], "TailNetConfig.epochs must be >= 0, got -1."),
        (["--max-examples=0"], "--max-examples must be at least 1, got 0."),
    ],
)
def test_command_invalid_option_fails(arguments, message):
    with pytest.raises(CommandError) as error:
        call_command("train_tailnet", *arguments, stdout=StringIO())

    assert message in str(error.value)
    assert ModelVersion.objects.count() == 0


def test_command_trains_on_electronics_files():
    output = StringIO()

    call_command(
        "train_tailnet",
        "--electronics",
        "--max-examples=300",
        "--epochs=1",
        "--embedding-dim=8",
        stdout=output,
    )

    version = ModelVersion.objects.get()
    assert version.promoted_at is not None
    assert version.metrics["source"] == "electronics"
    assert version.metrics["examples"] == 300
    # The kcore5 files hold 9,671 items and 6,481 validation examples.
    assert version.metrics["items"] == 9671
    assert version.metrics["valid_examples"] == 6481
    assert len(version.metrics["valid_metrics"]) == 1
    assert output.getvalue().startswith(
        f"Registered TailNet version {version.pk} (promoted): 300 examples "
        "over 9671 items,"
    )


def test_command_missing_electronics_files_fails(settings, tmp_path):
    settings.MARKETPLACE_DATA_DIR = tmp_path

    with pytest.raises(CommandError) as error:
        call_command("train_tailnet", "--electronics", stdout=StringIO())

    expected = tmp_path / "amazon2023" / "electronics" / "kcore5"
    assert str(error.value) == (
        f"Electronics files not found in {expected}; set MARKETPLACE_DATA_DIR "
        "to the folder that contains amazon2023/."
    )


def test_command_item_prior_on_electronics():
    call_command(
        "train_tailnet",
        "--electronics",
        "--item-prior",
        "--max-examples=300",
        "--epochs=1",
        "--embedding-dim=8",
        stdout=StringIO(),
    )

    version = ModelVersion.objects.get()
    assert version.config["item_prior"] is True
    assert version.config["prior_window_days"] == 90.0
    model = load_tailnet(Path(version.artifact_path))
    assert model.config.item_prior is True
    assert "prior_weight" in model.state_dict()


def test_command_item_prior_needs_electronics():
    with pytest.raises(CommandError) as error:
        call_command("train_tailnet", "--item-prior", stdout=StringIO())

    assert str(error.value) == (
        "--item-prior needs --electronics; training on stored interactions "
        "does not support the item prior yet."
    )
    assert ModelVersion.objects.count() == 0
