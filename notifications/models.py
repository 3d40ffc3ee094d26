"""Notifications stored for a user and pushed over their websocket."""

from django.conf import settings
from django.db import models


class Notification(models.Model):
    """A message to one user about a listing, an offer or an order."""

    class Kind(models.TextChoices):
        PRICE_DROP = "price_drop", "Price drop on a favorite"
        OFFER_RECEIVED = "offer_received", "Offer received"
        OFFER_ACCEPTED = "offer_accepted", "Offer accepted"
        OFFER_DECLINED = "offer_declined", "Offer declined"
        OFFER_COUNTERED = "offer_countered", "Counter-offer received"
        OFFER_EXPIRED = "offer_expired", "Offer hold expired"
        ORDER_PLACED = "order_placed", "Order placed"
        ORDER_COMPLETED = "order_completed", "Order completed"
        ORDER_CANCELLED = "order_cancelled", "Order cancelled"
        RATING_RECEIVED = "rating_received", "Rating received"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    kind = models.CharField(max_length=32, choices=Kind.choices)
    message = models.CharField(max_length=500)
    listing = models.ForeignKey(
        "listings.Listing",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    data = models.JSONField(
        default=dict,
        blank=True,
        help_text="Ids and amounts that a client needs to link or render it.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["user", "-created_at", "-id"])]

    def __str__(self) -> str:
        return f"{self.kind} for user {self.user_id}"
