"""Time the steps of the session-suggestions push task in one process.

The script creates a scratch database on 127.0.0.1
(marketplace_session_steps by default) and seeds it as
`session_suggestions_latency.py` does: --listings listings on as many
products and a small promoted TailNet. --visitors anonymous visitors each
view --views random listings. The script then pushes their suggestions
one visitor at a time, as a worker does when each task takes one view,
--tasks times in turn, after one untimed push per visitor. Timers wrap
each step of `push_suggestions_batch`, and the script prints the mean
wall time of each step per push and the process's CPU time per push.
The pushes go through the channel layer of REDIS_URL to groups without
sockets. The script drops the database at the end.

The task's Celery overhead (receiving the message, the Redis LPOP of the
pending views) is not included. `session_suggestions_latency.py`
reports the whole worker's CPU time per view.

Usage:
    python bench/session_task_steps.py --tasks 400
"""

from __future__ import annotations

import argparse
import collections
import functools
import os
import random
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from scratch_database import (
    add_database_arguments,
    create_database,
    drop_database,
    setup_django,
)
from session_suggestions_latency import seed

SECRET_KEY = "session-steps-benchmark-only"
# Steps of `push_suggestions_batch`, as (module, function) pairs. The
# candidate query is `_candidate_rows`. The time that
# compute_suggestions_batch spends outside these steps is printed as a row
# of its own.
STEPS = (
    ("suggestions.selectors", "_current_sessions_and_tailnet"),
    ("suggestions.selectors", "load_tailnet_version"),
    ("suggestions.selectors", "suggest_many"),
    ("suggestions.selectors", "_candidate_rows"),
    ("suggestions.selectors", "_pick_listings"),
    # Only with SUGGESTIONS_EXPOSURE_PENALTY above 0.
    ("suggestions.exposure", "shown_counts"),
    ("suggestions.exposure", "record_shown"),
    ("suggestions.selectors", "_popular_cards"),
    ("suggestions.services", "send_to_groups"),
)
WHOLE_COMPUTE = ("suggestions.services", "compute_suggestions_batch")


def parse_arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    add_database_arguments(parser, default="marketplace_session_steps")
    parser.add_argument("--listings", type=int, default=500, help="Listings to seed.")
    parser.add_argument("--visitors", type=int, default=50, help="Anonymous visitors.")
    parser.add_argument(
        "--views", type=int, default=8, help="Stored views per visitor."
    )
    parser.add_argument("--tasks", type=int, default=400, help="Timed pushes.")
    return parser.parse_args()


def wrap_with_timer(module_name: str, name: str, spent: dict[str, float]) -> None:
    """Replace `module_name.name` by a wrapper that adds its wall time."""
    module = sys.modules[module_name]
    function: Callable[..., Any] = getattr(module, name)

    @functools.wraps(function)
    def timed(*args: Any, **kwargs: Any) -> Any:
        started = time.perf_counter()
        try:
            return function(*args, **kwargs)
        finally:
            spent[name] += time.perf_counter() - started

    setattr(module, name, timed)


def main() -> None:
    arguments = parse_arguments()
    os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/10")
    artifact_dir = Path(tempfile.mkdtemp(prefix="session-steps-"))
    create_database(arguments)
    try:
        setup_django(arguments, secret_key=SECRET_KEY)
        import torch
        from django.conf import settings

        from suggestions.services import (
            Visitor,
            push_suggestions_batch,
            record_view,
        )

        torch.set_num_threads(settings.RECOMMENDER_SERVING_THREADS)
        listing_ids = seed(arguments.listings, artifact_dir)
        generator = random.Random(0)
        visitors = [
            Visitor(user_pk=None, session_key=f"steps-{number:034d}")
            for number in range(arguments.visitors)
        ]
        for visitor in visitors:
            for _ in range(arguments.views):
                record_view(visitor=visitor, listing_pk=generator.choice(listing_ids))
        for visitor in visitors:
            push_suggestions_batch([visitor])

        spent: dict[str, float] = collections.defaultdict(float)
        for module_name, name in (*STEPS, WHOLE_COMPUTE):
            if hasattr(sys.modules[module_name], name):
                wrap_with_timer(module_name, name, spent)
        wall_started = time.perf_counter()
        cpu_started = time.process_time()
        for number in range(arguments.tasks):
            push_suggestions_batch([visitors[number % len(visitors)]])
        wall = time.perf_counter() - wall_started
        cpu = time.process_time() - cpu_started

        def per_task(seconds: float) -> str:
            return f"{seconds * 1000 / arguments.tasks:.2f} ms"

        print(
            f"{arguments.tasks} pushes of one visitor each: wall {per_task(wall)}, "
            f"CPU of this process {per_task(cpu)} per push"
        )
        listed = 0.0
        for _, name in STEPS:
            if name in spent:
                print(f"  {name}: {per_task(spent[name])}")
                if name != "send_to_groups":
                    listed += spent[name]
        rest = spent[WHOLE_COMPUTE[1]] - listed
        print(f"  rest of compute_suggestions_batch: {per_task(rest)}")
    finally:
        drop_database(arguments)
        shutil.rmtree(artifact_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
