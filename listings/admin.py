import logging
from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse

from accounts.models import User
from listings.models import Category, Listing, ListingPhoto, Product
from moderation import services as moderation_services
from moderation.admin_actions import ask_reason
from moderation.models import ListingModerationEvent

logger = logging.getLogger(__name__)


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ("path", "depth")
    search_fields = ("path",)
    list_filter = ("depth",)


@admin.register(Product)
class ProductAdmin(admin.ModelAdmin):
    list_display = ("parent_asin", "title", "store", "price", "has_metadata")
    search_fields = ("parent_asin", "title", "store")
    list_filter = ("has_metadata",)
    autocomplete_fields = ("category",)


class ListingPhotoInline(admin.TabularInline):
    model = ListingPhoto
    extra = 0
    fields = ("position", "image", "thumbnail", "width", "height")
    readonly_fields = ("thumbnail", "width", "height")


class ModerationEventInline(admin.TabularInline):
    """The listing's moderation history, read-only."""

    model = ListingModerationEvent
    extra = 0
    fields = (
        "created_at",
        "action",
        "staff",
        "previous_status",
        "new_status",
        "reason",
    )
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Listing)
class ListingAdmin(admin.ModelAdmin):
    list_display = (
        "title",
        "seller",
        "price",
        "currency",
        "condition",
        "status",
        "hidden_by_staff",
        "neighbourhood",
        "bumped_at",
    )
    list_filter = (
        "status",
        "hidden_by_staff",
        "condition",
        "currency",
        "seller__is_demo",
        "bumped_at",
    )
    search_fields = ("title", "seller__username", "product__parent_asin")
    raw_id_fields = ("seller", "product")
    list_select_related = ("seller", "neighbourhood")
    autocomplete_fields = ("category",)
    # The status and its buyer change only through the seller's actions and
    # the staff actions below, which keep the lifecycle rules and record
    # each staff change with its reason in the moderation history. An edit
    # of these fields in the form would do neither.
    readonly_fields = ("status", "reserved_for", "hidden_by_staff", "bumped_at")
    inlines = [ListingPhotoInline, ModerationEventInline]
    actions = ["hide_by_staff", "restore_by_staff"]

    @admin.action(description="Hide the selected listings, with a reason")
    def hide_by_staff(
        self, request: HttpRequest, queryset: QuerySet[Listing]
    ) -> HttpResponse | None:
        def apply(reason: str) -> str:
            return self._apply_each(
                request,
                queryset,
                "Hid",
                lambda listing, staff: moderation_services.hide_listing_by_staff(
                    listing=listing, staff=staff, reason=reason
                ),
            )

        return ask_reason(
            self, request, queryset, title="Hide the selected listings", apply=apply
        )

    @admin.action(description="Restore the selected listings hidden by staff")
    def restore_by_staff(
        self, request: HttpRequest, queryset: QuerySet[Listing]
    ) -> HttpResponse | None:
        def apply(reason: str) -> str:
            return self._apply_each(
                request,
                queryset,
                "Restored",
                lambda listing, staff: moderation_services.restore_listing_by_staff(
                    listing=listing, staff=staff, reason=reason
                ),
            )

        return ask_reason(
            self, request, queryset, title="Restore the selected listings", apply=apply
        )

    def _apply_each(
        self,
        request: HttpRequest,
        queryset: QuerySet[Listing],
        verb: str,
        act: Any,
    ) -> str:
        """Apply `act` to each listing; return a summary with the skips."""
        staff = request.user
        if not isinstance(staff, User):
            raise PermissionError("The admin serves signed-in staff only.")
        done = 0
        skipped: list[str] = []
        for listing in queryset.order_by("pk"):
            try:
                act(listing, staff)
                done += 1
            except moderation_services.StaffActionNotAllowedError as error:
                logger.info("Skipped staff action on listing %s: %s", listing.pk, error)
                skipped.append(str(error))
        message = f"{verb} {done} of {done + len(skipped)} listings."
        if skipped:
            message += " Skipped: " + " ".join(skipped)
        return message
