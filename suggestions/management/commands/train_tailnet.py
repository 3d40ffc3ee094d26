"""Train a TailNet on the stored interactions and register the version."""

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from recommender.ml.tailnet import TailNetConfig
from suggestions.training import interaction_sequences, train_and_register


class Command(BaseCommand):
    help = (
        "Train a TailNet session model on the site and imported interactions "
        "(each actor's products in time order) and register it as a tailnet "
        "model version, promoted unless --no-promote is given."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--epochs", type=int, default=3, help="Training epochs (default 3)."
        )
        parser.add_argument(
            "--embedding-dim",
            type=int,
            default=32,
            help="Size of the item embeddings and the GRU state (default 32).",
        )
        parser.add_argument(
            "--max-actors",
            type=int,
            default=None,
            help="Train on the first N users and reviewers only (default: all).",
        )
        parser.add_argument(
            "--threads",
            type=int,
            default=settings.RECOMMENDER_TRAINING_THREADS,
            help="torch threads while training (default RECOMMENDER_TRAINING_THREADS).",
        )
        parser.add_argument("--seed", type=int, default=0, help="Random seed.")
        parser.add_argument(
            "--no-promote",
            action="store_true",
            help="Register the version without serving it.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["max_actors"] is not None and options["max_actors"] < 1:
            raise CommandError(
                f"--max-actors must be at least 1, got {options['max_actors']}."
            )
        try:
            config = TailNetConfig(
                embedding_dim=options["embedding_dim"],
                hidden_dim=options["embedding_dim"],
                epochs=options["epochs"],
                threads=options["threads"],
                seed=options["seed"],
            )
        except ValueError as error:
            raise CommandError(str(error)) from error
        sequences = interaction_sequences(max_actors=options["max_actors"])
        try:
            version = train_and_register(
                sequences, config, promote=not options["no_promote"]
            )
        except ValueError as error:
            raise CommandError(str(error)) from error
        state = "promoted" if version.promoted_at else "not promoted"
        self.stdout.write(
            f"Registered TailNet version {version.pk} ({state}): "
            f"{version.metrics['examples']} examples over "
            f"{version.metrics['items']} items, "
            f"{version.training_seconds:.1f} s of training."
        )
