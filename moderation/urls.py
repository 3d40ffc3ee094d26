"""Routes of the report and block forms of the site pages."""

from django.urls import path

from moderation import views

urlpatterns = [
    path("listings/<int:pk>/report/", views.report_listing, name="listing-report"),
    path("users/<int:pk>/block/", views.block_user, name="user-block"),
    path("users/<int:pk>/unblock/", views.unblock_user, name="user-unblock"),
]
