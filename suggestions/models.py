"""Listing views of live browsing sessions, the input of suggestions."""

from django.conf import settings
from django.db import models


class SessionView(models.Model):
    """One listing view by a signed-in user or an anonymous session.

    Anonymous views are keyed by the Django session key, so a visitor who
    reconnects with the same session cookie resumes the same history.
    `product` is copied from the listing at view time and is null for a
    listing without a catalog product.
    """

    # A beat task deletes views older than SUGGESTIONS_VIEW_RETENTION_HOURS
    # (see suggestions.history).

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="session_views",
        db_index=False,
    )
    session_key = models.CharField(max_length=40, blank=True)
    listing = models.ForeignKey(
        "listings.Listing", on_delete=models.CASCADE, related_name="session_views"
    )
    product = models.ForeignKey(
        "listings.Product",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="session_views",
    )
    viewed_at = models.DateTimeField()

    class Meta:
        indexes = [
            models.Index(fields=["user", "viewed_at"]),
            models.Index(fields=["session_key", "viewed_at"]),
            # Pruning deletes the oldest views first, of every visitor.
            models.Index(fields=["viewed_at"], name="session_view_viewed_at"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(user__isnull=False, session_key="")
                    | (models.Q(user__isnull=True) & ~models.Q(session_key=""))
                ),
                name="session_view_one_visitor",
            ),
        ]

    def __str__(self) -> str:
        visitor = f"user {self.user_id}" if self.user_id else "an anonymous session"
        return f"Listing {self.listing_id} viewed by {visitor}"
