"""The page that serves the browser app and its session sign-in API.

NOTE: the session API is Django's password login, kept until allauth's
headless browser API (/_allauth/browser/v1/) takes over sign-in. Only
frontend/src/auth/ calls it. It has no rate limit on failed attempts yet.
"""

import json
import logging
from typing import Any

from django.contrib.auth import authenticate, login, logout
from django.http import HttpRequest, HttpResponse, JsonResponse
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


def _read_credentials(request: HttpRequest) -> tuple[str, str] | JsonResponse:
    try:
        body = json.loads(request.body or b"{}")
    except ValueError:
        return JsonResponse(
            {"detail": "The request body is not valid JSON; send an object."},
            status=400,
        )
    if not isinstance(body, dict):
        return JsonResponse(
            {"detail": "The request body must be a JSON object."}, status=400
        )

    errors: dict[str, list[str]] = {}
    values: dict[str, str] = {}
    for field in ("username", "password"):
        value = body.get(field)
        if not isinstance(value, str) or not value:
            errors[field] = [f"The {field} is missing; enter your {field}."]
        else:
            values[field] = value
    if errors:
        return JsonResponse(errors, status=400)
    return values["username"], values["password"]


@never_cache
@require_http_methods(["GET", "POST", "DELETE"])
def session(request: HttpRequest) -> JsonResponse:
    """Return (GET), start (POST) or end (DELETE) the browser's session.

    POST takes {"username", "password"} as JSON. CSRF is checked by the
    middleware, so the app sends the csrftoken cookie in X-CSRFToken.
    """
    if request.method == "DELETE":
        logout(request)
        return JsonResponse({"user": None})
    if request.method == "GET":
        return JsonResponse({"user": _user_payload(request)})

    credentials = _read_credentials(request)
    if isinstance(credentials, JsonResponse):
        return credentials
    username, password = credentials
    user = authenticate(request, username=username, password=password)
    if user is None:
        logger.info("Rejected a session sign-in: wrong username or password")
        return JsonResponse(
            {"detail": "The username or password is incorrect. Try again."},
            status=400,
        )

    login(request, user)
    logger.info("User %s signed in through the session API", user.pk)
    return JsonResponse({"user": _user_payload(request)})
