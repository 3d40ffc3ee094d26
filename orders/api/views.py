"""Views of the favorites, cart, checkout, offers and orders API.

Each view validates the request, calls a service or selector and
serializes the result. Every lookup is filtered on the requester (their
favorites, their cart, offers they made or received, orders they are a
party to), so a request for another user's row gets 404, never 403, and
learns nothing about whether it exists. The cart is open to anonymous
visitors through their session, and everything else needs a signed-in
user.
"""

import logging
from typing import Any

from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Q, QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import User
from listings.models import Listing
from orders import selectors, services
from orders.api.serializers import (
    CartLineSerializer,
    CheckoutRequestSerializer,
    CheckoutResultSerializer,
    CounterRequestSerializer,
    FavoriteCountsQuerySerializer,
    FavoriteSerializer,
    ListingReferenceSerializer,
    OfferRequestSerializer,
    OfferSerializer,
    OrderSerializer,
    RatingRequestSerializer,
    RatingSerializer,
)
from orders.models import Favorite, Offer, Order

logger = logging.getLogger(__name__)

_ROLES = ("buying", "selling")


def _signed_in_user(request: Request) -> User | None:
    user = request.user
    return user if isinstance(user, User) else None


def _visible_listing(request: Request, listing_pk: int) -> Listing:
    """Return a listing the requester may see: not hidden, or their own."""
    user = _signed_in_user(request)
    visible = ~Q(status=Listing.Status.HIDDEN)
    if user is not None:
        visible |= Q(seller=user)
    try:
        return Listing.objects.filter(visible).get(pk=listing_pk)
    except Listing.DoesNotExist as error:
        raise exceptions.NotFound(f"Listing {listing_pk} was not found.") from error


def _role(request: Request) -> str | None:
    role = request.query_params.get("role")
    if role is not None and role not in _ROLES:
        raise exceptions.ValidationError(
            {"role": [f"Role {role!r} is not valid; use buying or selling."]}
        )
    return role


class ServiceErrorsMixin:
    """Map the orders services' errors to 400, 404 and 409 responses."""

    def handle_exception(self, exc: Exception) -> Response:
        if isinstance(exc, services.ListingsUnavailableError):
            return Response(
                {
                    "detail": str(exc),
                    "unavailable": [
                        {
                            "listing": item.listing_pk,
                            "reason": item.reason,
                            "message": item.message,
                        }
                        for item in exc.unavailable
                    ],
                },
                status=status.HTTP_409_CONFLICT,
            )
        if isinstance(exc, services.ConflictError):
            return Response({"detail": str(exc)}, status=status.HTTP_409_CONFLICT)
        if isinstance(exc, services.InvalidInputError):
            exc = exceptions.ValidationError(exc.errors)
        elif isinstance(exc, ObjectDoesNotExist):
            exc = exceptions.NotFound(str(exc))
        return super().handle_exception(exc)  # type: ignore[misc]


class FavoriteViewSet(
    ServiceErrorsMixin,
    mixins.ListModelMixin,
    viewsets.GenericViewSet[Favorite],
):
    """The requester's favorites; DELETE takes the listing id."""

    serializer_class = FavoriteSerializer
    permission_classes = [IsAuthenticated]
    lookup_field = "listing_id"
    lookup_url_kwarg = "listing_pk"
    lookup_value_regex = r"\d+"

    def get_queryset(self) -> QuerySet[Favorite]:
        if getattr(self, "swagger_fake_view", False):
            return Favorite.objects.none()
        return selectors.favorites_of(user=self.request.user)  # type: ignore[arg-type]

    @extend_schema(request=ListingReferenceSerializer, responses=FavoriteSerializer)
    def create(self, request: Request) -> Response:
        query = ListingReferenceSerializer(data=request.data)
        query.is_valid(raise_exception=True)
        listing = _visible_listing(request, query.validated_data["listing"])
        favorite, created = services.add_favorite(
            user=request.user,  # type: ignore[arg-type]
            listing=listing,
        )
        return Response(
            FavoriteSerializer(favorite).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )

    def destroy(self, request: Request, listing_pk: str) -> Response:
        removed = services.remove_favorite(
            user=request.user,  # type: ignore[arg-type]
            listing_pk=int(listing_pk),
        )
        if not removed:
            raise exceptions.NotFound(f"Listing {listing_pk} is not a favorite.")
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(parameters=[FavoriteCountsQuerySerializer])
    @action(detail=False, methods=["get"], permission_classes=[AllowAny])
    def counts(self, request: Request) -> Response:
        """Return the favorite count of each given listing."""
        query = FavoriteCountsQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        counts = selectors.favorite_counts(listing_pks=query.validated_data["listings"])
        return Response({str(pk): count for pk, count in counts.items()})


class CartView(ServiceErrorsMixin, APIView):
    """The cart of the signed-in user or of the anonymous session."""

    permission_classes = [AllowAny]

    @extend_schema(responses=CartLineSerializer(many=True))
    def get(self, request: Request) -> Response:
        lines = selectors.cart_lines(
            user=_signed_in_user(request), session=request.session
        )
        return Response(CartLineSerializer(lines, many=True).data)


class CartItemsView(ServiceErrorsMixin, APIView):
    """Put a listing in the cart of the signed-in user or of the session."""

    permission_classes = [AllowAny]

    @extend_schema(
        request=ListingReferenceSerializer,
        responses={200: ListingReferenceSerializer, 201: ListingReferenceSerializer},
    )
    def post(self, request: Request) -> Response:
        query = ListingReferenceSerializer(data=request.data)
        query.is_valid(raise_exception=True)
        listing = _visible_listing(request, query.validated_data["listing"])
        _, created = services.add_to_cart(
            user=_signed_in_user(request), session=request.session, listing=listing
        )
        return Response(
            {"listing": listing.pk},
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )


class CartItemView(ServiceErrorsMixin, APIView):
    """Take a listing out of the cart."""

    permission_classes = [AllowAny]

    @extend_schema(responses={204: None})
    def delete(self, request: Request, listing_pk: int) -> Response:
        removed = services.remove_from_cart(
            user=_signed_in_user(request),
            session=request.session,
            listing_pk=listing_pk,
        )
        if not removed:
            raise exceptions.NotFound(f"Listing {listing_pk} is not in the cart.")
        return Response(status=status.HTTP_204_NO_CONTENT)


class CheckoutView(ServiceErrorsMixin, APIView):
    """Buy listings, all or nothing per seller; 409 when none can be bought."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        request=CheckoutRequestSerializer, responses={201: CheckoutResultSerializer}
    )
    def post(self, request: Request) -> Response:
        query = CheckoutRequestSerializer(data=request.data)
        query.is_valid(raise_exception=True)
        buyer: User = request.user  # type: ignore[assignment]
        listing_pks = query.validated_data.get("listings")
        if listing_pks is None:
            result = services.checkout_cart(buyer=buyer)
        else:
            result = services.checkout(buyer=buyer, listing_pks=listing_pks)
        orders = selectors.orders_of(user=buyer).filter(
            pk__in=[order.pk for order in result.orders]
        )
        body = CheckoutResultSerializer(
            {"orders": orders, "unavailable": result.unavailable}
        ).data
        return Response(body, status=status.HTTP_201_CREATED)


class OrderViewSet(ServiceErrorsMixin, viewsets.ReadOnlyModelViewSet[Order]):
    """Orders the requester bought or sold; `role` keeps one side."""

    serializer_class = OrderSerializer
    permission_classes = [IsAuthenticated]

    def get_queryset(self) -> QuerySet[Order]:
        if getattr(self, "swagger_fake_view", False):
            return Order.objects.none()
        return selectors.orders_of(
            user=self.request.user,  # type: ignore[arg-type]
            role=_role(self.request),
        )

    def _respond(self, order: Order) -> Response:
        return Response(OrderSerializer(self.get_queryset().get(pk=order.pk)).data)

    @extend_schema(request=None, responses=OrderSerializer)
    @action(detail=True, methods=["post"])
    def complete(self, request: Request, pk: str | None = None) -> Response:
        order = services.complete_order(order=self.get_object(), user=request.user)  # type: ignore[arg-type]
        return self._respond(order)

    @extend_schema(request=None, responses=OrderSerializer)
    @action(detail=True, methods=["post"])
    def cancel(self, request: Request, pk: str | None = None) -> Response:
        order = services.cancel_order(order=self.get_object(), user=request.user)  # type: ignore[arg-type]
        return self._respond(order)

    @extend_schema(request=RatingRequestSerializer, responses={201: RatingSerializer})
    @action(detail=True, methods=["post"])
    def rate(self, request: Request, pk: str | None = None) -> Response:
        query = RatingRequestSerializer(data=request.data)
        query.is_valid(raise_exception=True)
        rating = services.rate_order(
            order=self.get_object(),
            rater=request.user,  # type: ignore[arg-type]
            **query.validated_data,
        )
        return Response(RatingSerializer(rating).data, status=status.HTTP_201_CREATED)


class OfferViewSet(
    ServiceErrorsMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet[Offer],
):
    """Offers the requester made, or received on their listings."""

    serializer_class = OfferSerializer
    permission_classes = [IsAuthenticated]

    def get_queryset(self) -> QuerySet[Offer]:
        if getattr(self, "swagger_fake_view", False):
            return Offer.objects.none()
        return selectors.offers_of(
            user=self.request.user,  # type: ignore[arg-type]
            role=_role(self.request),
        )

    @extend_schema(request=OfferRequestSerializer, responses={201: OfferSerializer})
    def create(self, request: Request) -> Response:
        query = OfferRequestSerializer(data=request.data)
        query.is_valid(raise_exception=True)
        listing = _visible_listing(request, query.validated_data["listing"])
        offer = services.make_offer(
            buyer=request.user,  # type: ignore[arg-type]
            listing=listing,
            amount=query.validated_data["amount"],
        )
        return Response(OfferSerializer(offer).data, status=status.HTTP_201_CREATED)

    def _answer(self, service: Any, **arguments: Any) -> Response:
        offer = service(offer=self.get_object(), user=self.request.user, **arguments)
        return Response(OfferSerializer(offer).data)

    @extend_schema(request=None, responses=OfferSerializer)
    @action(detail=True, methods=["post"])
    def accept(self, request: Request, pk: str | None = None) -> Response:
        return self._answer(services.accept_offer)

    @extend_schema(request=None, responses=OfferSerializer)
    @action(detail=True, methods=["post"])
    def decline(self, request: Request, pk: str | None = None) -> Response:
        return self._answer(services.decline_offer)

    @extend_schema(request=CounterRequestSerializer, responses=OfferSerializer)
    @action(detail=True, methods=["post"])
    def counter(self, request: Request, pk: str | None = None) -> Response:
        query = CounterRequestSerializer(data=request.data)
        query.is_valid(raise_exception=True)
        return self._answer(
            services.counter_offer, amount=query.validated_data["amount"]
        )

    @extend_schema(request=None, responses=OfferSerializer)
    @action(detail=True, methods=["post"])
    def withdraw(self, request: Request, pk: str | None = None) -> Response:
        return self._answer(services.withdraw_offer)
