from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from recommender.models import ModelVersion
from recommender.tasks import build_listing_embeddings_task
from recommender.training import current_version


class Command(BaseCommand):
    help = (
        "Embed every active listing with the current Two-Tower version (or a "
        "given one) and build the faiss index that web processes swap in."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--model-version",
            dest="version_pk",
            type=int,
            default=None,
            help="Primary key of the model version (default: the promoted one).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        version_pk = options["version_pk"]
        if version_pk is None:
            version = current_version(ModelVersion.Kind.TWO_TOWER)
            if version is None:
                raise CommandError(
                    "No promoted two_tower version exists; run "
                    "`python manage.py train two_tower` first."
                )
            version_pk = version.pk
        elif not ModelVersion.objects.filter(pk=version_pk).exists():
            raise CommandError(f"Model version {version_pk} does not exist.")
        result = build_listing_embeddings_task.delay(version_pk)
        if result.ready():
            self.stdout.write(
                self.style.SUCCESS(f"Built listing index {result.get()}.")
            )
        else:
            self.stdout.write(f"Queued embedding task {result.id}.")
