"""Read queries on accounts."""

import datetime as dt

from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone

from accounts.models import Neighbourhood, User, UserNeighbourhood


def confirmation_cutoff(now: dt.datetime | None = None) -> dt.datetime:
    """Return the oldest confirmation time that is still valid."""
    days: int = settings.ACCOUNTS_NEIGHBOURHOOD_VALID_DAYS
    return (now or timezone.now()) - dt.timedelta(days=days)


def user_neighbourhoods(user: User) -> QuerySet[UserNeighbourhood]:
    return UserNeighbourhood.objects.filter(user=user).select_related("neighbourhood")


def is_confirmation_valid(
    membership: UserNeighbourhood, now: dt.datetime | None = None
) -> bool:
    confirmed_at = membership.confirmed_at
    return confirmed_at is not None and confirmed_at >= confirmation_cutoff(now)


def confirmation_expires_at(membership: UserNeighbourhood) -> dt.datetime | None:
    if membership.confirmed_at is None:
        return None
    days: int = settings.ACCOUNTS_NEIGHBOURHOOD_VALID_DAYS
    return membership.confirmed_at + dt.timedelta(days=days)


def home_neighbourhood(user: User) -> Neighbourhood | None:
    """Return the most recently confirmed neighbourhood that is still valid.

    None for anonymous or erased users and for users whose confirmations
    have all expired.
    """
    if not getattr(user, "pk", None) or getattr(user, "erased_at", None):
        return None
    membership = (
        UserNeighbourhood.objects.filter(
            user_id=user.pk, confirmed_at__gte=confirmation_cutoff()
        )
        .select_related("neighbourhood")
        .order_by("-confirmed_at", "-pk")
        .first()
    )
    return membership.neighbourhood if membership else None
