"""Server-rendered account pages, under /accounts/ beside allauth's."""

from django.urls import path

from accounts import views

urlpatterns = [
    path("profile/", views.profile, name="account_profile"),
    path(
        "profile/neighbourhoods/",
        views.neighbourhoods,
        name="account_neighbourhoods",
    ),
    path(
        "profile/neighbourhoods/add/",
        views.add_neighbourhood,
        name="account_neighbourhood_add",
    ),
    path(
        "profile/neighbourhoods/<int:neighbourhood_id>/confirm/",
        views.confirm_neighbourhood,
        name="account_neighbourhood_confirm",
    ),
    path(
        "profile/neighbourhoods/<int:neighbourhood_id>/remove/",
        views.remove_neighbourhood,
        name="account_neighbourhood_remove",
    ),
    path("delete/", views.erase_account, name="account_erase"),
    path("users/<int:pk>/", views.public_profile, name="account_public_profile"),
]
