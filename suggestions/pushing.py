"""Send group messages to the channel layer from synchronous code.

`async_to_sync` called from a thread without an event loop, as in a Celery
worker, starts a thread and an event loop for each call. channels_redis
keeps its connection pool per event loop, so every push would also open a
new Redis connection. Here one event loop per process runs in a daemon
thread and serves every push, so its connections are reused.
"""

import asyncio
import logging
import os
import threading
from collections.abc import Sequence
from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import InMemoryChannelLayer, get_channel_layer

logger = logging.getLogger(__name__)

# Seconds a push may wait for the channel layer before it is given up.
SEND_TIMEOUT_SECONDS = 5.0

_lock = threading.Lock()
_loop: asyncio.AbstractEventLoop | None = None
_loop_pid: int | None = None


def send_to_groups(messages: Sequence[tuple[str, dict[str, Any]]]) -> None:
    """Send each `(group, message)` pair through the default channel layer.

    Does nothing without a channel layer. Raises what the layer raises
    (OSError, RedisError) and TimeoutError after SEND_TIMEOUT_SECONDS.
    """
    channel_layer = get_channel_layer()
    if channel_layer is None or not messages:
        return
    if isinstance(channel_layer, InMemoryChannelLayer):
        # The in-memory layer only reaches consumers of this process, whose
        # queues belong to the server's event loop, so `async_to_sync` (which
        # runs on that loop when called from a `sync_to_async` thread) is
        # the only way in.
        async_to_sync(_send_all)(channel_layer, messages)
        return
    future = asyncio.run_coroutine_threadsafe(
        _send_all(channel_layer, messages), _running_loop()
    )
    future.result(timeout=SEND_TIMEOUT_SECONDS)


async def _send_all(
    channel_layer: Any, messages: Sequence[tuple[str, dict[str, Any]]]
) -> None:
    await asyncio.gather(
        *(channel_layer.group_send(group, message) for group, message in messages)
    )


def _running_loop() -> asyncio.AbstractEventLoop:
    """Return this process's push loop, started on first use.

    A forked child (a prefork pool process) does not inherit the parent's
    thread, so it starts a loop of its own.
    """
    global _loop, _loop_pid
    with _lock:
        if _loop is not None and _loop_pid == os.getpid():
            return _loop
        loop = asyncio.new_event_loop()
        thread = threading.Thread(
            target=loop.run_forever, name="channel-layer-push", daemon=True
        )
        thread.start()
        _loop, _loop_pid = loop, os.getpid()
        logger.info("Started the channel layer push loop in process %s", _loop_pid)
        return loop
