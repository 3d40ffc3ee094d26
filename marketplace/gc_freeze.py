"""Keep the objects loaded at startup out of Python's garbage collection.

A web or worker process of this project imports Django, Celery and
PyTorch, which leaves about 460,000 objects that the garbage collector
tracks. Each full collection walked all of them, 150 to 230 ms on the
2-core machine of the session suggestions benchmark, and paused every
request, socket or task of the process meanwhile. Frozen objects are
never scanned again, so later full collections only walk what the
process allocated after startup.
"""

import gc
import logging

logger = logging.getLogger(__name__)


def freeze_startup_objects() -> None:
    """Collect garbage once, then move every live object out of later scans.

    Frozen objects are still freed when their reference count drops to
    zero. Only reference cycles among them are never reclaimed, which is
    why this is called once startup is done, not per request.
    """
    gc.collect()
    gc.freeze()
    logger.info(
        "Froze %d startup objects out of garbage collection", gc.get_freeze_count()
    )
