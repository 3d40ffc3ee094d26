from django.contrib import admin

from orders.models import Cart, CartItem, Favorite, Offer, Order, OrderItem, Rating


@admin.register(Favorite)
class FavoriteAdmin(admin.ModelAdmin):
    list_display = ["pk", "user", "listing", "created_at"]
    search_fields = ["user__username", "listing__title"]
    raw_id_fields = ["user", "listing"]


class CartItemInline(admin.TabularInline):
    model = CartItem
    raw_id_fields = ["listing"]
    extra = 0


@admin.register(Cart)
class CartAdmin(admin.ModelAdmin):
    list_display = ["pk", "user", "created_at", "updated_at"]
    search_fields = ["user__username"]
    raw_id_fields = ["user"]
    exclude = ["session_token"]
    inlines = [CartItemInline]


@admin.register(Offer)
class OfferAdmin(admin.ModelAdmin):
    list_display = [
        "pk",
        "listing",
        "buyer",
        "amount",
        "counter_amount",
        "currency",
        "status",
        "hold_expires_at",
    ]
    list_filter = ["status", "currency"]
    search_fields = ["listing__title", "buyer__username"]
    raw_id_fields = ["listing", "buyer"]


class OrderItemInline(admin.TabularInline):
    model = OrderItem
    raw_id_fields = ["listing", "offer"]
    readonly_fields = ["title", "price", "currency", "is_active"]
    extra = 0


class RatingInline(admin.TabularInline):
    model = Rating
    raw_id_fields = ["rater", "ratee"]
    extra = 0


@admin.register(Order)
class OrderAdmin(admin.ModelAdmin):
    """Staff read orders here; state changes go through the services."""

    list_display = ["pk", "buyer", "seller", "status", "payment_status", "created_at"]
    list_filter = ["status", "payment_status", "created_at"]
    search_fields = ["buyer__username", "seller__username", "items__title"]
    readonly_fields = [
        "buyer",
        "seller",
        "status",
        "completed_at",
        "cancelled_at",
        "cancelled_by",
    ]
    date_hierarchy = "created_at"
    inlines = [OrderItemInline, RatingInline]


@admin.register(Rating)
class RatingAdmin(admin.ModelAdmin):
    list_display = ["pk", "order", "rater", "ratee", "score", "created_at"]
    list_filter = ["score"]
    search_fields = ["rater__username", "ratee__username"]
    raw_id_fields = ["order", "rater", "ratee"]
