"""Routes of the orders API, included under /api/v1/."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from orders.api.views import (
    CartItemsView,
    CartItemView,
    CartView,
    CheckoutView,
    FavoriteViewSet,
    OfferViewSet,
    OrderViewSet,
)

router = SimpleRouter()
router.register("favorites", FavoriteViewSet, basename="favorite")
router.register("orders", OrderViewSet, basename="order")
router.register("offers", OfferViewSet, basename="offer")

urlpatterns = [
    path("cart/", CartView.as_view(), name="cart"),
    path("cart/items/", CartItemsView.as_view(), name="cart-items"),
    path("cart/items/<int:listing_pk>/", CartItemView.as_view(), name="cart-item"),
    path("checkout/", CheckoutView.as_view(), name="checkout"),
    *router.urls,
]
