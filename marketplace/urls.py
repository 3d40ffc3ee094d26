from allauth.account import views as allauth_views
from django.conf import settings
from django.contrib import admin
from django.urls import include, path, re_path
from drf_spectacular.views import (
    SpectacularAPIView,
    SpectacularRedocView,
    SpectacularSwaggerView,
)

from marketplace.views import serve_media
from recommender import views as recommender_views

urlpatterns = [
    path("", recommender_views.home, name="home"),
    path("admin/", admin.site.urls),
    # allauth serves these paths as account_login and account_logout; the
    # short names stay for the templates and LOGIN_URL.
    path("accounts/login/", allauth_views.login, name="login"),
    path("accounts/logout/", allauth_views.logout, name="logout"),
    path("accounts/", include("accounts.urls")),
    path("accounts/", include("allauth.urls")),
    path("_allauth/", include("allauth.headless.urls")),
    path("api/v1/", include("recommender.api.urls")),
    path("api/v1/", include("listings.api.urls")),
    path("api/v1/", include("orders.api.urls")),
    path("api/v1/", include("notifications.api.urls")),
    path("", include("orders.urls")),
    path("api/v1/", include("accounts.api.urls")),
    path("api/v1/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/v1/", include("moderation.api.urls")),
    path(
        "api/v1/docs/",
        SpectacularSwaggerView.as_view(url_name="schema"),
        name="swagger-ui",
    ),
    path(
        "api/v1/redoc/",
        SpectacularRedocView.as_view(
            url_name="schema", template_name="docs/redoc.html"
        ),
        name="redoc",
    ),
    path("", include("listings.urls")),
    path("", include("moderation.urls")),
    path("app/", include("webapp.urls")),
    path("api/v1/", include("suggestions.api.urls")),
    re_path(
        rf"^{settings.MEDIA_URL.lstrip('/')}(?P<path>.+)$",
        serve_media,
        name="media",
    ),
]
