"""Routes of the moderation API, included under /api/v1/."""

from django.urls import path

from moderation.api.views import (
    BlockDetailView,
    BlockListCreateView,
    ReportListCreateView,
)

urlpatterns = [
    path("reports/", ReportListCreateView.as_view(), name="report-list"),
    path("blocks/", BlockListCreateView.as_view(), name="block-list"),
    path("blocks/<int:user_pk>/", BlockDetailView.as_view(), name="block-detail"),
]
