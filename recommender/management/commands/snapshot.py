from typing import Any

from django.core.management.base import BaseCommand

from recommender.snapshots import export_snapshot


class Command(BaseCommand):
    help = (
        "Export the interactions and item features to a new columnar "
        "snapshot under RECOMMENDER_ARTIFACT_DIR and print its primary key."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        snapshot = export_snapshot()
        self.stdout.write(
            self.style.SUCCESS(
                f"Snapshot {snapshot.pk}: {snapshot.interaction_count} "
                f"interactions, {snapshot.user_count} users, "
                f"{snapshot.item_count} items in {snapshot.path}"
            )
        )
