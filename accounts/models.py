"""Site accounts and the neighbourhoods that listings are placed in."""

from decimal import Decimal

from django.contrib.auth.models import AbstractUser
from django.db import models

# Trust is shown as a temperature in degrees, as Karrot does: everyone starts
# at body temperature, good trades warm it and bad ones cool it.
NEUTRAL_TRUST_SCORE = Decimal("36.5")


class User(AbstractUser):
    """A person who can sign in to buy and sell.

    People known only from imported review data are not users: they are
    `recommender.Reviewer` rows, which have no password and cannot sign in.
    """

    display_name = models.CharField(max_length=80, blank=True)
    is_demo = models.BooleanField(
        default=False,
        help_text="Created by seed_demo; shown with a demo label on the site.",
    )
    trust_score = models.DecimalField(
        max_digits=4,
        decimal_places=1,
        default=NEUTRAL_TRUST_SCORE,
        help_text="Shown on the profile; moved by the ratings of completed orders.",
    )

    # django-stubs does not declare the inner Meta of AbstractUser.
    class Meta(AbstractUser.Meta):  # type: ignore[name-defined]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(trust_score__gte=0, trust_score__lte=99.9),
                name="user_trust_score_range",
            ),
        ]

    def __str__(self) -> str:
        return self.display_name or self.username


class Neighbourhood(models.Model):
    """A named area with a centre point; only the name is shown to others."""

    name = models.CharField(max_length=100, unique=True)
    latitude = models.FloatField()
    longitude = models.FloatField()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(latitude__gte=-90, latitude__lte=90),
                name="neighbourhood_latitude_range",
            ),
            models.CheckConstraint(
                condition=models.Q(longitude__gte=-180, longitude__lte=180),
                name="neighbourhood_longitude_range",
            ),
        ]

    def __str__(self) -> str:
        return self.name
