"""DRF authentication by allauth's headless session token."""

from allauth.headless.contrib.rest_framework.authentication import (
    XSessionTokenAuthentication,
)
from django.http import HttpRequest

INVALID_TOKEN_MESSAGE = (
    "The session token is invalid or has expired. Sign in again through "
    "/_allauth/app/v1/auth/login to get a new X-Session-Token."
)


class SessionTokenAuthentication(XSessionTokenAuthentication):
    """Authenticate mobile clients by the X-Session-Token header.

    A request without the header falls through to the next class (the
    browser session). A request with a bad or expired token is rejected
    with 401, and never treated as anonymous, so a client notices that it
    must sign in again.
    """

    allow_invalid_session_tokens = False
    # A token whose session has no user (expired, or a sign-in still waiting
    # for email verification) is no credential for the API either.
    allow_anonymous_users = False

    def authenticate(self, request: HttpRequest):  # type: ignore[no-untyped-def]
        from rest_framework.exceptions import AuthenticationFailed

        try:
            return super().authenticate(request)
        except AuthenticationFailed as error:
            raise AuthenticationFailed(
                INVALID_TOKEN_MESSAGE, code="invalid_session_token"
            ) from error

    def authenticate_header(self, request: HttpRequest) -> str | None:
        # Only a request that sent a token learns the scheme; without a
        # header DRF returns 403 for anonymous requests, as before.
        if self.get_session_token(request):
            return "X-Session-Token"
        return None
