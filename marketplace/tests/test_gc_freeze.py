"""Objects frozen out of garbage collection."""

import gc
import weakref

import pytest

from marketplace.celery import freeze_worker_startup_objects
from marketplace.gc_freeze import freeze_heap


@pytest.fixture(autouse=True)
def _unfrozen():
    gc.unfreeze()
    yield
    gc.unfreeze()


def test_freeze_removes_live_objects_from_scans():
    startup_object = ["loaded at startup"]

    freeze_heap()

    assert gc.get_freeze_count() > 0
    assert not any(tracked is startup_object for tracked in gc.get_objects())


def test_freeze_leaves_later_objects_tracked():
    freeze_heap()
    later_object = ["allocated after startup"]

    assert any(tracked is later_object for tracked in gc.get_objects())


def test_worker_signal_freezes_startup_objects():
    startup_object = ["loaded by the worker"]

    freeze_worker_startup_objects()

    assert not any(tracked is startup_object for tracked in gc.get_objects())


class _Node:
    """A referent that a weak reference can watch."""

    def __init__(self) -> None:
        self.partner: object = None


def test_refreeze_collects_cycles_frozen_before():
    first, second = _Node(), _Node()
    first.partner, second.partner = second, first
    watcher = weakref.ref(first)
    freeze_heap()
    del first, second

    freeze_heap()

    assert watcher() is None


def test_freeze_can_be_turned_off(settings):
    settings.FREEZE_HEAP = False
    later_object = ["not frozen"]

    freeze_heap()

    assert gc.get_freeze_count() == 0
    assert any(tracked is later_object for tracked in gc.get_objects())


def test_full_collections_resume_soon_after_freeze():
    # CPython checks for a full collection once every (threshold + 1)
    # collections of each younger generation, so `survivors` reaches that
    # check about twice. The ballast, frozen below, is more than four times
    # `survivors`, so without a fresh count after the freeze no full
    # collection would run before the survivors reach a quarter of it.
    young, middle, old = gc.get_threshold()
    survivor_count = 2 * (young + 1) * (middle + 1) * (old + 1)
    ballast = [[] for _ in range(5 * survivor_count)]
    freeze_heap()
    full_collections = []

    def record(phase, info):
        if phase == "stop" and info["generation"] == 2:
            full_collections.append(info["collected"])

    gc.callbacks.append(record)
    try:
        survivors = [[] for _ in range(survivor_count)]
    finally:
        gc.callbacks.remove(record)

    assert gc.get_freeze_count() > len(ballast)
    assert len(survivors) == survivor_count
    assert len(full_collections) >= 1
