"""Routes of the listings API, included under /api/v1/."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from listings.api.views import CatalogProductSearchView, ListingViewSet

router = SimpleRouter()
router.register("listings", ListingViewSet, basename="listing")

urlpatterns = [
    *router.urls,
    path(
        "catalog/products/",
        CatalogProductSearchView.as_view(),
        name="catalog-product-search",
    ),
]
