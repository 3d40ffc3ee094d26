from django.urls import path

from suggestions.api.views import SuggestionsView

urlpatterns = [
    path("suggestions/", SuggestionsView.as_view(), name="api-suggestions"),
]
