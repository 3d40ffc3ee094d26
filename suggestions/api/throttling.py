"""Rate limit of the HTTP suggestions endpoint."""

from django.conf import settings
from rest_framework.request import Request
from rest_framework.throttling import SimpleRateThrottle
from rest_framework.views import APIView


class SuggestionsRateThrottle(SimpleRateThrottle):
    """SUGGESTIONS_HTTP_RATE requests per signed-in user or per address.

    The rate is read from the settings on each request, not from DRF's
    DEFAULT_THROTTLE_RATES, which DRF reads once at import. The counters
    live in the default cache, which is shared by all web processes when
    REDIS_URL is set.
    """

    scope = "suggestions"

    def get_rate(self) -> str:
        return settings.SUGGESTIONS_HTTP_RATE

    def get_cache_key(self, request: Request, view: APIView) -> str:
        if request.user.is_authenticated:
            ident = f"user-{request.user.pk}"
        else:
            ident = f"address-{self.get_ident(request)}"
        return self.cache_format % {"scope": self.scope, "ident": ident}
