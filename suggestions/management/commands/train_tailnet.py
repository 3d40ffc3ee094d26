"""Train a TailNet on stored interactions or the Electronics files."""

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from recommender.ml.tailnet import TailNetConfig
from recommender.ml.tailnet.evaluation import DATA_PATHS, ELECTRONICS, PRIOR_DAYS
from recommender.models import ModelVersion
from suggestions.training import (
    electronics_examples,
    interaction_sequences,
    sequence_examples,
    train_and_register,
)


class Command(BaseCommand):
    help = (
        "Train a TailNet session model on the site and imported interactions "
        "(each actor's products in time order), or on the Electronics kcore5 "
        "files with --electronics, and register it as a tailnet model "
        "version, promoted unless --no-promote is given."
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
        parser.add_argument(
            "--electronics",
            action="store_true",
            help="Train on the Electronics kcore5 files under "
            "MARKETPLACE_DATA_DIR instead of the database, keeping the epoch "
            "with the best validation Recall@20.",
        )
        parser.add_argument(
            "--max-examples",
            type=int,
            default=None,
            help="With --electronics, train on a random sample of N training "
            "examples, drawn with --seed (default: all).",
        )
        parser.add_argument("--seed", type=int, default=0, help="Random seed.")
        parser.add_argument(
            "--item-prior",
            action="store_true",
            help="With --electronics, add the time-aware item prior: a learned "
            "weight times log(1 + interactions per item in the "
            f"{PRIOR_DAYS:g} days before each example). Served models read "
            "the site's interactions of the same window.",
        )
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
                item_prior=options["item_prior"],
                prior_window_days=PRIOR_DAYS,
            )
        except ValueError as error:
            raise CommandError(str(error)) from error
        if options["max_examples"] is not None and options["max_examples"] < 1:
            raise CommandError(
                f"--max-examples must be at least 1, got {options['max_examples']}."
            )
        if options["item_prior"] and not options["electronics"]:
            # TODO: build timestamped examples from the stored interactions
            # so that the prior can be trained on site data too.
            raise CommandError(
                "--item-prior needs --electronics; training on stored "
                "interactions does not support the item prior yet."
            )
        promote = not options["no_promote"]
        try:
            if options["electronics"]:
                version = self._train_on_electronics(config, options, promote)
            else:
                sequences = interaction_sequences(max_actors=options["max_actors"])
                examples, item_ids, click_counts = sequence_examples(
                    sequences, max_length=config.max_length
                )
                version = train_and_register(
                    examples,
                    item_ids,
                    click_counts,
                    config,
                    promote=promote,
                    details={"source": "interactions", "sequences": len(sequences)},
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

    def _train_on_electronics(
        self, config: TailNetConfig, options: dict[str, Any], promote: bool
    ) -> ModelVersion:
        directory = Path(settings.MARKETPLACE_DATA_DIR) / DATA_PATHS[ELECTRONICS]
        if not directory.is_dir():
            raise CommandError(
                f"Electronics files not found in {directory}; set "
                "MARKETPLACE_DATA_DIR to the folder that contains amazon2023/."
            )
        train, valid, item_ids, click_counts, prior = electronics_examples(
            directory,
            max_examples=options["max_examples"],
            seed=options["seed"],
            prior_days=config.prior_window_days,
        )
        return train_and_register(
            train,
            item_ids,
            click_counts,
            config,
            valid=valid,
            prior=prior if config.item_prior else None,
            promote=promote,
            details={"source": "electronics", "valid_examples": len(valid)},
        )
