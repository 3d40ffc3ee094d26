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
    freeze_heap()
    full_collections = []

    def record(phase, info):
        if phase == "stop" and info["generation"] == 2:
            full_collections.append(info["collected"])

    gc.callbacks.append(record)
    try:
        # 100,000 surviving containers pass through the young generations
        # often enough to reach a full-collection check, and are far fewer
        # than a quarter of the frozen heap.
        survivors = [[] for _ in range(100_000)]
    finally:
        gc.callbacks.remove(record)

    assert gc.get_freeze_count() > 4 * len(survivors)
    assert len(full_collections) >= 1
