"""Favorites, carts, price offers, orders and the ratings that follow them."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models


class Favorite(models.Model):
    """A listing that a user marked to come back to."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="favorites"
    )
    listing = models.ForeignKey(
        "listings.Listing", on_delete=models.CASCADE, related_name="favorites"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "listing"], name="favorite_user_listing"
            ),
        ]

    def __str__(self) -> str:
        return f"Favorite of listing {self.listing_id} by user {self.user_id}"


class Cart(models.Model):
    """The cart of a signed-in user or of an anonymous browser session.

    An anonymous cart is found through a random token stored in the session
    data, not through the session key: Django replaces the session key at
    sign-in but keeps the data, so the token still finds the cart there.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="cart",
    )
    session_token = models.CharField(max_length=64, null=True, blank=True, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(user__isnull=False, session_token__isnull=True)
                    | models.Q(user__isnull=True, session_token__isnull=False)
                ),
                name="cart_one_owner",
            ),
        ]

    def __str__(self) -> str:
        if self.user_id is not None:
            return f"Cart of user {self.user_id}"
        return f"Anonymous cart {self.pk}"


class CartItem(models.Model):
    cart = models.ForeignKey(Cart, on_delete=models.CASCADE, related_name="items")
    listing = models.ForeignKey(
        "listings.Listing", on_delete=models.CASCADE, related_name="cart_items"
    )
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["added_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["cart", "listing"], name="cart_item_cart_listing"
            ),
        ]

    def __str__(self) -> str:
        return f"Listing {self.listing_id} in cart {self.cart_id}"


class Offer(models.Model):
    """A buyer's price offer on a listing and the seller's response.

    `amount` is the buyer's price and `counter_amount` the seller's counter,
    both in `currency`, the listing's currency when the offer was made. An
    accepted offer reserves the listing for the buyer at `accepted_amount`
    until `hold_expires_at`.
    """

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting for the seller"
        COUNTERED = "countered", "Waiting for the buyer"
        ACCEPTED = "accepted", "Accepted"
        DECLINED = "declined", "Declined"
        WITHDRAWN = "withdrawn", "Withdrawn"
        EXPIRED = "expired", "Hold expired"
        PURCHASED = "purchased", "Purchased"

    listing = models.ForeignKey(
        "listings.Listing", on_delete=models.CASCADE, related_name="offers"
    )
    buyer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="offers"
    )
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    counter_amount = models.DecimalField(
        max_digits=12, decimal_places=2, null=True, blank=True
    )
    accepted_amount = models.DecimalField(
        max_digits=12, decimal_places=2, null=True, blank=True
    )
    currency = models.CharField(max_length=3)
    status = models.CharField(
        max_length=16, choices=Status.choices, default=Status.PENDING
    )
    hold_expires_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["status", "hold_expires_at"])]
        constraints = [
            # One open negotiation per buyer and listing.
            models.UniqueConstraint(
                fields=["listing", "buyer"],
                condition=models.Q(status__in=["pending", "countered", "accepted"]),
                name="offer_one_open_per_buyer_listing",
            ),
            models.CheckConstraint(
                condition=models.Q(amount__gte=0), name="offer_amount_not_negative"
            ),
            models.CheckConstraint(
                condition=(
                    models.Q(status="accepted", hold_expires_at__isnull=False)
                    | ~models.Q(status="accepted")
                ),
                name="offer_accepted_has_hold",
            ),
        ]

    def __str__(self) -> str:
        return f"Offer {self.pk} on listing {self.listing_id}: {self.status}"


class Order(models.Model):
    """One buyer's purchase of one or more listings from one seller.

    Buyers and sellers meet to hand over the item and pay, so no payment
    provider is involved; `payment_reference` and `payment_status` are left
    for one. `buyer` and `seller` are kept for good: a deleted account
    keeps its row and reads "Deleted user", and the items keep their
    title and price as they were at checkout.
    """

    class Status(models.TextChoices):
        ARRANGED = "arranged", "Arranged"
        COMPLETED = "completed", "Completed"
        CANCELLED = "cancelled", "Cancelled"

    class PaymentStatus(models.TextChoices):
        NONE = "none", "Paid in person"
        PENDING = "pending", "Payment pending"
        PAID = "paid", "Paid"
        REFUNDED = "refunded", "Refunded"

    buyer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="purchases"
    )
    seller = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="sales"
    )
    status = models.CharField(
        max_length=16, choices=Status.choices, default=Status.ARRANGED
    )
    payment_status = models.CharField(
        max_length=16, choices=PaymentStatus.choices, default=PaymentStatus.NONE
    )
    payment_reference = models.CharField(
        max_length=200,
        blank=True,
        help_text="The payment provider's id for this order, once one is used.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(buyer=models.F("seller")),
                name="order_buyer_is_not_seller",
            ),
        ]

    def __str__(self) -> str:
        return f"Order {self.pk} ({self.status})"


class OrderItem(models.Model):
    """A listing in an order, with its title and price at checkout.

    `is_active` is false once the order is cancelled. The partial unique
    constraint on it is the database's own guard that a listing is in at
    most one order that is not cancelled.
    """

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="items")
    listing = models.ForeignKey(
        "listings.Listing",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="order_items",
    )
    title = models.CharField(max_length=200)
    price = models.DecimalField(max_digits=12, decimal_places=2)
    currency = models.CharField(max_length=3)
    offer = models.ForeignKey(
        Offer,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="order_items",
        help_text="The accepted offer that set the price, if any.",
    )
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["listing"],
                condition=models.Q(is_active=True),
                name="order_item_listing_sold_once",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} in order {self.order_id}"


class Rating(models.Model):
    """One party's rating of the other after a completed order."""

    class Tag(models.TextChoices):
        PUNCTUAL = "punctual", "On time"
        FRIENDLY = "friendly", "Friendly"
        AS_DESCRIBED = "as_described", "Item as described"
        QUICK_REPLIES = "quick_replies", "Quick replies"
        FAIR_PRICE = "fair_price", "Fair price"
        LATE = "late", "Late"
        NO_SHOW = "no_show", "Did not show up"
        NOT_AS_DESCRIBED = "not_as_described", "Item not as described"
        RUDE = "rude", "Rude"

    MIN_SCORE = 1
    MAX_SCORE = 5

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="ratings")
    rater = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="ratings_given"
    )
    ratee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="ratings_received",
    )
    score = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(MIN_SCORE), MaxValueValidator(MAX_SCORE)]
    )
    tags = models.JSONField(default=list, blank=True)
    comment = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["order", "rater"], name="rating_once"),
            models.CheckConstraint(
                condition=models.Q(score__gte=1, score__lte=5),
                name="rating_score_range",
            ),
            models.CheckConstraint(
                condition=~models.Q(rater=models.F("ratee")),
                name="rating_not_self",
            ),
        ]

    def __str__(self) -> str:
        return f"Rating {self.score} of user {self.ratee_id} on order {self.order_id}"
