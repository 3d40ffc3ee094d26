"""The catalog (categories, products) and the used units listed for sale."""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils import timezone


class Category(models.Model):
    """A node of the category tree, identified by its full path."""

    PATH_SEPARATOR = " > "

    name = models.CharField(max_length=200)
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    path = models.CharField(max_length=1000, unique=True)
    depth = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["path"]
        verbose_name_plural = "categories"

    def __str__(self) -> str:
        return self.path


class Product(models.Model):
    """A catalog product, keyed by Amazon's `parent_asin`.

    A product first seen in a review file has `has_metadata` false and empty
    fields until a metadata import fills them. Catalog prices are in US
    dollars, as in the Amazon data; `price` is null when unknown.
    """

    parent_asin = models.CharField(max_length=32, unique=True)
    title = models.TextField(blank=True)
    store = models.CharField(max_length=255, blank=True)
    main_category = models.CharField(max_length=100, blank=True)
    category = models.ForeignKey(
        Category,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="products",
    )
    features = models.JSONField(default=list, blank=True)
    description = models.JSONField(default=list, blank=True)
    price = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    average_rating = models.FloatField(null=True, blank=True)
    rating_count = models.PositiveIntegerField(null=True, blank=True)
    image_urls = models.JSONField(default=list, blank=True)
    details = models.JSONField(default=dict, blank=True)
    has_metadata = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["parent_asin"]

    def __str__(self) -> str:
        return f"{self.parent_asin} {self.title[:60]}".strip()


class Listing(models.Model):
    """One physical unit offered by a seller; it can be sold once."""

    class Condition(models.TextChoices):
        NEW = "new", "New"
        LIKE_NEW = "like_new", "Like new"
        GOOD = "good", "Good"
        FAIR = "fair", "Fair"
        FOR_PARTS = "for_parts", "For parts"

    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        RESERVED = "reserved", "Reserved"
        SOLD = "sold", "Sold"
        HIDDEN = "hidden", "Hidden"

    seller = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="listings"
    )
    product = models.ForeignKey(
        Product,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="listings",
    )
    category = models.ForeignKey(
        Category,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="listings",
    )
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    price = models.DecimalField(
        max_digits=12,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0"))],
    )
    currency = models.CharField(max_length=3, default="USD")
    condition = models.CharField(max_length=16, choices=Condition.choices)
    status = models.CharField(
        max_length=16, choices=Status.choices, default=Status.ACTIVE
    )
    neighbourhood = models.ForeignKey(
        "accounts.Neighbourhood",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="listings",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    bumped_at = models.DateTimeField(
        default=timezone.now,
        help_text="When the listing was last moved to the top of the lists.",
    )
    reserved_for = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="reserved_listings",
        help_text=(
            "The buyer a reserved listing is held for; kept once sold, "
            "cleared when the buyer's account is deleted."
        ),
    )
    hidden_by_staff = models.BooleanField(
        default=False,
        help_text=(
            "Hidden by a moderator; only staff can make it visible again. "
            "The reason is in the moderation history."
        ),
    )

    class Meta:
        ordering = ["-bumped_at", "-pk"]
        # The search indexes (trigram and full-text GIN indexes on the NFC
        # title and description) are PostgreSQL-only expression indexes, so
        # migration 0003 creates them outside the model state.
        indexes = [
            models.Index(fields=["status", "-bumped_at", "-id"]),
            models.Index(fields=["status", "price", "id"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(price__gte=0), name="listing_price_not_negative"
            ),
            models.CheckConstraint(
                condition=models.Q(currency__regex=r"^[A-Z]{3}$"),
                name="listing_currency_iso_code",
            ),
            models.CheckConstraint(
                condition=models.Q(reserved_for__isnull=True)
                | models.Q(status__in=["reserved", "sold"]),
                name="listing_buyer_only_when_reserved_or_sold",
            ),
            models.CheckConstraint(
                condition=~models.Q(reserved_for=models.F("seller")),
                name="listing_buyer_is_not_seller",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def image_url(self) -> str:
        """Return the first photo, else the catalog image, else ''."""
        # all() reads the prefetched photos of the list selectors.
        photos = list(self.photos.all())
        if photos:
            return photos[0].image.url
        if self.product is not None and self.product.image_urls:
            return str(self.product.image_urls[0])
        return ""


class ListingPhoto(models.Model):
    """A photo of a listing, stored as a JPEG without metadata.

    `thumbnail` is empty until the thumbnail task has run.
    """

    listing = models.ForeignKey(
        Listing, on_delete=models.CASCADE, related_name="photos"
    )
    image = models.ImageField(upload_to="listings/%Y/%m/")
    thumbnail = models.ImageField(upload_to="listings/thumbnails/%Y/%m/", blank=True)
    width = models.PositiveIntegerField(default=0)
    height = models.PositiveIntegerField(default=0)
    position = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["position", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["listing", "position"], name="listing_photo_unique_position"
            ),
        ]

    def __str__(self) -> str:
        return f"Photo {self.position} of listing {self.listing_id}"
