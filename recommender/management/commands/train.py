from argparse import ArgumentParser
from typing import Any

from celery.result import EagerResult
from django.core.management.base import BaseCommand, CommandError

from recommender.models import ModelVersion, TrainingSnapshot
from recommender.tasks import TRAINABLE_KINDS, train_model_task
from recommender.training import NothingToTrainError


class Command(BaseCommand):
    help = (
        "Train a model version through the Celery task (in this process when "
        "no broker is configured) and promote it."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "kind",
            choices=[kind.value for kind in TRAINABLE_KINDS],
            help="Model to train: two_tower (retrieval) or gnn (the feed's "
            "candidate scorer).",
        )
        parser.add_argument(
            "--snapshot",
            type=int,
            default=None,
            help="Primary key of the training snapshot to use (default: export "
            "a new snapshot of the current interactions).",
        )
        parser.add_argument(
            "--epochs",
            type=int,
            default=None,
            help="Number of passes over the training events (default: the "
            "model configuration's default).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["epochs"] is not None and options["epochs"] < 1:
            raise CommandError(f"--epochs={options['epochs']} must be at least 1.")
        snapshot_pk = options["snapshot"]
        if (
            snapshot_pk is not None
            and not TrainingSnapshot.objects.filter(pk=snapshot_pk).exists()
        ):
            raise CommandError(
                f"Snapshot {snapshot_pk} does not exist; omit --snapshot to "
                "export a new one, or run `python manage.py snapshot`."
            )
        try:
            result = train_model_task.delay(
                options["kind"], snapshot_pk, options["epochs"]
            )
        except NothingToTrainError as error:
            raise CommandError(str(error)) from error
        # Only an eager run has its result here; with a broker the command
        # does not wait, and without a result backend it could not ask.
        if isinstance(result, EagerResult):
            version = ModelVersion.objects.get(pk=result.get())
            self.stdout.write(
                self.style.SUCCESS(
                    f"Registered {version} in {version.training_seconds:.0f} s; "
                    f"validation metrics: {version.metrics.get('valid', {})}"
                )
            )
        else:
            self.stdout.write(f"Queued training task {result.id}.")
