"""Startup objects frozen out of garbage collection."""

import gc

import pytest

from marketplace.celery import freeze_worker_startup_objects
from marketplace.gc_freeze import freeze_startup_objects


@pytest.fixture(autouse=True)
def _unfrozen():
    gc.unfreeze()
    yield
    gc.unfreeze()


def test_freeze_removes_live_objects_from_scans():
    startup_object = ["loaded at startup"]

    freeze_startup_objects()

    assert gc.get_freeze_count() > 0
    assert not any(tracked is startup_object for tracked in gc.get_objects())


def test_freeze_leaves_later_objects_tracked():
    freeze_startup_objects()
    later_object = ["allocated after startup"]

    assert any(tracked is later_object for tracked in gc.get_objects())


def test_worker_signal_freezes_startup_objects():
    startup_object = ["loaded by the worker"]

    freeze_worker_startup_objects()

    assert not any(tracked is startup_object for tracked in gc.get_objects())
