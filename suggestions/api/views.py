"""HTTP access to the session suggestions, for clients without websockets."""

from drf_spectacular.utils import extend_schema
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from suggestions.services import Visitor, compute_suggestions


class SuggestionsView(APIView):
    """The suggestions for the visitor's current session.

    Computed in the request from the stored views of the signed-in user or,
    for anonymous visitors, of the Django session. A visitor without a
    session gets popular listings, and no session is created for it.
    """

    permission_classes = [AllowAny]

    @extend_schema(responses={200: dict})
    def get(self, request: Request) -> Response:
        visitor: Visitor | None = None
        if request.user.is_authenticated:
            visitor = Visitor(user_pk=request.user.pk, session_key="")
        elif request.session.session_key is not None:
            visitor = Visitor(user_pk=None, session_key=request.session.session_key)
        suggestions = compute_suggestions(visitor)
        return Response(suggestions.as_message())
