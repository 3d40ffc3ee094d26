"""Measure event-to-suggestion latency of /ws/session/ over loopback.

The script creates a scratch database on 127.0.0.1
(marketplace_session_bench by default), seeds --listings listings on as
many products, and registers a small TailNet trained on random sessions
over those products. It then starts daphne on a free port of 127.0.0.1
and a Celery worker (--pool, --concurrency), both on that database
and on the Redis database of REDIS_URL (channel layer and broker).

--sockets anonymous sockets each send one view of a random listing every
--interval seconds for --seconds seconds, and halfway between two views a
ping. The view latency runs from sending the view to receiving its
suggestions, so it covers the stored view, the Celery round trip, TailNet
and the channel layer. The ping latency is the plain websocket round trip
through the same server, the baseline. The script prints the median and
99th percentile of both and their ratio, then stops the processes and
drops the database.

Usage:
    python bench/session_suggestions_latency.py --sockets 50 --seconds 30
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import gc
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import websockets
from scratch_database import (
    PROJECT_ROOT,
    add_database_arguments,
    create_database,
    drop_database,
    setup_django,
)

SECRET_KEY = "session-latency-benchmark-only"
ORIGIN = "http://127.0.0.1"


def parse_arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    add_database_arguments(parser, default="marketplace_session_bench")
    parser.add_argument("--sockets", type=int, default=50, help="Open sockets.")
    parser.add_argument(
        "--interval", type=float, default=2.0, help="Seconds between views."
    )
    parser.add_argument(
        "--seconds", type=float, default=30.0, help="Seconds of measurement."
    )
    parser.add_argument("--listings", type=int, default=500, help="Listings to seed.")
    parser.add_argument(
        "--concurrency",
        type=int,
        default=1,
        help="Tasks the worker runs at once (processes or threads of its pool).",
    )
    parser.add_argument(
        "--pool",
        choices=("solo", "prefork", "threads"),
        default=None,
        help="Celery pool of the worker (default: solo for --concurrency 1, "
        "prefork otherwise). solo runs tasks in the worker's main process, "
        "prefork in child processes, threads in threads of the main process.",
    )
    return parser.parse_args()


def seed(listing_count: int, artifact_dir: Path) -> list[int]:
    """Create the listings and a promoted TailNet; return the listing ids."""
    from decimal import Decimal

    from django.conf import settings

    from accounts.models import User
    from listings.models import Listing, Product
    from recommender.ml.tailnet import TailNetConfig
    from suggestions.training import sequence_examples, train_and_register

    settings.RECOMMENDER_ARTIFACT_DIR = artifact_dir
    seller = User.objects.create_user(username="seller", password="x")
    products = Product.objects.bulk_create(
        Product(parent_asin=f"B{number:09d}", title=f"Product {number}")
        for number in range(listing_count)
    )
    listings = Listing.objects.bulk_create(
        Listing(
            seller=seller,
            product=product,
            title=product.title,
            price=Decimal("10.00"),
            condition=Listing.Condition.GOOD,
        )
        for product in products
    )
    generator = random.Random(0)
    asins = [product.parent_asin for product in products]
    sequences = [generator.sample(asins, 5) for _ in range(2000)]
    config = TailNetConfig(embedding_dim=32, hidden_dim=32, epochs=1)
    examples, item_ids, click_counts = sequence_examples(
        sequences, max_length=config.max_length
    )
    train_and_register(examples, item_ids, click_counts, config)
    return [listing.pk for listing in listings]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def wait_for_port(port: int, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            _, writer = await asyncio.open_connection("127.0.0.1", port)
        except OSError:
            if time.monotonic() > deadline:
                raise
            await asyncio.sleep(0.2)
            continue
        writer.close()
        return


async def run_socket(
    url: str,
    listing_ids: list[int],
    arguments: argparse.Namespace,
    start: float,
    view_latencies: list[float],
    ping_latencies: list[float],
) -> int:
    """Drive one socket; return the count of views without suggestions.

    Each suggestions message is matched to the oldest view still waiting.
    That is exact for the solo pool, which runs tasks in arrival order. With
    several processes or threads the match is right while a socket's views
    do not overtake each other, which takes a backlog of more than
    --interval.
    """
    generator = random.Random()
    async with websockets.connect(url, origin=ORIGIN) as connection:  # type: ignore[arg-type]
        waiting_views: collections.deque[float] = collections.deque()
        sent_ping: float | None = None

        async def read() -> None:
            nonlocal sent_ping
            async for text in connection:
                message = json.loads(text)
                now = time.perf_counter()
                if message["type"] == "suggestions" and waiting_views:
                    view_latencies.append(now - waiting_views.popleft())
                elif message["type"] == "pong" and sent_ping is not None:
                    ping_latencies.append(now - sent_ping)
                    sent_ping = None
                elif message["type"] == "error":
                    print(f"error message: {message['message']}", file=sys.stderr)

        reader = asyncio.create_task(read())
        # Spread the sockets over the interval so views do not arrive at once.
        await asyncio.sleep(generator.uniform(0, arguments.interval))
        while time.perf_counter() - start < arguments.seconds:
            waiting_views.append(time.perf_counter())
            listing = generator.choice(listing_ids)
            await connection.send(json.dumps({"type": "view", "listing": listing}))
            await asyncio.sleep(arguments.interval / 2)
            sent_ping = time.perf_counter()
            await connection.send(json.dumps({"type": "ping"}))
            await asyncio.sleep(arguments.interval / 2)
        await asyncio.sleep(arguments.interval)
        reader.cancel()
        return len(waiting_views)


def cpu_seconds(pid: int) -> float:
    """Return the user and system CPU time of process `pid` and its children.

    Live children, such as the processes of a prefork pool, are read from
    /proc one by one. Children that have exited count through their
    parent's figures once it has reaped them.
    """
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    seconds = sum(int(value) for value in fields[11:15]) / os.sysconf("SC_CLK_TCK")
    children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    for child in children:
        try:
            seconds += cpu_seconds(int(child))
        except FileNotFoundError:
            continue
    return seconds


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


async def measure(
    port: int, listing_ids: list[int], arguments: argparse.Namespace
) -> tuple[list[float], list[float], int]:
    url = f"ws://127.0.0.1:{port}/ws/session/"
    view_latencies: list[float] = []
    ping_latencies: list[float] = []
    start = time.perf_counter()
    missed = await asyncio.gather(
        *(
            run_socket(
                url, listing_ids, arguments, start, view_latencies, ping_latencies
            )
            for _ in range(arguments.sockets)
        )
    )
    return view_latencies, ping_latencies, sum(missed)


def main() -> None:
    arguments = parse_arguments()
    create_database(arguments)
    processes: list[subprocess.Popen[bytes]] = []
    try:
        setup_django(arguments, secret_key=SECRET_KEY)
        artifact_dir = Path(tempfile.mkdtemp(prefix="session-bench-"))
        listing_ids = seed(arguments.listings, artifact_dir)
        # The sockets run in this process, which loaded Django and PyTorch to
        # seed. A full garbage collection of those objects takes over 100 ms
        # and would pause every socket, so they are frozen out of it.
        gc.collect()
        gc.freeze()
        from django.conf import settings

        redis_url = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/10")
        environment = {
            **os.environ,
            "REDIS_URL": redis_url,
            "CELERY_BROKER_URL": redis_url,
            "RECOMMENDER_ARTIFACT_DIR": str(artifact_dir),
            "SECRET_KEY": SECRET_KEY,
            "LOG_LEVEL": "WARNING",
            # Keep the database connections open, as production would. With
            # the default of 0, Celery's Django fixup closes the connection
            # after every task and Channels after every database call, so
            # each view would open two new connections.
            "DATABASE_CONN_MAX_AGE": "600",
        }
        pool = arguments.pool or ("solo" if arguments.concurrency == 1 else "prefork")
        if pool == "solo" and arguments.concurrency != 1:
            sys.exit(
                f"--pool solo runs one task at a time; got --concurrency "
                f"{arguments.concurrency}. Pass --pool prefork or threads."
            )
        port = free_port()
        log = open(artifact_dir / "processes.log", "w")  # noqa: SIM115
        worker_command = [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "marketplace",
            "worker",
            f"--pool={pool}",
            f"--concurrency={arguments.concurrency}",
            f"--queues={settings.SUGGESTIONS_QUEUE}",
            "--without-heartbeat",
            "--without-gossip",
            "--without-mingle",
            "--loglevel=WARNING",
        ]
        server_command = [
            sys.executable,
            "-m",
            "daphne",
            "-b",
            "127.0.0.1",
            "-p",
            str(port),
            "marketplace.asgi:application",
        ]
        for command in (worker_command, server_command):
            processes.append(
                subprocess.Popen(
                    command,
                    cwd=PROJECT_ROOT,
                    env=environment,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                )
            )
        asyncio.run(wait_for_port(port, timeout=60))
        # Let the worker connect and load TailNet before measuring.
        time.sleep(10)
        cpu_before = [cpu_seconds(process.pid) for process in processes]
        views, pings, missed = asyncio.run(measure(port, listing_ids, arguments))
        cpu_used = [
            cpu_seconds(process.pid) - before
            for process, before in zip(processes, cpu_before, strict=True)
        ]
        print(
            f"{arguments.sockets} sockets, one view every {arguments.interval:g} s "
            f"for {arguments.seconds:g} s, {pool} pool of {arguments.concurrency}; "
            f"log in {artifact_dir}"
        )
        print(f"views answered: {len(views)}, without suggestions: {missed}")
        sent = len(views) + missed
        for label, seconds in zip(("worker", "server"), cpu_used, strict=True):
            print(
                f"{label} CPU: {seconds:.1f} s, {seconds * 1000 / max(sent, 1):.1f} ms "
                "per view sent (pings included)"
            )
        for label, values in (
            ("ping round trip", pings),
            ("view to suggestions", views),
        ):
            if not values:
                print(f"{label}: no samples")
                continue
            print(
                f"{label}: median {statistics.median(values) * 1000:.1f} ms, "
                f"p99 {percentile(values, 0.99) * 1000:.1f} ms ({len(values)} samples)"
            )
        if views and pings:
            print(
                "ratio view/ping: median "
                f"{statistics.median(views) / statistics.median(pings):.1f}, p99 "
                f"{percentile(views, 0.99) / percentile(pings, 0.99):.1f}"
            )
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(timeout=30)
        drop_database(arguments)


if __name__ == "__main__":
    main()
