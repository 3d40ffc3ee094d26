"""Routes of the server-rendered orders pages."""

from django.urls import path

from orders import views

app_name = "orders"

urlpatterns = [
    path("cart/", views.cart_page, name="cart"),
    path("cart/add/<int:listing_pk>/", views.add_to_cart_page, name="cart-add"),
    path(
        "cart/remove/<int:listing_pk>/",
        views.remove_from_cart_page,
        name="cart-remove",
    ),
    path("cart/checkout/", views.checkout_page, name="checkout"),
    path("favorites/", views.favorites_page, name="favorites"),
    path("offers/", views.offers_page, name="offers"),
    path("orders/", views.orders_page, name="orders"),
    path("orders/<int:order_pk>/", views.order_page, name="order"),
]
