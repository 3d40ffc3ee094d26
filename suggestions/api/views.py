"""HTTP access to the session suggestions, for clients without websockets."""

from typing import NoReturn

from django.conf import settings
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.exceptions import Throttled
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from suggestions.api.throttling import SuggestionsRateThrottle
from suggestions.services import Visitor, compute_suggestions


class SuggestionsThrottled(Throttled):
    extra_detail_singular = "Retry in {wait} second."
    extra_detail_plural = "Retry in {wait} seconds."


class SuggestionsView(APIView):
    """The suggestions for the visitor's current session.

    Computed in the request from the stored views of the signed-in user or,
    for anonymous visitors, of the Django session. A visitor without a
    session gets popular listings, and no session is created for it.
    Requests are limited to SUGGESTIONS_HTTP_RATE; a 429 response carries
    the seconds to wait in its `retry_after` field and Retry-After header.
    """

    permission_classes = [AllowAny]
    throttle_classes = [SuggestionsRateThrottle]

    @extend_schema(
        responses={
            200: dict,
            429: OpenApiResponse(
                description='Too many requests: {"detail": "...", '
                '"retry_after": <seconds>}.'
            ),
        }
    )
    def get(self, request: Request) -> Response:
        visitor: Visitor | None = None
        if request.user.is_authenticated:
            visitor = Visitor(user_pk=request.user.pk, session_key="")
        elif request.session.session_key is not None:
            visitor = Visitor(user_pk=None, session_key=request.session.session_key)
        suggestions = compute_suggestions(visitor)
        return Response(suggestions.as_message())

    def throttled(self, request: Request, wait: float | None) -> NoReturn:
        raise SuggestionsThrottled(
            wait=wait,
            detail="Too many suggestion requests: the limit is "
            f"{settings.SUGGESTIONS_HTTP_RATE}.",
        )

    def handle_exception(self, exc: Exception) -> Response:
        response = super().handle_exception(exc)
        # DRF sets `wait` (whole seconds) on Throttled; the stubs omit it.
        wait = getattr(exc, "wait", None) if isinstance(exc, Throttled) else None
        if wait is not None:
            response.data["retry_after"] = wait
        return response
