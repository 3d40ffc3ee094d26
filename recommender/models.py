"""The interaction log, training snapshots and the model registry."""

from django.conf import settings
from django.db import models


class Reviewer(models.Model):
    """A person known only from an imported review data set.

    Reviewers are kept apart from `accounts.User` on purpose: they have no
    password, email or session, so no imported identity can ever sign in, and
    deleting or re-importing a data set never touches real accounts. A site
    user may be linked to one reviewer (the demo buyers are), which lends that
    user the reviewer's history for recommendations.
    """

    class Source(models.TextChoices):
        AMAZON_2023 = "amazon2023", "Amazon Reviews 2023"

    source = models.CharField(
        max_length=32, choices=Source.choices, default=Source.AMAZON_2023
    )
    external_id = models.CharField(max_length=64)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="reviewer",
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["source", "external_id"], name="reviewer_source_external_id"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.source}:{self.external_id}"


class Interaction(models.Model):
    """One event between a person and an item, imported or from the site.

    The actor is either a reviewer (imported) or a user (site events), never
    both. Events count for the catalog product; a listing without a product
    is recorded through `listing` alone.
    """

    class Kind(models.TextChoices):
        REVIEW = "review", "Review"
        VIEW = "view", "View"
        FAVORITE = "favorite", "Favorite"
        CART = "cart", "Added to cart"
        OFFER = "offer", "Price offer"
        PURCHASE = "purchase", "Purchase"

    class Source(models.TextChoices):
        IMPORT = "import", "Imported data set"
        SITE = "site", "Site"

    # The composite indexes below start with the actor, so the foreign keys
    # need no index of their own.
    reviewer = models.ForeignKey(
        Reviewer,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="interactions",
        db_index=False,
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="interactions",
        db_index=False,
    )
    product = models.ForeignKey(
        "listings.Product",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="interactions",
    )
    listing = models.ForeignKey(
        "listings.Listing",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="interactions",
    )
    kind = models.CharField(max_length=16, choices=Kind.choices)
    source = models.CharField(max_length=16, choices=Source.choices)
    rating = models.FloatField(null=True, blank=True)
    occurred_at = models.DateTimeField()

    class Meta:
        indexes = [
            models.Index(fields=["user", "occurred_at"]),
            models.Index(fields=["reviewer", "occurred_at"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(reviewer__isnull=False, user__isnull=True)
                    | models.Q(reviewer__isnull=True, user__isnull=False)
                ),
                name="interaction_one_actor",
            ),
            models.CheckConstraint(
                condition=(
                    models.Q(product__isnull=False) | models.Q(listing__isnull=False)
                ),
                name="interaction_has_item",
            ),
            models.CheckConstraint(
                condition=(
                    models.Q(rating__isnull=True)
                    | models.Q(rating__gte=1, rating__lte=5)
                ),
                name="interaction_rating_range",
            ),
            # The natural key of an imported rating.
            models.UniqueConstraint(
                fields=["reviewer", "product", "occurred_at"],
                condition=models.Q(reviewer__isnull=False),
                name="interaction_reviewer_product_time",
            ),
        ]

    def __str__(self) -> str:
        actor = (
            f"reviewer {self.reviewer_id}"
            if self.reviewer_id
            else (f"user {self.user_id}")
        )
        return f"{self.kind} by {actor} at {self.occurred_at:%Y-%m-%d %H:%M}"


class TrainingSnapshot(models.Model):
    """A columnar export of the interactions and item features."""

    path = models.CharField(max_length=500)
    manifest = models.JSONField(default=dict)
    interaction_count = models.PositiveIntegerField()
    user_count = models.PositiveIntegerField()
    item_count = models.PositiveIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"Snapshot {self.pk} ({self.interaction_count} interactions)"


class ModelVersion(models.Model):
    """A trained model artifact with its metrics and lineage."""

    class Kind(models.TextChoices):
        TWO_TOWER = "two_tower", "Two-Tower retrieval"
        GNN = "gnn", "GNN link prediction"
        TAILNET = "tailnet", "TailNet session model"

    kind = models.CharField(max_length=16, choices=Kind.choices)
    artifact_path = models.CharField(max_length=500)
    config = models.JSONField(default=dict)
    metrics = models.JSONField(default=dict)
    snapshot = models.ForeignKey(
        TrainingSnapshot,
        null=True,
        on_delete=models.SET_NULL,
        related_name="model_versions",
    )
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL)
    training_seconds = models.FloatField(default=0.0)
    created_at = models.DateTimeField(auto_now_add=True)
    promoted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.kind} v{self.pk}"


class ListingEmbeddingSet(models.Model):
    """Item-tower embeddings of the active listings, for one model version."""

    model_version = models.ForeignKey(
        ModelVersion, on_delete=models.CASCADE, related_name="embedding_sets"
    )
    path = models.CharField(max_length=500)
    index_path = models.CharField(
        max_length=500,
        blank=True,
        help_text="Directory of the faiss index of these embeddings.",
    )
    index_kind = models.CharField(max_length=16, blank=True)
    listing_count = models.PositiveIntegerField()
    started_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="When the build began to read listings; later edits are "
        "served from fresh listing vectors.",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"Embeddings {self.pk} of model version {self.model_version_id}"


class FreshListingVector(models.Model):
    """The item-tower vector of a listing created or edited after a build.

    The feed searches these beside the faiss index, so a new or edited
    listing is served without a rebuild. The next build takes them over and
    deletes them.
    """

    listing = models.OneToOneField(
        "listings.Listing", on_delete=models.CASCADE, related_name="fresh_vector"
    )
    model_version = models.ForeignKey(
        ModelVersion, on_delete=models.CASCADE, related_name="fresh_vectors"
    )
    # float32 values in native byte order, `embedding_dim` of them.
    vector = models.BinaryField()
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    def __str__(self) -> str:
        return f"Fresh vector of listing {self.listing_id}"


class NotInterested(models.Model):
    """A listing that a user asked not to see in the feed again."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="not_interested",
    )
    listing = models.ForeignKey(
        "listings.Listing", on_delete=models.CASCADE, related_name="not_interested"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "listing"], name="not_interested_user_listing"
            ),
        ]

    def __str__(self) -> str:
        return f"User {self.user_id} not interested in listing {self.listing_id}"


class Impression(models.Model):
    """One listing shown at one position of a feed page."""

    request_id = models.UUIDField(db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="impressions",
    )
    listing = models.ForeignKey(
        "listings.Listing",
        null=True,
        on_delete=models.SET_NULL,
        related_name="impressions",
    )
    # 0-based position in the whole scroll, not only on the page.
    position = models.PositiveIntegerField()
    strategy = models.CharField(max_length=32)
    two_tower_version = models.ForeignKey(
        ModelVersion,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    gnn_version = models.ForeignKey(
        ModelVersion,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        indexes = [models.Index(fields=["user", "created_at"])]

    def __str__(self) -> str:
        return f"Impression of listing {self.listing_id} at {self.position}"
