from django.urls import path

from recommender.api.views import FeedView, NotInterestedView

urlpatterns = [
    path("feed/", FeedView.as_view(), name="feed"),
    path(
        "feed/not-interested/<int:listing_pk>/",
        NotInterestedView.as_view(),
        name="feed-not-interested",
    ),
]
