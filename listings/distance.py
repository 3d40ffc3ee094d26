"""Distances between neighbourhoods, computed in the database.

Distances are great-circle distances between neighbourhood centres (the
haversine formula on a sphere of radius 6,371 km). Only rounded distances
leave the server; coordinates never do.
"""

from decimal import ROUND_HALF_UP, Decimal
from typing import Final, TypeVar

from django.contrib.auth.models import AnonymousUser
from django.db.models import DecimalField, F, FloatField, Model, QuerySet, Value
from django.db.models.functions import (
    ASin,
    Cast,
    Cos,
    Least,
    Power,
    Radians,
    Sin,
    Sqrt,
)

from accounts.models import Neighbourhood, User
from accounts.selectors import home_neighbourhood

EARTH_RADIUS_KM: Final = 6371.0
# Annotation with the distance in km from the requested neighbourhood.
DISTANCE_ANNOTATION: Final = "distance_km"
# Rounded to this many decimals so that a cursor can store the distance
# exactly and compare it with equality.
DISTANCE_DECIMAL_PLACES: Final = 6
MAX_RADIUS_KM: Final = Decimal(1000)

_ModelT = TypeVar("_ModelT", bound=Model)


def annotate_distance(
    queryset: QuerySet[_ModelT], near: Neighbourhood
) -> QuerySet[_ModelT]:
    """Annotate each row's neighbourhood distance from `near`, in km.

    Rows without a neighbourhood are left out, because their distance is
    unknown. The annotation is a Decimal with DISTANCE_DECIMAL_PLACES.
    """
    latitude = Radians(F("neighbourhood__latitude"))
    longitude = Radians(F("neighbourhood__longitude"))
    near_latitude = Radians(Value(near.latitude, output_field=FloatField()))
    near_longitude = Radians(Value(near.longitude, output_field=FloatField()))
    half_chord = Power(Sin((latitude - near_latitude) / 2), 2) + Cos(
        near_latitude
    ) * Cos(latitude) * Power(Sin((longitude - near_longitude) / 2), 2)
    # Float rounding can push the value slightly above 1, where asin is
    # undefined.
    kilometres = 2 * EARTH_RADIUS_KM * ASin(Sqrt(Least(half_chord, Value(1.0))))
    field: DecimalField[Decimal, Decimal] = DecimalField(
        max_digits=12, decimal_places=DISTANCE_DECIMAL_PLACES
    )
    return queryset.filter(neighbourhood__isnull=False).annotate(
        **{DISTANCE_ANNOTATION: Cast(kilometres, field)}
    )


def format_distance(kilometres: Decimal | None) -> str | None:
    """Return a distance for display: 'under 1 km' or whole kilometres."""
    if kilometres is None:
        return None
    if kilometres < 1:
        return "under 1 km"
    whole = kilometres.quantize(Decimal(1), rounding=ROUND_HALF_UP)
    return f"{whole:f} km"


def default_near_neighbourhood(viewer: User | AnonymousUser) -> Neighbourhood | None:
    """Return the neighbourhood that distances default to for `viewer`.

    That is the signed-in user's home neighbourhood (the most recently
    confirmed one that has not expired); None for visitors and for users
    without one, whose distances are shown only when `near` is given.
    """
    if not isinstance(viewer, User):
        return None
    return home_neighbourhood(viewer)
