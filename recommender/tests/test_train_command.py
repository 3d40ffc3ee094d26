import pytest
from django.core.management import CommandError, call_command

from marketplace.celery import app as celery_app
from recommender.models import ModelVersion, TrainingSnapshot
from recommender.tests.scenarios import build_catalog

pytestmark = pytest.mark.django_db


def test_train_on_empty_database_fails_clearly():
    with pytest.raises(CommandError, match="no interactions to train on"):
        call_command("train", "two_tower")

    assert TrainingSnapshot.objects.count() == 0
    assert ModelVersion.objects.count() == 0


def test_train_with_unknown_snapshot_fails_clearly():
    with pytest.raises(CommandError, match="Snapshot 99 does not exist"):
        call_command("train", "two_tower", "--snapshot", "99")


def test_train_rejects_zero_epochs():
    with pytest.raises(CommandError, match="--epochs=0 must be at least 1"):
        call_command("train", "two_tower", "--epochs", "0")


def test_train_command_registers_version(capsys):
    build_catalog(with_listings=False)

    call_command("train", "two_tower", "--epochs", "2")

    version = ModelVersion.objects.get()
    assert version.kind == ModelVersion.Kind.TWO_TOWER
    assert version.metrics["train_events"] + version.metrics["valid_events"] == 288
    assert f"Registered two_tower v{version.pk}" in capsys.readouterr().out


def test_train_with_a_broker_queues_without_waiting(capsys, monkeypatch):
    # With a broker and no result backend the command must not ask for the
    # result; the in-memory broker of the tests keeps the message.
    monkeypatch.setitem(celery_app.conf, "task_always_eager", False)

    call_command("train", "two_tower", "--epochs", "2")

    assert capsys.readouterr().out.startswith("Queued training task ")
    assert ModelVersion.objects.count() == 0


def test_build_index_without_model_fails_clearly():
    with pytest.raises(CommandError, match="No promoted two_tower version"):
        call_command("build_index")
