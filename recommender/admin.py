from django.contrib import admin

from recommender.models import (
    Impression,
    Interaction,
    ListingEmbeddingSet,
    ModelVersion,
    NotInterested,
    Reviewer,
    TrainingSnapshot,
)


@admin.register(Reviewer)
class ReviewerAdmin(admin.ModelAdmin):
    list_display = ("external_id", "source", "user")
    list_filter = ("source",)
    search_fields = ("external_id", "user__username")
    raw_id_fields = ("user",)


@admin.register(Interaction)
class InteractionAdmin(admin.ModelAdmin):
    list_display = ("occurred_at", "kind", "source", "reviewer", "user", "product")
    list_filter = ("kind", "source")
    search_fields = ("reviewer__external_id", "user__username", "product__parent_asin")
    raw_id_fields = ("reviewer", "user", "product", "listing")
    date_hierarchy = "occurred_at"


@admin.register(TrainingSnapshot)
class TrainingSnapshotAdmin(admin.ModelAdmin):
    list_display = ("pk", "created_at", "interaction_count", "user_count", "item_count")
    readonly_fields = ("manifest",)


@admin.register(ModelVersion)
class ModelVersionAdmin(admin.ModelAdmin):
    list_display = ("pk", "kind", "created_at", "promoted_at", "training_seconds")
    list_filter = ("kind",)
    readonly_fields = ("metrics", "config")
    raw_id_fields = ("snapshot", "parent")


@admin.register(ListingEmbeddingSet)
class ListingEmbeddingSetAdmin(admin.ModelAdmin):
    list_display = ("pk", "model_version", "listing_count", "created_at")


@admin.register(NotInterested)
class NotInterestedAdmin(admin.ModelAdmin):
    list_display = ("user", "listing", "created_at")
    search_fields = ("user__username",)
    raw_id_fields = ("user", "listing")


@admin.register(Impression)
class ImpressionAdmin(admin.ModelAdmin):
    list_display = ("created_at", "user", "listing", "position", "strategy")
    list_filter = ("strategy",)
    search_fields = ("request_id", "user__username")
    raw_id_fields = ("user", "listing", "two_tower_version", "gnn_version")
    date_hierarchy = "created_at"
