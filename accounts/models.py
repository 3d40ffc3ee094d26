"""Site accounts and the neighbourhoods that listings are placed in."""

from decimal import Decimal

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models

# Trust is shown as a temperature in degrees, as Karrot does: everyone starts
# at body temperature, good trades warm it and bad ones cool it.
NEUTRAL_TRUST_SCORE = Decimal("36.5")
# What other people see in place of a deleted account's name.
ERASED_USER_NAME = "Deleted user"
# Karrot lets a person trade in at most two neighbourhoods at a time.
MAX_NEIGHBOURHOODS_PER_USER = 2


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
    avatar = models.ImageField(upload_to="avatars/%Y/%m/", blank=True)
    erased_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="When the account was deleted; the row stays so that "
        "orders with this user remain readable.",
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
        if self.erased_at is not None:
            return ERASED_USER_NAME
        return self.display_name or self.username

    @property
    def is_erased(self) -> bool:
        return self.erased_at is not None


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


class UserNeighbourhood(models.Model):
    """A neighbourhood that a user trades in, confirmed by their location.

    A confirmation holds for ACCOUNTS_NEIGHBOURHOOD_VALID_DAYS; after that the
    user must report a location near the centre again.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="user_neighbourhoods",
    )
    neighbourhood = models.ForeignKey(
        Neighbourhood, on_delete=models.CASCADE, related_name="residents"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "neighbourhood"],
                name="user_neighbourhood_unique",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} in {self.neighbourhood}"
