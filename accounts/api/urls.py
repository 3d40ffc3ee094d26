"""Routes of the accounts API, included under /api/v1/."""

from django.urls import path

from accounts.api import views

urlpatterns = [
    path("me/", views.MeView.as_view(), name="me"),
    path("me/delete/", views.EraseAccountView.as_view(), name="me-delete"),
    path(
        "me/neighbourhoods/",
        views.MyNeighbourhoodsView.as_view(),
        name="me-neighbourhoods",
    ),
    path(
        "me/neighbourhoods/<int:neighbourhood_id>/",
        views.MyNeighbourhoodView.as_view(),
        name="me-neighbourhood",
    ),
    path(
        "me/neighbourhoods/<int:neighbourhood_id>/confirm/",
        views.ConfirmNeighbourhoodView.as_view(),
        name="me-neighbourhood-confirm",
    ),
    path(
        "neighbourhoods/",
        views.NeighbourhoodListView.as_view(),
        name="neighbourhood-list",
    ),
    path("users/<int:pk>/", views.PublicProfileView.as_view(), name="user-profile"),
]
