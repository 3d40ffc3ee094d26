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
    session gets popular listings.
    """

    permission_classes = [AllowAny]

    @extend_schema(responses={200: dict})
    def get(self, request: Request) -> Response:
        if request.user.is_authenticated:
            visitor = Visitor(user_pk=request.user.pk, session_key="")
        else:
            if request.session.session_key is None:
                request.session.save()
            session_key = request.session.session_key
            assert session_key is not None
            visitor = Visitor(user_pk=None, session_key=session_key)
        suggestions = compute_suggestions(visitor)
        return Response(suggestions.as_message())
