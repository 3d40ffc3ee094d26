from django.http import QueryDict
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from recommender.api.serializers import FeedPageSerializer
from recommender.feed import (
    DEFAULT_PAGE_SIZE,
    MAX_PAGE_SIZE,
    InvalidCursorError,
    get_home_feed,
)


class FeedQuerySerializer(serializers.Serializer[object]):
    cursor = serializers.CharField(required=False, allow_blank=False)
    page_size = serializers.IntegerField(
        required=False,
        min_value=1,
        max_value=MAX_PAGE_SIZE,
        default=DEFAULT_PAGE_SIZE,
    )


class FeedView(APIView):
    """The home feed: personalized for signed-in users with a history."""

    permission_classes = [AllowAny]

    @extend_schema(
        parameters=[
            OpenApiParameter("cursor", str, description="`next` of the last page."),
            OpenApiParameter(
                "page_size",
                int,
                description=f"Listings per page, 1 to {MAX_PAGE_SIZE}.",
            ),
        ],
        responses=FeedPageSerializer,
    )
    def get(self, request: Request) -> Response:
        query = FeedQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        try:
            page = get_home_feed(
                user=request.user,
                cursor=query.validated_data.get("cursor"),
                page_size=query.validated_data["page_size"],
            )
        except InvalidCursorError as error:
            return Response(
                {"cursor": [str(error)]}, status=status.HTTP_400_BAD_REQUEST
            )
        data = FeedPageSerializer(page).data
        if page.next_cursor is not None:
            params = QueryDict(mutable=True)
            params["cursor"] = page.next_cursor
            params["page_size"] = str(query.validated_data["page_size"])
            data["next"] = request.build_absolute_uri(
                f"{request.path}?{params.urlencode()}"
            )
        return Response(data)
