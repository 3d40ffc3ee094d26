"""The page that serves the browser app.

The app signs in through allauth's headless browser API under
/_allauth/browser/v1/, so email verification and the rate limits apply to
it as to the server-rendered pages.
"""

import logging
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import ensure_csrf_cookie
from django.views.decorators.http import require_http_methods

from accounts.models import User
from webapp.manifest import FrontendNotBuiltError, load_assets

logger = logging.getLogger(__name__)

_NOT_BUILT_PAGE = (
    "<!doctype html><title>App not built</title><h1>The app is not built</h1>"
    "<p>Run <code>make frontend</code> (Node 20.19 or newer) and reload this "
    "page.</p>"
)


def _user_payload(request: HttpRequest) -> dict[str, Any] | None:
    user = request.user
    if not isinstance(user, User):
        return None
    return {
        "username": user.username,
        "is_demo": user.is_demo,
        "trust_score": str(user.trust_score),
    }


@never_cache
@ensure_csrf_cookie
@require_http_methods(["GET", "HEAD"])
def app_page(request: HttpRequest, path: str = "") -> HttpResponse:
    """Render the HTML shell of the app for every client-side route."""
    try:
        assets = load_assets()
    except FrontendNotBuiltError as error:
        logger.error("Cannot serve the browser app: %s", error)
        return HttpResponse(_NOT_BUILT_PAGE, status=503)

    return render(
        request,
        "webapp/index.html",
        {"assets": assets, "app_config": {"user": _user_payload(request)}},
    )
