"""Neighbourhood membership and location confirmation."""

import logging
import math

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.geo import haversine_km
from accounts.models import (
    MAX_NEIGHBOURHOODS_PER_USER,
    Neighbourhood,
    User,
    UserNeighbourhood,
)

logger = logging.getLogger(__name__)


@transaction.atomic
def add_neighbourhood(*, user: User, neighbourhood: Neighbourhood) -> UserNeighbourhood:
    """Add an unconfirmed neighbourhood, at most two per user.

    The user row is locked so that two concurrent requests cannot both pass
    the count check and leave three rows.
    """
    User.objects.select_for_update().filter(pk=user.pk).first()
    existing = UserNeighbourhood.objects.filter(user=user)
    if existing.filter(neighbourhood=neighbourhood).exists():
        raise ValidationError(
            f"{neighbourhood.name!r} is already one of your neighbourhoods.",
            code="duplicate",
        )
    count = existing.count()
    if count >= MAX_NEIGHBOURHOODS_PER_USER:
        names = ", ".join(repr(row.neighbourhood.name) for row in existing)
        raise ValidationError(
            f"You already have {count} neighbourhoods ({names}); the maximum "
            f"is {MAX_NEIGHBOURHOODS_PER_USER}. Remove one before adding "
            f"{neighbourhood.name!r}.",
            code="too_many",
        )
    return UserNeighbourhood.objects.create(user=user, neighbourhood=neighbourhood)


@transaction.atomic
def remove_neighbourhood(*, membership: UserNeighbourhood) -> None:
    membership.delete()


@transaction.atomic
def confirm_neighbourhood(
    *, membership: UserNeighbourhood, latitude: float, longitude: float
) -> UserNeighbourhood:
    """Confirm a neighbourhood when the reported location lies near its centre.

    The location is what the browser or app reports, in decimal degrees. It
    is used for this check only and never stored. Raises ValidationError
    with the distance when the location is out of range or farther than
    ACCOUNTS_NEIGHBOURHOOD_RADIUS_KM from the centre.
    """
    _check_coordinates(latitude, longitude)
    radius_km: float = settings.ACCOUNTS_NEIGHBOURHOOD_RADIUS_KM
    centre = membership.neighbourhood
    distance_km = haversine_km(latitude, longitude, centre.latitude, centre.longitude)
    if distance_km > radius_km:
        logger.info(
            "Neighbourhood %s not confirmed for user %s: %.1f km from centre",
            centre.pk,
            membership.user_id,
            distance_km,
        )
        raise ValidationError(
            f"Your location is {distance_km:.1f} km from the centre of "
            f"{centre.name!r}; it must be within {radius_km:g} km. Confirm "
            "again from inside the neighbourhood.",
            code="too_far",
        )
    membership.confirmed_at = timezone.now()
    membership.save(update_fields=["confirmed_at"])
    return membership


def _check_coordinates(latitude: float, longitude: float) -> None:
    if not (math.isfinite(latitude) and -90 <= latitude <= 90):
        raise ValidationError(
            f"Latitude {latitude} is invalid; send decimal degrees between -90 and 90.",
            code="invalid_latitude",
        )
    if not (math.isfinite(longitude) and -180 <= longitude <= 180):
        raise ValidationError(
            f"Longitude {longitude} is invalid; send decimal degrees between "
            "-180 and 180.",
            code="invalid_longitude",
        )
