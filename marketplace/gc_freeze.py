"""Keep long-lived objects out of Python's garbage collection.

A web or worker process of this project imports Django, Celery and
PyTorch and loads models and a listing index, which leaves hundreds of
thousands of objects that the garbage collector tracks. Each full
collection walked all of them, which took 150 to 230 ms on the 2-core
machine of the session suggestions benchmark. The process paused every
request, socket or task meanwhile. docs/benchmarks.md has the figures
for the feed and for session suggestions. Frozen objects are never
scanned again, so later full collections only walk what the process
allocated since.

`FREEZE_HEAP=false` turns this off, to measure the difference.
"""

import gc
import logging

from django.conf import settings

logger = logging.getLogger(__name__)


def freeze_heap() -> None:
    """Collect garbage once, then move every live object out of later scans.

    Called once startup is done and again after each model or index load,
    which is rare and slow anyway. The previous freeze is undone first, so
    that reference cycles among objects frozen earlier (a replaced model,
    say) are collected now rather than kept for good. Frozen objects are
    still freed when their reference count drops to zero.
    """
    if not settings.FREEZE_HEAP:
        return
    gc.unfreeze()
    gc.collect()
    gc.freeze()
    # CPython (3.11) starts a full collection only once the objects moved
    # into the oldest generation since the last one exceed a quarter of
    # what that collection left there. The collection above counted the
    # whole heap, frozen objects included. So the first full collection
    # would wait for about a quarter of the heap to pile up, which took
    # 24 s at 20 feed requests a second and then paused the process for
    # about 100 ms. A second collection, which scans nothing frozen,
    # starts the count from the unfrozen objects instead.
    gc.collect()
    logger.info("Froze %d objects out of garbage collection", gc.get_freeze_count())
