"""Site accounts and the neighbourhoods that listings are placed in."""

from django.contrib.auth.models import AbstractUser
from django.db import models


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
