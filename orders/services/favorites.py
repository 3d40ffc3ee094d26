"""Favorites and the price-drop notifications sent to those who favorited."""

import logging
from decimal import Decimal

from django.db import transaction

from accounts.models import User
from listings.models import Listing
from notifications.models import Notification
from notifications.services import notify_users
from orders.models import Favorite
from orders.services.errors import InvalidInputError
from orders.services.interactions import record_interactions
from recommender.models import Interaction

logger = logging.getLogger(__name__)


@transaction.atomic
def add_favorite(*, user: User, listing: Listing) -> tuple[Favorite, bool]:
    """Favorite a listing; return the favorite and whether it is new.

    A repeated or concurrent click returns the existing row, because the
    unique constraint on (user, listing) lets only one insert through.
    """
    if listing.seller_id == user.pk:
        raise InvalidInputError(
            {
                "listing": [
                    f"Listing {listing.pk} is your own listing; favorite "
                    "listings of other sellers."
                ]
            }
        )
    if listing.status == Listing.Status.HIDDEN:
        raise InvalidInputError(
            {"listing": [f"Listing {listing.pk} is hidden by its seller."]}
        )

    favorite, created = Favorite.objects.get_or_create(user=user, listing=listing)
    if created:
        record_interactions(
            user=user, listings=[listing], kind=Interaction.Kind.FAVORITE
        )
        logger.info("User %s favorited listing %s", user.pk, listing.pk)
    return favorite, created


@transaction.atomic
def remove_favorite(*, user: User, listing_pk: int) -> bool:
    """Remove a favorite; return False when there was none."""
    deleted, _ = Favorite.objects.filter(user=user, listing_id=listing_pk).delete()
    return deleted > 0


def notify_price_drop(
    *, listing: Listing, old_price: Decimal, new_price: Decimal
) -> int:
    """Notify everyone who favorited `listing` of its lower price.

    Returns the number of notifications created. The seller is left out
    even when a favorite of theirs exists from before a change of owner.
    """
    user_pks = list(
        Favorite.objects.filter(listing=listing)
        .exclude(user_id=listing.seller_id)
        .values_list("user_id", flat=True)
    )
    notifications = notify_users(
        users=user_pks,
        kind=Notification.Kind.PRICE_DROP,
        message=(
            f"{listing.title} dropped from {old_price} to {new_price} "
            f"{listing.currency}."
        ),
        listing=listing,
        data={
            "listing": listing.pk,
            "old_price": str(old_price),
            "new_price": str(new_price),
            "currency": listing.currency,
        },
    )
    return len(notifications)
