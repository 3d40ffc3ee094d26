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
    raw_id_fields = ("seller", "product")
    autocomplete_fields = ("category",)
    inlines = [ListingPhotoInline]
    actions = ["mark_hidden"]

    @admin.action(description="Hide the selected listings")
    def mark_hidden(self, request, queryset):  # type: ignore[no-untyped-def]
        updated = queryset.update(status=Listing.Status.HIDDEN)
        self.message_user(request, f"Hid {updated} listings.")
