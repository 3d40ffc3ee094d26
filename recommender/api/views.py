import uuid

from django.http import QueryDict
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import NotAuthenticated
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import User
from listings.models import Listing
from recommender.api.serializers import FeedPageSerializer, NotInterestedSerializer
from recommender.feed import (
    DEFAULT_PAGE_SIZE,
    MAX_PAGE_SIZE,
    InvalidCursorError,
    UnknownNeighbourhoodError,
    get_home_feed,
)
from recommender.services import mark_not_interested, unmark_not_interested

REQUEST_ID_HEADER = "X-Request-ID"


class FeedQuerySerializer(serializers.Serializer[object]):
    cursor = serializers.CharField(required=False, allow_blank=False)
    page_size = serializers.IntegerField(
        required=False,
        min_value=1,
        max_value=MAX_PAGE_SIZE,
        default=DEFAULT_PAGE_SIZE,
    )
    neighbourhood = serializers.IntegerField(required=False, min_value=1)


def _request_id(request: Request) -> uuid.UUID:
    """Return the client's X-Request-ID when it is a UUID, else a new one."""
    header = request.headers.get(REQUEST_ID_HEADER, "")
    try:
        return uuid.UUID(header)
    except ValueError:
        return uuid.uuid4()


def _signed_in(request: Request) -> User:
    """Return the request's user; IsAuthenticated has admitted only users."""
    if not isinstance(request.user, User):
        raise NotAuthenticated()
    return request.user


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
            OpenApiParameter(
                "neighbourhood",
                int,
                description="Neighbourhood id: in the popularity feed, "
                "listings near it come first. Defaults to the signed-in "
                "user's confirmed home neighbourhood.",
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
                neighbourhood_pk=query.validated_data.get("neighbourhood"),
                near_home=True,
                request_id=_request_id(request),
            )
        except InvalidCursorError as error:
            return Response(
                {"cursor": [str(error)]}, status=status.HTTP_400_BAD_REQUEST
            )
        except UnknownNeighbourhoodError as error:
            return Response(
                {"neighbourhood": [str(error)]}, status=status.HTTP_400_BAD_REQUEST
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


class NotInterestedView(APIView):
    """Mark (POST) or unmark (DELETE) a listing as "not interested"."""

    permission_classes = [IsAuthenticated]

    @extend_schema(request=None, responses={201: NotInterestedSerializer})
    def post(self, request: Request, listing_pk: int) -> Response:
        listing = Listing.objects.filter(pk=listing_pk).first()
        if listing is None:
            return Response(
                {"listing": [f"Listing {listing_pk} does not exist."]},
                status=status.HTTP_404_NOT_FOUND,
            )
        created = mark_not_interested(user=_signed_in(request), listing=listing)
        data = NotInterestedSerializer(
            {"listing_id": listing.pk, "created": created}
        ).data
        return Response(
            data, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK
        )

    @extend_schema(request=None, responses={204: None})
    def delete(self, request: Request, listing_pk: int) -> Response:
        user = _signed_in(request)
        if not unmark_not_interested(user=user, listing_pk=listing_pk):
            return Response(
                {"listing": [f"Listing {listing_pk} is not marked as not interested."]},
                status=status.HTTP_404_NOT_FOUND,
            )
        return Response(status=status.HTTP_204_NO_CONTENT)
