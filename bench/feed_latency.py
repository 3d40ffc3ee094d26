"""Measure home feed latency at several listing counts beside a trivial page.

The script creates a scratch database on 127.0.0.1 (marketplace_feed_bench
by default) and migrates it. It trains a small Two-Tower model on the
Electronics kcore5 train file, then bulk-creates:

- synthetic users named synthetic-user-N, each with a few product views,
  and a signed-in session per user;
- synthetic standalone listings (no catalog product, titled "Synthetic
  listing N") of sellers named synthetic-seller-N. The vector of each is the
  item-tower vector of a random real product plus Gaussian noise,
  re-normalized, so no two are equal and their layout resembles the real
  embeddings.

For each size it builds the faiss index the way the index task does. It
measures the recall@100 of an HNSW index against exact search and the
speed-up of one query. Then it starts the web server (gunicorn with
--workers processes, as production serves HTTP, or daphne with --server
daphne) and sends a
fixed rate of requests from client threads, first to the listing detail
endpoint (one primary-key lookup, the baseline) and then to the feed.
Latency runs from each request's scheduled send time, so a server that
falls behind shows its queueing. It prints median and 99th percentile
latency, their ratio to the baseline, the web process's CPU time per
request and its resident memory. Unless --no-worker-index is given, it
then runs the index task in a real Celery worker and prints the task's
wall time and the worker's peak resident memory. At the end it drops the
database.

The web process keeps each user's ranking for --feed-cache-seconds
(RECOMMENDER_FEED_CACHE_SECONDS). The one-at-a-time requests go to
distinct users, so they always rank afresh. In the fixed-rate phase each
user comes back about --duration * --rate / --users times, so most of
those requests reuse a ranking. Pass --feed-cache-seconds 0 to measure
ranking on every request.

Usage:
    python bench/feed_latency.py --sizes 10000 100000 --duration 30
"""

from __future__ import annotations

import argparse
import gc
import http.client
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from scratch_database import (
    PROJECT_ROOT,
    add_database_arguments,
    create_database,
    drop_database,
    setup_django,
)

if TYPE_CHECKING:
    from recommender.models import ModelVersion

SEED = 2025
SECRET_KEY = "feed-latency-benchmark-only"
SELLER_COUNT = 1000
HISTORY_ITEMS = 5
INSERT_BATCH = 20_000
RECALL_K = 100
# Feed requests sent one after another, to show the service time alone.
SEQUENTIAL_REQUESTS = 50


@dataclass
class PhaseResult:
    latencies_ms: list[float]
    errors: int
    # (seconds from the start of the phase, latency in ms) of each request.
    timeline: list[tuple[float, float]]
    # Unix time of the phase's first scheduled request.
    started_at: float

    def slowest(self, count: int = 6) -> str:
        """Describe the slowest requests and when they were sent.

        Requests slowed by one stall were sent close together. The phase's
        start in UTC lets them be matched with server and database logs.
        """
        worst = sorted(self.timeline, key=lambda entry: -entry[1])[:count]
        start = time.strftime("%H:%M:%S", time.gmtime(self.started_at))
        fraction = f"{self.started_at % 1:.2f}"[1:]
        requests = ", ".join(f"{ms:.0f} ms at {at:.2f} s" for at, ms in sorted(worst))
        return f"{requests} (phase started {start}{fraction} UTC)"

    def percentile(self, share: float) -> float:
        ordered = sorted(self.latencies_ms)
        if not ordered:
            return float("nan")
        return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def parse_arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_database_arguments(parser, default="marketplace_feed_bench")
    parser.add_argument(
        "--sizes",
        type=int,
        nargs="+",
        default=[10_000, 100_000],
        help="active listing counts to measure, ascending (default: 10000 100000)",
    )
    parser.add_argument(
        "--duration",
        type=float,
        default=30.0,
        help="seconds of load per endpoint and size (default: 30)",
    )
    parser.add_argument(
        "--rate", type=float, default=20.0, help="requests per second (default: 20)"
    )
    parser.add_argument(
        "--clients", type=int, default=4, help="client threads (default: 4)"
    )
    parser.add_argument(
        "--users", type=int, default=200, help="synthetic users (default: 200)"
    )
    parser.add_argument(
        "--noise",
        type=float,
        default=0.05,
        help="standard deviation of the noise per vector coordinate (default: "
        "0.05; item vectors have unit length over 64 coordinates)",
    )
    parser.add_argument(
        "--epochs", type=int, default=2, help="Two-Tower training epochs (default: 2)"
    )
    parser.add_argument(
        "--model-cache",
        type=Path,
        default=PROJECT_ROOT / "var" / "bench" / "feed-latency-two-tower.pt",
        help="Two-Tower artifact to reuse; trained and written there when "
        "missing (default: var/bench/feed-latency-two-tower.pt)",
    )
    parser.add_argument(
        "--feed-cache-seconds",
        type=float,
        default=30.0,
        help="RECOMMENDER_FEED_CACHE_SECONDS of the web process: seconds it "
        "reuses a user's ranking; 0 ranks on every request (default: 30)",
    )
    parser.add_argument(
        "--server",
        choices=("gunicorn", "daphne"),
        default="gunicorn",
        help="web server: gunicorn (WSGI, how production serves HTTP) or "
        "daphne (ASGI, how production serves websockets) (default: gunicorn)",
    )
    parser.add_argument(
        "--workers",
        type=int,
        default=1,
        help="gunicorn worker processes (WEB_CONCURRENCY); daphne always runs "
        "one process (default: 1)",
    )
    parser.add_argument(
        "--no-freeze-heap",
        action="store_true",
        help="run the web process with FREEZE_HEAP=false, to "
        "measure the collector's pauses",
    )
    parser.add_argument(
        "--no-worker-index",
        action="store_true",
        help="skip the phase that runs the index task in a Celery worker",
    )
    parser.add_argument(
        "--broker-url",
        default="redis://127.0.0.1:6379/10",
        help="Redis URL of the Celery broker for the worker phase; the task "
        "goes to a queue named for this run (default: redis://127.0.0.1:6379/10)",
    )
    parser.add_argument(
        "--web-port",
        type=int,
        default=8765,
        help="port of the web process on 127.0.0.1 (default: 8765)",
    )
    parser.add_argument(
        "--data-dir",
        type=Path,
        default=PROJECT_ROOT.parent
        / "shared"
        / "data"
        / "amazon2023"
        / "electronics"
        / "kcore5",
        help="directory of the Electronics kcore5 split files",
    )
    arguments = parser.parse_args()
    if arguments.sizes != sorted(arguments.sizes) or min(arguments.sizes) < 1:
        parser.error("--sizes must be positive and ascending, e.g. 10000 100000")
    if arguments.rate <= 0 or arguments.clients < 1 or arguments.duration <= 0:
        parser.error("--rate, --clients and --duration must be positive")
    return arguments


def main() -> None:
    arguments = parse_arguments()
    artifact_dir = Path(tempfile.mkdtemp(prefix="feed-bench-"))
    os.environ["RECOMMENDER_ARTIFACT_DIR"] = str(artifact_dir)
    create_database(arguments)
    try:
        setup_django(arguments, secret_key=SECRET_KEY)
        run(arguments, artifact_dir)
    finally:
        drop_database(arguments)
        shutil.rmtree(artifact_dir, ignore_errors=True)


def run(arguments: argparse.Namespace, artifact_dir: Path) -> None:
    from recommender.ml.benchmark_files import read_benchmark_directory
    from recommender.ml.two_tower import (
        TwoTowerConfig,
        load_two_tower,
        save_two_tower,
        train_two_tower,
    )

    rng = np.random.default_rng(SEED)
    started = time.perf_counter()
    train = read_benchmark_directory(arguments.data_dir).part("train")
    cache = arguments.model_cache
    if cache.exists():
        model = load_two_tower(cache)
        print(f"Loaded the Two-Tower model trained earlier from {cache}")
    else:
        config = TwoTowerConfig(epochs=arguments.epochs, threads=2, seed=SEED)
        model = train_two_tower(train, config).model
        cache.parent.mkdir(parents=True, exist_ok=True)
        save_two_tower(model, cache)
        print(
            f"Trained Two-Tower on {len(train)} events, {len(train.item_ids)} "
            f"products in {time.perf_counter() - started:.0f} s"
        )
    product_vectors = model.encode_items(
        model.index_of(train.item_ids), train.items
    ).astype(np.float32)

    version = register_model(model, artifact_dir)
    cookies, user_vectors = create_users(arguments, model, train, rng, product_vectors)
    sellers = create_sellers()
    trivial_pks: list[int] = []
    vectors = np.empty((0, product_vectors.shape[1]), dtype=np.float32)
    listing_pks = np.empty(0, dtype=np.int64)

    print(
        f"\nrate {arguments.rate:g} req/s from {arguments.clients} clients, "
        f"{arguments.duration:g} s per endpoint; latency in ms"
    )
    header = (
        "listings  endpoint  median    p99  errors  median/base  p99/base  "
        "rss_mb  recall@100  speedup  build_s"
    )
    rows: list[str] = []
    worker_rows: list[str] = []
    for size in arguments.sizes:
        new_pks = create_listings(size - len(listing_pks), sellers, rng)
        listing_pks = np.concatenate([listing_pks, new_pks])
        noisy = synthetic_vectors(len(new_pks), product_vectors, arguments.noise, rng)
        vectors = np.concatenate([vectors, noisy])
        trivial_pks = random.Random(size).sample(listing_pks.tolist(), 200)

        build_seconds, served = register_index(
            version, listing_pks, vectors, artifact_dir
        )
        recall, feed_recall, speedup = measure_recall(
            served, listing_pks, vectors, user_vectors
        )
        print(
            f"Recall@100 at efSearch {served.config.ef_search}: {recall:.3f}; "
            "at the feed's search depth "
            f"({max(served.config.ef_search, feed_depth())}): {feed_recall:.3f}"
        )
        base, feed, rss_mb = measure_server(arguments, cookies, trivial_pks)
        if not arguments.no_worker_index:
            worker_rows.append(f"{size:>8}  {measure_index_task(arguments, version)}")
        for name, result in (("baseline", base), ("feed", feed)):
            rows.append(
                f"{size:>8}  {name:<8}  {result.percentile(0.5):6.1f}  "
                f"{result.percentile(0.99):5.1f}  {result.errors:>6}  "
                f"{result.percentile(0.5) / base.percentile(0.5):>11.2f}  "
                f"{result.percentile(0.99) / base.percentile(0.99):>8.2f}  "
                f"{rss_mb:>6.0f}  {recall:>10.3f}  {speedup:>7.1f}  "
                f"{build_seconds:>7.1f}"
            )
        print(header)
        print("\n".join(rows), flush=True)
        if worker_rows:
            print(WORKER_HEADER)
            print("\n".join(worker_rows), flush=True)


def register_model(model, artifact_dir: Path):
    from django.utils import timezone

    from recommender.ml.two_tower import save_two_tower
    from recommender.models import ModelVersion

    path = artifact_dir / "two_tower.pt"
    save_two_tower(model, path)
    return ModelVersion.objects.create(
        kind=ModelVersion.Kind.TWO_TOWER,
        artifact_path=str(path),
        config=model.config.to_state(),
        promoted_at=timezone.now(),
    )


def create_users(arguments, model, train, rng, product_vectors):
    """Create users with product views and sessions; return their vectors."""
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from django.utils import timezone

    from accounts.models import User
    from listings.models import Product
    from recommender.models import Interaction

    histories = [
        rng.choice(len(train.item_ids), HISTORY_ITEMS, replace=False)
        for _ in range(arguments.users)
    ]
    used = sorted({int(item) for history in histories for item in history})
    Product.objects.bulk_create(
        Product(
            parent_asin=train.item_ids[item],
            title=train.items.titles[item][:500] or train.item_ids[item],
            has_metadata=True,
        )
        for item in used
    )
    product_pk = dict(
        Product.objects.filter(
            parent_asin__in=[train.item_ids[item] for item in used]
        ).values_list("parent_asin", "pk")
    )
    users = User.objects.bulk_create(
        User(username=f"synthetic-user-{number}", password="!")
        for number in range(arguments.users)
    )
    now = timezone.now()
    Interaction.objects.bulk_create(
        Interaction(
            user=user,
            product_id=product_pk[train.item_ids[int(item)]],
            kind=Interaction.Kind.VIEW,
            source=Interaction.Source.SITE,
            occurred_at=now,
        )
        for user, history in zip(users, histories, strict=True)
        for item in history
    )
    cookies = []
    for user in users:
        session = SessionStore()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session.create()
        cookies.append(f"{settings.SESSION_COOKIE_NAME}={session.session_key}")
    known = [model.index_of([train.item_ids[i] for i in h]).tolist() for h in histories]
    user_vectors = model.encode_users(known)
    return cookies, user_vectors


def create_sellers() -> list[int]:
    from accounts.models import User

    sellers = User.objects.bulk_create(
        User(username=f"synthetic-seller-{number}", password="!")
        for number in range(SELLER_COUNT)
    )
    return [seller.pk for seller in sellers]


def create_listings(count: int, sellers: list[int], rng) -> np.ndarray:
    """Bulk-create `count` standalone synthetic listings; return their pks."""
    import datetime as dt

    from django.db import connection
    from django.utils import timezone

    from listings.models import Listing

    now = timezone.now()
    created: list[int] = []
    start = time.perf_counter()
    for offset in range(0, count, INSERT_BATCH):
        size = min(INSERT_BATCH, count - offset)
        ages = rng.uniform(0, 30 * 24 * 3600, size)
        sellers_drawn = rng.choice(sellers, size)
        batch = Listing.objects.bulk_create(
            Listing(
                seller_id=int(seller),
                title=f"Synthetic listing {offset + number}",
                price=Decimal("25.00"),
                currency="USD",
                condition=Listing.Condition.GOOD,
                bumped_at=now - dt.timedelta(seconds=float(age)),
            )
            for number, (seller, age) in enumerate(
                zip(sellers_drawn, ages, strict=True)
            )
        )
        created.extend(listing.pk for listing in batch)
    # Fresh statistics, as autovacuum would gather them after a bulk load;
    # without them the planner expects few active listings.
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    print(f"Created {count} listings in {time.perf_counter() - start:.0f} s")
    return np.asarray(created, dtype=np.int64)


def synthetic_vectors(count: int, product_vectors, noise: float, rng) -> np.ndarray:
    base = product_vectors[rng.integers(len(product_vectors), size=count)]
    noisy = base + rng.normal(scale=noise, size=base.shape).astype(np.float32)
    return (noisy / np.linalg.norm(noisy, axis=1, keepdims=True)).astype(np.float32)


def feed_depth() -> int:
    from django.conf import settings

    return settings.RECOMMENDER_FEED_CANDIDATES


def register_index(version, listing_pks, vectors, artifact_dir: Path):
    """Build and register the index as the index task does.

    Returns the build time in seconds and the index.
    """
    import uuid

    from django.conf import settings
    from django.utils import timezone

    from recommender.ml.ann_index import AnnConfig, build_ann_index, save_ann_index
    from recommender.models import ListingEmbeddingSet

    config = AnnConfig(
        exact_below=settings.RECOMMENDER_ANN_EXACT_BELOW,
        ef_search=settings.RECOMMENDER_ANN_EF_SEARCH,
    )
    started = time.perf_counter()
    ann = build_ann_index(vectors, listing_pks, config)
    seconds = time.perf_counter() - started
    directory = artifact_dir / f"index-{uuid.uuid4().hex}"
    save_ann_index(ann, directory)
    ListingEmbeddingSet.objects.create(
        model_version=version,
        path="",
        index_path=str(directory),
        index_kind=ann.kind,
        listing_count=len(listing_pks),
        started_at=timezone.now(),
    )
    print(f"Built {ann.kind} index of {len(ann)} listings in {seconds:.1f} s")
    return seconds, ann


def measure_recall(served, listing_pks, vectors, user_vectors):
    """Return recall@100 of an HNSW index against exact search.

    Recall is measured at the configured efSearch and at the feed's search
    depth (the feed asks for RECOMMENDER_FEED_CANDIDATES neighbours, which
    raises efSearch to that). Also returns the ratio of the median exact
    query time to the median HNSW query time at the configured efSearch.
    The served index is reused when it is HNSW; below
    RECOMMENDER_ANN_EXACT_BELOW it is exact, so an HNSW index is built for
    the measurement.
    """
    import dataclasses

    import faiss
    from django.conf import settings

    from recommender.ml.ann_index import (
        AnnConfig,
        AnnIndex,
        build_ann_index,
        recall_at_k,
    )

    faiss.omp_set_num_threads(1)
    ann = served
    if ann.kind != "hnsw":
        ann = build_ann_index(
            vectors,
            listing_pks,
            AnnConfig(exact_below=0, ef_search=settings.RECOMMENDER_ANN_EF_SEARCH),
        )
    deep = AnnIndex(
        ann.index,
        ann.ids,
        dataclasses.replace(
            ann.config, ef_search=max(ann.config.ef_search, feed_depth())
        ),
    )
    exact = faiss.IndexFlatIP(vectors.shape[1])
    exact.add(vectors)
    found, deep_found, truth, ann_times, exact_times = [], [], [], [], []
    for query in user_vectors:
        deep_found.append(deep.search(query, RECALL_K)[0])
        started = time.perf_counter()
        ids, _ = ann.search(query, RECALL_K)
        ann_times.append(time.perf_counter() - started)
        started = time.perf_counter()
        _, rows = exact.search(query.reshape(1, -1), RECALL_K)
        exact_times.append(time.perf_counter() - started)
        found.append(ids)
        truth.append(listing_pks[rows[0]])
    recall = recall_at_k(np.stack(found), np.stack(truth))
    deep_recall = recall_at_k(np.stack(deep_found), np.stack(truth))
    speedup = statistics.median(exact_times) / statistics.median(ann_times)
    return recall, deep_recall, speedup


def measure_server(arguments, cookies, trivial_pks):
    """Start a web process, load it, and return both phases and its RSS."""
    environment = dict(os.environ)
    environment.update(
        {
            "DEBUG": "false",
            "ALLOWED_HOSTS": "127.0.0.1",
            "LOG_LEVEL": "WARNING",
            "OMP_NUM_THREADS": "1",
            # Keep one database connection per serving thread, as production
            # would, instead of connecting per request.
            "DATABASE_CONN_MAX_AGE": "600",
            "RECOMMENDER_FEED_CACHE_SECONDS": str(arguments.feed_cache_seconds),
            "FREEZE_HEAP": str(not arguments.no_freeze_heap).lower(),
        }
    )
    if arguments.server == "gunicorn":
        environment["WEB_CONCURRENCY"] = str(arguments.workers)
        command = [
            sys.executable,
            "-m",
            "gunicorn",
            "-c",
            "marketplace/gunicorn_conf.py",
            "--bind",
            f"127.0.0.1:{arguments.web_port}",
        ]
    else:
        command = [
            sys.executable,
            "-m",
            "daphne",
            "-b",
            "127.0.0.1",
            "-p",
            str(arguments.web_port),
            "marketplace.asgi:application",
        ]
    log_path = Path(os.environ["RECOMMENDER_ARTIFACT_DIR"]) / "web.log"
    with open(log_path, "ab") as log:
        server = subprocess.Popen(
            command, cwd=PROJECT_ROOT, env=environment, stdout=log, stderr=log
        )
        try:
            base, feed, rss_mb = load_server(arguments, server, cookies, trivial_pks)
        finally:
            server.terminate()
            server.wait(timeout=30)
    return base, feed, rss_mb


WORKER_HEADER = (
    "listings  index task: wall_s  kind   worker_peak_rss_mb  worker_rss_after_mb"
)


def measure_index_task(arguments: argparse.Namespace, version: ModelVersion) -> str:
    """Run the index task in a Celery worker and report its time and memory.

    The worker runs as `make worker` runs it (prefork, one pool process)
    and consumes a queue named for this run only. The task embeds every
    active listing with the Two-Tower model and builds the index, as after
    a training run. Its wall time runs from sending the task to the new
    embedding set's row, with the worker started and ready before. The
    peak resident memory (VmHWM) is that of the pool process that ran the
    task. The task registers a new index from the listings' content
    vectors, so this phase runs after the feed phases of its size.
    """
    import uuid

    from celery import Celery

    from recommender.models import ListingEmbeddingSet

    queue = f"feed-bench-{uuid.uuid4().hex}"
    environment = dict(os.environ)
    environment.update(
        {"CELERY_BROKER_URL": arguments.broker_url, "LOG_LEVEL": "WARNING"}
    )
    log_path = Path(os.environ["RECOMMENDER_ARTIFACT_DIR"]) / "worker.log"
    command = [
        sys.executable,
        "-m",
        "celery",
        "-A",
        "marketplace",
        "worker",
        "--concurrency=1",
        f"--queues={queue}",
        "--without-heartbeat",
        "--without-gossip",
        "--without-mingle",
        "--loglevel=INFO",
        f"--logfile={log_path}",
    ]
    last = ListingEmbeddingSet.objects.order_by("-pk").first()
    last_pk = last.pk if last is not None else 0
    with open(log_path.with_suffix(".out"), "ab") as console:
        worker = subprocess.Popen(
            command, cwd=PROJECT_ROOT, env=environment, stdout=console, stderr=console
        )
    sender = Celery(broker=arguments.broker_url)
    try:
        wait_for_worker(worker, log_path)
        started = time.perf_counter()
        sender.send_task(
            "recommender.tasks.build_listing_embeddings_task",
            args=[version.pk],
            queue=queue,
        )
        while True:
            built = ListingEmbeddingSet.objects.filter(pk__gt=last_pk).first()
            if built is not None:
                break
            if worker.poll() is not None or time.perf_counter() - started > 2000:
                raise RuntimeError(
                    f"The index task did not finish; see the worker log {log_path}."
                )
            time.sleep(0.2)
        seconds = time.perf_counter() - started
        pool = server_processes(worker.pid)[1:]
        peak_mb = max(memory_field_mb(pid, "VmHWM:") for pid in pool)
        after_mb = max(memory_field_mb(pid, "VmRSS:") for pid in pool)
    finally:
        sender.close()
        worker.terminate()
        worker.wait(timeout=60)
    print(
        f"Index task in a Celery worker: {built.listing_count} listings, "
        f"{built.index_kind}, {seconds:.1f} s, pool process peak RSS "
        f"{peak_mb:.0f} MB"
    )
    return (
        f"{seconds:>18.1f}  {built.index_kind:<5}  {peak_mb:>18.0f}  {after_mb:>19.0f}"
    )


def wait_for_worker(worker: subprocess.Popen, log_path: Path) -> None:
    """Wait until the worker logs that it is ready to take tasks."""
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if worker.poll() is not None:
            raise RuntimeError(f"The Celery worker exited; see {log_path}.")
        if log_path.exists() and " ready." in log_path.read_text(errors="replace"):
            return
        time.sleep(0.2)
    raise RuntimeError(f"The Celery worker was not ready after 120 s; see {log_path}.")


def load_server(arguments, server, cookies, trivial_pks):
    wait_for_server(arguments.web_port)
    # Load the model and index before timing anything, with users other than
    # the first SEQUENTIAL_REQUESTS, so every timed request below ranks
    # afresh instead of reusing a cached ranking.
    for cookie in cookies[-3:]:
        status, _ = fetch(arguments.web_port, "/api/v1/feed/?page_size=20", cookie)
        if status != 200:
            raise RuntimeError(f"Warm-up feed request failed with {status}.")
    rng = random.Random(SEED)
    sequential = []
    for cookie in cookies[:SEQUENTIAL_REQUESTS]:
        started = time.perf_counter()
        status, _ = fetch(arguments.web_port, "/api/v1/feed/?page_size=20", cookie)
        sequential.append((time.perf_counter() - started) * 1000)
        if status != 200:
            raise RuntimeError(f"Feed request failed with {status}.")
    print(
        f"One feed request at a time: median "
        f"{statistics.median(sequential):.1f} ms over {len(sequential)} requests"
    )
    # The client threads share this process with the model, the vectors and
    # the ORM objects created above. A full garbage collection here would
    # delay every request in flight and count as server latency.
    gc.collect()
    gc.freeze()
    cpu_start = cpu_seconds(server.pid)
    base = run_phase(
        arguments,
        lambda: (f"/api/v1/listings/{rng.choice(trivial_pks)}/", ""),
    )
    cpu_middle = cpu_seconds(server.pid)
    feed = run_phase(
        arguments, lambda: ("/api/v1/feed/?page_size=20", rng.choice(cookies))
    )
    cpu_end = cpu_seconds(server.pid)
    for name, result, seconds in (
        ("listing lookup", base, cpu_middle - cpu_start),
        ("feed", feed, cpu_end - cpu_middle),
    ):
        requests = len(result.latencies_ms) + result.errors
        print(
            f"Web process CPU in the {name} phase: {seconds:.1f} s, "
            f"{seconds * 1000 / max(requests, 1):.1f} ms per request; slowest: "
            f"{result.slowest()}"
        )
    return base, feed, resident_memory_mb(server.pid)


def wait_for_server(port: int) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            fetch(port, "/api/v1/schema/", "")
            return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(
        f"The web process did not respond on port {port} within 60 s; see "
        "web.log in the artifact directory."
    )


def fetch(port: int, path: str, cookie: str) -> tuple[int, bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        headers = {"Cookie": cookie} if cookie else {}
        connection.request("GET", path, headers=headers)
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def run_phase(arguments, next_request) -> PhaseResult:
    """Send `rate` requests per second, spread evenly over the clients."""
    interval = arguments.clients / arguments.rate
    count = int(arguments.duration * arguments.rate / arguments.clients)
    latencies: list[float] = []
    timeline: list[tuple[float, float]] = []
    errors = [0]
    lock = threading.Lock()
    start = time.perf_counter() + 0.5
    started_at = time.time() + 0.5

    def client(number: int) -> None:
        connection = http.client.HTTPConnection("127.0.0.1", arguments.web_port)
        for sent in range(count):
            scheduled = start + (sent + number / arguments.clients) * interval
            delay = scheduled - time.perf_counter()
            if delay > 0:
                time.sleep(delay)
            with lock:
                path, cookie = next_request()
            try:
                connection.request("GET", path, headers={"Cookie": cookie})
                response = connection.getresponse()
                response.read()
                ok = response.status == 200
            except (OSError, http.client.HTTPException):
                connection.close()
                connection = http.client.HTTPConnection("127.0.0.1", arguments.web_port)
                ok = False
            elapsed_ms = (time.perf_counter() - scheduled) * 1000
            with lock:
                if ok:
                    latencies.append(elapsed_ms)
                    timeline.append((scheduled - start, elapsed_ms))
                else:
                    errors[0] += 1
        connection.close()

    threads = [
        threading.Thread(target=client, args=(number,))
        for number in range(arguments.clients)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return PhaseResult(
        latencies_ms=latencies,
        errors=errors[0],
        timeline=timeline,
        started_at=started_at,
    )


def server_processes(pid: int) -> list[int]:
    """Return `pid` and its child processes (gunicorn's workers)."""
    children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    return [pid, *map(int, children)]


def cpu_seconds(pid: int) -> float:
    """Return the user and system CPU time of the server so far.

    Sums the process and its children, so gunicorn's workers count.
    """
    total = 0.0
    for process in server_processes(pid):
        fields = Path(f"/proc/{process}/stat").read_text().rsplit(")", 1)[1].split()
        total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return total


def resident_memory_mb(pid: int) -> float:
    """Return the largest resident memory of one server process, in MB.

    With gunicorn that is a worker, which loads the models and the index;
    the master process only watches the workers.
    """
    return max(memory_field_mb(process, "VmRSS:") for process in server_processes(pid))


def memory_field_mb(pid: int, field: str) -> float:
    """Return one memory line of /proc/PID/status, e.g. "VmHWM:", in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"/proc/{pid}/status has no {field} line.")


if __name__ == "__main__":
    main()
