"""`python manage.py evaluate`: offline evaluation of the recommenders."""

from __future__ import annotations

from argparse import ArgumentParser, Namespace
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from recommender.ml.evaluate import add_evaluation_arguments, evaluate_from_arguments

DEFAULT_DATA_SUBDIRECTORY = "amazon2023/electronics/kcore5"


class Command(BaseCommand):
    help = (
        "Train the Two-Tower model and compare it with popularity baselines "
        "on benchmark files, ranking all items; prints a table of metrics."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        add_evaluation_arguments(
            parser,
            default_data_dir=Path(str(settings.MARKETPLACE_DATA_DIR))
            / DEFAULT_DATA_SUBDIRECTORY,
        )

    def handle(self, *args: Any, **options: Any) -> None:
        # Options are checked before any work, and the table is written
        # before the optional JSON report.
        try:
            evaluate_from_arguments(Namespace(**options), show=self.stdout.write)
        except (OSError, ValueError) as error:
            raise CommandError(str(error)) from error
