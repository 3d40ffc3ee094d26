import secrets
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from listings.demo import BUYER_CANDIDATES, seed_demo


class Command(BaseCommand):
    help = (
        "Create labelled demo sellers with listings of catalog products and "
        "demo buyers linked to imported reviewers, then print how to sign in."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--password",
            default=None,
            help="Password for every demo account (default: a new random one, "
            "printed at the end).",
        )
        parser.add_argument(
            "--listings",
            type=int,
            default=2000,
            help="Number of demo listings to create on the first run.",
        )
        parser.add_argument(
            "--sellers", type=int, default=8, help="Number of demo sellers."
        )
        parser.add_argument(
            "--buyers", type=int, default=3, help="Number of demo buyers."
        )
        parser.add_argument(
            "--seed", type=int, default=0, help="Seed of the random choices."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        for name in ("listings", "sellers", "buyers"):
            if options[name] < 1:
                raise CommandError(f"--{name}={options[name]} must be at least 1.")
        if options["buyers"] > BUYER_CANDIDATES:
            raise CommandError(
                f"--buyers={options['buyers']} is too many; demo buyers are "
                f"picked among the {BUYER_CANDIDATES} longest reviewer histories."
            )
        password = options["password"] or secrets.token_urlsafe(9)
        try:
            summary = seed_demo(
                password=password,
                seller_count=options["sellers"],
                listing_count=options["listings"],
                buyer_count=options["buyers"],
                seed=options["seed"],
            )
        except ValueError as error:
            raise CommandError(str(error)) from error

        if summary.listings_created:
            self.stdout.write(f"Created {summary.listings_created} demo listings.")
        else:
            self.stdout.write(
                f"Kept the {summary.listings_existing} existing demo listings."
            )
        if len(summary.buyers) < options["buyers"]:
            self.stdout.write(
                f"Only {len(summary.buyers)} reviewers have a history, so "
                f"{len(summary.buyers)} demo buyers were created."
            )
        self.stdout.write(f"Demo accounts (password for all: {password}):")
        for username, reviewer_id, history in summary.buyers:
            self.stdout.write(
                f"  buyer   {username}  (history of reviewer {reviewer_id}: "
                f"{history} ratings)"
            )
        for username in summary.sellers:
            self.stdout.write(f"  seller  {username}")
