"""Routes of the server-rendered listing pages."""

from django.urls import path

from listings import views

urlpatterns = [
    path("listings/<int:pk>/", views.listing_detail, name="listing-detail"),
]
