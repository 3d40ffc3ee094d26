"""Measure checkout throughput: 8 buyers on distinct listings, 8 on one.

The script creates a scratch database on 127.0.0.1 (marketplace_checkout_bench
by default), migrates it, and creates one seller with enough listings for
every round. It then runs three scenarios on the same server, each for
--rounds rounds, with every buyer thread on its own database connection:

1. Serial: one buyer checks out one listing per round (the baseline).
2. Distinct: 8 buyers start together each round, each on a listing of
   their own, so every checkout makes an order.
3. Same listing: 8 buyers start together each round on one shared listing,
   so one checkout makes an order and 7 get "already sold".

A barrier starts the buyers of a round together. For each scenario it
prints orders per second, checkout attempts per second and the median and
99th percentile of one checkout call, taken from the run with the median
orders per second out of --repeats runs. Beside them it prints the ratio
of the scenario's orders per second to the serial baseline. Then it drops
the database.

Usage:
    python bench/checkout_throughput.py --rounds 50 --repeats 3
"""

from __future__ import annotations

import argparse
import statistics
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from scratch_database import (
    add_database_arguments,
    create_database,
    drop_database,
    setup_django,
)

BUYERS = 8


@dataclass
class RunFigures:
    orders: int
    attempts: int
    seconds: float
    latencies: list[float]

    @property
    def orders_per_second(self) -> float:
        return self.orders / self.seconds

    @property
    def attempts_per_second(self) -> float:
        return self.attempts / self.seconds


def parse_arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    add_database_arguments(parser, default="marketplace_checkout_bench")
    parser.add_argument(
        "--rounds",
        type=int,
        default=50,
        help="rounds per run; each round every buyer checks out once (default: 50)",
    )
    parser.add_argument(
        "--repeats",
        type=int,
        default=3,
        help="runs per scenario; the median run is reported (default: 3)",
    )
    arguments = parser.parse_args()
    if arguments.rounds < 1 or arguments.repeats < 1:
        parser.error("--rounds and --repeats must be 1 or more.")
    return arguments


def create_listings(seller, count: int) -> list[int]:
    from listings.models import Listing

    listings = Listing.objects.bulk_create(
        Listing(
            seller=seller,
            title=f"Benchmark unit {index}",
            price=Decimal("10.00"),
            currency="USD",
            condition=Listing.Condition.GOOD,
        )
        for index in range(count)
    )
    return [listing.pk for listing in listings]


def run_rounds(
    buyers: list, listing_for: Callable[[int, int], int], rounds: int
) -> RunFigures:
    """Run `rounds` rounds; buyer i checks out listing_for(round, i)."""
    from django.db import connection

    from orders import services

    barrier = threading.Barrier(len(buyers))
    lock = threading.Lock()
    latencies: list[float] = []
    counts = {"orders": 0, "attempts": 0}
    errors: list[str] = []

    def work(index: int) -> None:
        buyer = buyers[index]
        try:
            for round_index in range(rounds):
                barrier.wait()
                listing_pk = listing_for(round_index, index)
                started = time.perf_counter()
                try:
                    result = services.checkout(buyer=buyer, listing_pks=[listing_pk])
                    orders_made = len(result.orders)
                except services.ListingsUnavailableError:
                    orders_made = 0
                elapsed = time.perf_counter() - started
                with lock:
                    latencies.append(elapsed)
                    counts["orders"] += orders_made
                    counts["attempts"] += 1
        except Exception as error:
            errors.append(repr(error))
            barrier.abort()
        finally:
            connection.close()

    threads = [
        threading.Thread(target=work, args=(index,)) for index in range(len(buyers))
    ]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    seconds = time.perf_counter() - started
    if errors:
        raise RuntimeError(f"Checkout failed in a buyer thread: {errors[0]}")
    return RunFigures(counts["orders"], counts["attempts"], seconds, latencies)


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def run(arguments: argparse.Namespace) -> None:
    from accounts.models import User

    rounds = arguments.rounds
    seller = User.objects.create(username="benchmark-seller")
    buyers = [
        User.objects.create(username=f"benchmark-buyer-{index}")
        for index in range(BUYERS)
    ]

    def serial(_: int) -> RunFigures:
        pks = create_listings(seller, rounds)
        return run_rounds(buyers[:1], lambda r, i: pks[r], rounds)

    def distinct(_: int) -> RunFigures:
        pks = create_listings(seller, rounds * BUYERS)
        return run_rounds(buyers, lambda r, i: pks[r * BUYERS + i], rounds)

    def same_listing(_: int) -> RunFigures:
        pks = create_listings(seller, rounds)
        return run_rounds(buyers, lambda r, i: pks[r], rounds)

    scenarios: list[tuple[str, Callable[[int], RunFigures]]] = [
        ("serial, 1 buyer", serial),
        (f"{BUYERS} buyers, distinct listings", distinct),
        (f"{BUYERS} buyers, same listing", same_listing),
    ]
    print(
        f"{rounds} rounds per run, median of {arguments.repeats} runs; "
        "latency is one checkout call in ms"
    )
    header = (
        f"{'scenario':34} {'orders/s':>9} {'attempts/s':>11} "
        f"{'p50 ms':>8} {'p99 ms':>8} {'vs serial':>10}"
    )
    print(header)
    baseline: float | None = None
    for name, scenario in scenarios:
        runs = [scenario(repeat) for repeat in range(arguments.repeats)]
        median_run = sorted(runs, key=lambda figures: figures.orders_per_second)[
            len(runs) // 2
        ]
        orders_per_second = median_run.orders_per_second
        if baseline is None:
            baseline = orders_per_second
        expected_orders = rounds * (BUYERS if "distinct" in name else 1)
        if any(figures.orders != expected_orders for figures in runs):
            raise RuntimeError(
                f"{name}: expected {expected_orders} orders per run, got "
                f"{[figures.orders for figures in runs]}."
            )
        print(
            f"{name:34} {orders_per_second:9.1f} "
            f"{median_run.attempts_per_second:11.1f} "
            f"{statistics.median(median_run.latencies) * 1000:8.1f} "
            f"{percentile(median_run.latencies, 0.99) * 1000:8.1f} "
            f"{orders_per_second / baseline:9.2f}x"
        )


def main() -> None:
    arguments = parse_arguments()
    create_database(arguments)
    try:
        setup_django(arguments, secret_key="checkout-benchmark-only")
        run(arguments)
    finally:
        drop_database(arguments)


if __name__ == "__main__":
    main()
