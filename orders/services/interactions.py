"""Site events recorded for the recommender."""

from collections.abc import Iterable

from django.utils import timezone

from accounts.models import User
from listings.models import Listing
from recommender.models import Interaction


def record_interactions(
    *, user: User, listings: Iterable[Listing], kind: Interaction.Kind
) -> None:
    """Record one site interaction of `kind` per listing for `user`."""
    now = timezone.now()
    Interaction.objects.bulk_create(
        [
            Interaction(
                user=user,
                listing=listing,
                product_id=listing.product_id,
                kind=kind,
                source=Interaction.Source.SITE,
                occurred_at=now,
            )
            for listing in listings
        ]
    )
