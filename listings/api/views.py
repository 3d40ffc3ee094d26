"""Views of the listings API and the catalog search.

Each view validates the request, calls a service or selector and serializes
the result.

Anyone may read. Writes need a signed-in user, and every write looks the
listing up among the requester's own listings only, so a user who is not
the seller gets 404 whether or not the listing is visible to them.
"""

import logging
import math
from typing import Any

from django.core.exceptions import ObjectDoesNotExist
from django.http import QueryDict
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import exceptions, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import MultiPartParser
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import User
from listings import distance, photos, selectors, services
from listings.api.serializers import (
    ActionNotAllowedSerializer,
    BumpTooSoonSerializer,
    CatalogQuerySerializer,
    ErrorSerializer,
    ListingPageSerializer,
    ListingQuerySerializer,
    ListingSerializer,
    ListingWriteSerializer,
    PhotoUploadSerializer,
    ProductSuggestionSerializer,
    RelatedListingsSerializer,
    ReserveSerializer,
)
from listings.models import Listing, ListingPhoto
from moderation.selectors import blocked_user_ids
from recommender.similar import nearest_listing_pks

logger = logging.getLogger(__name__)

_VALIDATION_ERROR = OpenApiResponse(
    OpenApiTypes.OBJECT, description="Invalid input: field name to messages."
)
_NOT_SIGNED_IN = OpenApiResponse(
    ErrorSerializer, description="Not signed in (401 with token authentication)."
)
_NOT_FOUND = OpenApiResponse(
    ErrorSerializer,
    description="No such listing among the requester's own listings.",
)
_NOT_ALLOWED = OpenApiResponse(
    ActionNotAllowedSerializer,
    description="The listing's status does not allow this action.",
)


def _status_change_schema(summary: str, request: Any = None) -> Any:
    return extend_schema(
        summary=summary,
        request=request,
        responses={
            200: ListingSerializer,
            400: _VALIDATION_ERROR,
            403: _NOT_SIGNED_IN,
            404: _NOT_FOUND,
            409: _NOT_ALLOWED,
        },
    )


@extend_schema_view(
    list=extend_schema(
        summary="Browse listings",
        parameters=[ListingQuerySerializer],
        responses={200: ListingPageSerializer, 400: _VALIDATION_ERROR},
    ),
    create=extend_schema(
        summary="Create a listing",
        request=ListingWriteSerializer,
        responses={201: ListingSerializer, 400: _VALIDATION_ERROR, 403: _NOT_SIGNED_IN},
    ),
    retrieve=extend_schema(
        summary="Show a listing",
        responses={
            200: ListingSerializer,
            404: OpenApiResponse(
                ErrorSerializer, description="No such listing visible to you."
            ),
        },
    ),
    partial_update=extend_schema(
        summary="Edit a listing",
        description="Change some fields. An edit never bumps the listing.",
        request=ListingWriteSerializer,
        responses={
            200: ListingSerializer,
            400: _VALIDATION_ERROR,
            403: _NOT_SIGNED_IN,
            404: _NOT_FOUND,
            409: _NOT_ALLOWED,
        },
    ),
    destroy=extend_schema(
        summary="Delete a listing",
        responses={
            204: None,
            403: _NOT_SIGNED_IN,
            404: _NOT_FOUND,
            409: _NOT_ALLOWED,
        },
    ),
)
class ListingViewSet(viewsets.GenericViewSet[Listing]):
    """Listings: browse, create, edit, delete, bump and change status."""

    queryset = Listing.objects.all()
    serializer_class = ListingSerializer
    lookup_value_regex = r"[0-9]+"
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def list(self, request: Request) -> Response:
        """Return one page of the listings that match the query."""
        # The home neighbourhood is looked up only when `near` is left out.
        default_near = (
            None
            if "near" in request.query_params
            else distance.default_near_neighbourhood(request.user)
        )
        query = ListingQuerySerializer(
            data=request.query_params, context={"default_near": default_near}
        )
        query.is_valid(raise_exception=True)
        params = query.validated_data
        near = params.get("near")
        filters = selectors.ListingFilters(
            category=params.get("category"),
            min_price=params.get("min_price"),
            max_price=params.get("max_price"),
            currency=params.get("currency"),
            conditions=params.get("condition", ()),
            statuses=params.get("status", (Listing.Status.ACTIVE,)),
            search=params.get("q"),
            near=near,
            radius_km=params.get("radius_km"),
        )

        try:
            page = selectors.browse_listings(
                viewer=request.user,
                filters=filters,
                ordering=selectors.ListingOrdering(params["ordering"]),
                cursor=params.get("cursor"),
                page_size=params["page_size"],
            )
        except selectors.InvalidCursorError as error:
            raise exceptions.ValidationError({"cursor": [str(error)]}) from error

        next_url = None
        if page.next_cursor is not None:
            next_params = request.query_params.copy()
            next_params["cursor"] = page.next_cursor
            next_url = _absolute_url(request, next_params)
        results = self.get_serializer(page.listings, many=True).data
        return Response({"results": results, "next": next_url})

    def retrieve(self, request: Request, pk: str) -> Response:
        """Return a listing; a hidden one only to its seller."""
        listing = selectors.get_visible_listing(viewer=request.user, pk=int(pk))
        return Response(self.get_serializer(listing).data)

    def create(self, request: Request) -> Response:
        """Create an active listing sold by the requester, with its photos."""
        body = ListingWriteSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        fields = dict(body.validated_data)
        uploads = fields.pop("photos", [])

        listing = photos.create_listing_with_photos(
            uploads=uploads, seller=_signed_in_user(request), **fields
        )

        return self._respond(listing, status.HTTP_201_CREATED)

    def partial_update(self, request: Request, pk: str) -> Response:
        """Change the given fields of a listing that is not sold."""
        listing = self._own_listing(pk)
        body = ListingWriteSerializer(data=request.data, partial=True)
        body.is_valid(raise_exception=True)
        if "photos" in body.validated_data:
            raise exceptions.ValidationError(
                {
                    "photos": [
                        "Photos cannot be changed by an edit; use the photos "
                        "endpoint of the listing."
                    ]
                }
            )

        listing = services.update_listing(listing=listing, **body.validated_data)

        return self._respond(listing)

    def destroy(self, request: Request, pk: str) -> Response:
        """Delete a listing that is not sold."""
        listing = self._own_listing(pk)
        services.delete_listing(listing=listing)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        summary="Bump a listing",
        description=(
            "Move an active listing to the top of the newest-first list, at "
            "most once every 24 hours."
        ),
        request=None,
        responses={
            200: ListingSerializer,
            403: _NOT_SIGNED_IN,
            404: _NOT_FOUND,
            409: _NOT_ALLOWED,
            429: OpenApiResponse(
                BumpTooSoonSerializer,
                description="Bumped less than 24 hours ago; see Retry-After.",
            ),
        },
    )
    @action(detail=True, methods=["post"])
    def bump(self, request: Request, pk: str) -> Response:
        listing = services.bump_listing(listing=self._own_listing(pk))
        return self._respond(listing)

    @_status_change_schema("Reserve a listing for a buyer", ReserveSerializer)
    @action(detail=True, methods=["post"])
    def reserve(self, request: Request, pk: str) -> Response:
        """Hold an active listing for a named buyer."""
        listing = self._own_listing(pk)
        body = ReserveSerializer(data=request.data)
        body.is_valid(raise_exception=True)

        listing = services.reserve_listing(
            listing=listing, buyer=body.validated_data["buyer"]
        )

        return self._respond(listing)

    @_status_change_schema("Release a reservation")
    @action(detail=True, methods=["post"])
    def release(self, request: Request, pk: str) -> Response:
        """Cancel the reservation and make the listing active again."""
        listing = services.release_listing(listing=self._own_listing(pk))
        return self._respond(listing)

    @_status_change_schema("Mark a listing sold")
    @action(detail=True, methods=["post"])
    def sell(self, request: Request, pk: str) -> Response:
        """Mark a listing sold; a sold listing can no longer change."""
        listing = services.mark_listing_sold(listing=self._own_listing(pk))
        return self._respond(listing)

    @_status_change_schema("Hide a listing from everyone but its seller")
    @action(detail=True, methods=["post"])
    def hide(self, request: Request, pk: str) -> Response:
        """Hide an active listing from everyone but its seller."""
        listing = services.hide_listing(listing=self._own_listing(pk))
        return self._respond(listing)

    @_status_change_schema("Show a hidden listing again")
    @action(detail=True, methods=["post"])
    def unhide(self, request: Request, pk: str) -> Response:
        """Make a hidden listing active again, without bumping it."""
        listing = services.unhide_listing(listing=self._own_listing(pk))
        return self._respond(listing)

    @extend_schema(
        summary="Listings related to a listing",
        description=(
            "Similar active listings (the same catalog product first, then "
            "the recommender's nearest listings, then the same category) "
            "and the seller's other active listings. Listings of users on "
            "either side of a block with the requester are left out."
        ),
        responses={200: RelatedListingsSerializer, 404: _NOT_FOUND},
    )
    @action(detail=True, methods=["get"])
    def related(self, request: Request, pk: str) -> Response:
        listing = selectors.get_visible_listing(viewer=request.user, pk=int(pk))
        blocked = blocked_user_ids(request.user)
        seller_listings = (
            []
            if listing.seller_id in blocked
            else selectors.other_listings_of_seller(listing=listing)
        )
        similar = selectors.similar_listings(
            listing=listing,
            viewer=request.user,
            nearest=nearest_listing_pks(listing.pk, selectors.SIMILAR_DEPTH),
        )
        context = self.get_serializer_context()
        return Response(
            {
                "similar": ListingSerializer(similar, many=True, context=context).data,
                "seller_listings": ListingSerializer(
                    seller_listings, many=True, context=context
                ).data,
            }
        )

    @extend_schema(
        summary="Add photos to a listing",
        description=(
            "Multipart upload. Every photo is checked before any is stored; "
            "a rejected photo stores none of them."
        ),
        request={"multipart/form-data": PhotoUploadSerializer},
        responses={
            201: ListingSerializer,
            400: _VALIDATION_ERROR,
            403: _NOT_SIGNED_IN,
            404: _NOT_FOUND,
            409: _NOT_ALLOWED,
        },
    )
    @action(
        detail=True,
        methods=["post"],
        url_path="photos",
        parser_classes=[MultiPartParser],
    )
    def add_photos(self, request: Request, pk: str) -> Response:
        listing = self._own_listing(pk)
        body = PhotoUploadSerializer(data=request.data)
        body.is_valid(raise_exception=True)

        photos.add_listing_photos(
            listing=listing, uploads=body.validated_data["photos"]
        )

        return self._respond(listing, status.HTTP_201_CREATED)

    @extend_schema(
        summary="Delete a photo of a listing",
        request=None,
        responses={204: None, 403: _NOT_SIGNED_IN, 404: _NOT_FOUND},
    )
    @action(
        detail=True,
        methods=["delete"],
        url_path=r"photos/(?P<photo_pk>[0-9]+)",
    )
    def delete_photo(self, request: Request, pk: str, photo_pk: str) -> Response:
        listing = self._own_listing(pk)
        photo = ListingPhoto.objects.get(pk=int(photo_pk), listing=listing)
        photos.delete_listing_photo(photo=photo)
        return Response(status=status.HTTP_204_NO_CONTENT)

    def handle_exception(self, exc: Exception) -> Response:
        if isinstance(exc, services.BumpTooSoonError):
            logger.info(
                "Rejected bump of listing %s by user %s: next bump at %s",
                exc.listing_pk,
                self.request.user.pk,
                exc.next_bump_at.isoformat(),
            )
            wait = (exc.next_bump_at - timezone.now()).total_seconds()
            body = BumpTooSoonSerializer(
                {"detail": str(exc), "next_bump_at": exc.next_bump_at}
            ).data
            return Response(
                body,
                status=status.HTTP_429_TOO_MANY_REQUESTS,
                headers={"Retry-After": str(max(1, math.ceil(wait)))},
            )
        if isinstance(exc, services.ActionNotAllowedError):
            logger.info(
                "Rejected %s of listing %s by user %s: status is %s",
                exc.action,
                exc.listing_pk,
                self.request.user.pk,
                exc.status,
            )
            return Response(
                {"detail": str(exc), "status": exc.status},
                status=status.HTTP_409_CONFLICT,
            )
        if isinstance(exc, photos.InvalidPhotoError):
            logger.info(
                "Rejected photos for listing %s by user %s: %s",
                self.kwargs.get("pk"),
                self.request.user.pk,
                exc,
            )
            exc = exceptions.ValidationError({"photos": [str(exc)]})
        elif isinstance(exc, services.InvalidListingError):
            exc = exceptions.ValidationError(exc.errors)
        elif isinstance(exc, ListingPhoto.DoesNotExist):
            exc = exceptions.NotFound(
                f"Photo {self.kwargs.get('photo_pk')} of listing "
                f"{self.kwargs.get('pk')} was not found."
            )
        elif isinstance(exc, ObjectDoesNotExist):
            exc = exceptions.NotFound(f"Listing {self.kwargs.get('pk')} was not found.")
        return super().handle_exception(exc)

    def _own_listing(self, pk: str) -> Listing:
        """Return the requester's listing `pk`.

        Raises:
            Listing.DoesNotExist: when the requester is not its seller.
        """
        seller = _signed_in_user(self.request)
        return Listing.objects.get(pk=int(pk), seller=seller)

    def _respond(self, listing: Listing, code: int = status.HTTP_200_OK) -> Response:
        fresh = selectors.get_visible_listing(viewer=self.request.user, pk=listing.pk)
        return Response(self.get_serializer(fresh).data, status=code)


class CatalogProductSearchView(APIView):
    """Catalog products whose title contains every word of `q`."""

    permission_classes = [AllowAny]

    @extend_schema(
        summary="Search the catalog to prefill a sell form",
        parameters=[CatalogQuerySerializer],
        responses={
            200: ProductSuggestionSerializer(many=True),
            400: _VALIDATION_ERROR,
        },
    )
    def get(self, request: Request) -> Response:
        query = CatalogQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)

        try:
            suggestions = selectors.search_products(query=query.validated_data["q"])
        except ValueError as error:
            raise exceptions.ValidationError({"q": [str(error)]}) from error

        return Response(ProductSuggestionSerializer(suggestions, many=True).data)


def _signed_in_user(request: Request) -> User:
    user = request.user
    if not isinstance(user, User):
        raise exceptions.NotAuthenticated()
    return user


def _absolute_url(request: Request, params: QueryDict) -> str:
    return request.build_absolute_uri(f"{request.path}?{params.urlencode()}")
