from django.contrib import admin

from listings.models import Category, Listing, ListingPhoto, Product


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


@admin.register(Listing)
class ListingAdmin(admin.ModelAdmin):
    list_display = (
        "title",
        "seller",
        "price",
        "currency",
        "condition",
        "status",
        "neighbourhood",
        "bumped_at",
    )
    list_filter = ("status", "condition", "currency", "seller__is_demo")
    search_fields = ("title", "seller__username", "product__parent_asin")
    raw_id_fields = ("seller", "product", "reserved_for")
    list_select_related = ("seller", "neighbourhood")
    autocomplete_fields = ("category",)
    inlines = [ListingPhotoInline]
    actions = ["mark_hidden"]

    @admin.action(description="Hide the selected active listings")
    def mark_hidden(self, request, queryset):  # type: ignore[no-untyped-def]
        # Only active listings are hidden, because a reserved listing keeps
        # its buyer until released and a sold listing stays sold. The status
        # filter is part of the UPDATE statement, so a listing whose status
        # changed meanwhile is skipped.
        selected = queryset.count()
        updated = queryset.filter(status=Listing.Status.ACTIVE).update(
            status=Listing.Status.HIDDEN
        )
        skipped = selected - updated
        message = f"Hid {updated} of {selected} listings."
        if skipped:
            message += (
                f" Skipped {skipped} that were not active; release reserved "
                "listings first."
            )
        self.message_user(request, message)
