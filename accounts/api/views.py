"""Profile, neighbourhood and account deletion endpoints under /api/v1/."""

from typing import Any

from allauth.account.internal.flows.reauthentication import (
    did_recently_reauthenticate,
)
from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, status
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import services
from accounts.api.serializers import (
    AddNeighbourhoodSerializer,
    ConfirmNeighbourhoodSerializer,
    EraseAccountSerializer,
    MeSerializer,
    NeighbourhoodSerializer,
    ProfileUpdateSerializer,
    PublicProfileSerializer,
    UserNeighbourhoodSerializer,
)
from accounts.models import Neighbourhood, User, UserNeighbourhood
from accounts.selectors import user_neighbourhoods

REAUTHENTICATION_TIMEOUT_MINUTES = (
    getattr(settings, "ACCOUNT_REAUTHENTICATION_TIMEOUT", 300) / 60
)


class AccountsAPIView(APIView):
    """Turn service ValidationErrors into 400 responses with their messages."""

    def handle_exception(self, exc: Exception) -> Response:
        if isinstance(exc, DjangoValidationError):
            exc = exceptions.ValidationError({"detail": exc.messages})
        return super().handle_exception(exc)


def _signed_in_user(request: Request) -> User:
    user = request.user
    if not isinstance(user, User):
        raise exceptions.NotAuthenticated()
    return user


class MeView(AccountsAPIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(responses=MeSerializer)
    def get(self, request: Request) -> Response:
        return Response(MeSerializer(_signed_in_user(request)).data)

    @extend_schema(request=ProfileUpdateSerializer, responses=MeSerializer)
    def patch(self, request: Request) -> Response:
        user = _signed_in_user(request)
        body = ProfileUpdateSerializer(data=request.data)
        body.is_valid(raise_exception=True)

        try:
            services.update_profile(
                user=user,
                display_name=body.validated_data.get("display_name"),
                avatar=body.validated_data.get("avatar"),
                remove_avatar=body.validated_data["remove_avatar"],
            )
        except DjangoValidationError as error:
            field = "avatar" if "avatar" in (error.code or "") else "display_name"
            raise exceptions.ValidationError({field: error.messages}) from error

        user.refresh_from_db()
        return Response(MeSerializer(user).data)


class EraseAccountView(AccountsAPIView):
    """Delete the signed-in account after checking the password.

    Accounts without a usable password (social sign-in only) confirm by a
    recent re-authentication through allauth instead.
    """

    permission_classes = [IsAuthenticated]

    @extend_schema(request=EraseAccountSerializer, responses={204: None})
    def post(self, request: Request) -> Response:
        user = _signed_in_user(request)
        body = EraseAccountSerializer(data=request.data)
        body.is_valid(raise_exception=True)

        password = body.validated_data.get("password") or ""
        if user.has_usable_password():
            if not password:
                raise exceptions.ValidationError(
                    {"password": ["Enter your password to delete the account."]}
                )
            if not user.check_password(password):
                raise exceptions.ValidationError(
                    {"password": ["The password is incorrect. Nothing was deleted."]}
                )
        elif not did_recently_reauthenticate(request._request):
            # NOTE: no test covers a social re-authentication followed by
            # deletion; only the rejection without one is tested.
            raise exceptions.PermissionDenied(
                "This account has no password. Re-authenticate with your "
                "social provider (allauth's provider redirect with process "
                "'reauthenticate'), then repeat this request within "
                f"{REAUTHENTICATION_TIMEOUT_MINUTES:g} minutes."
            )

        services.erase_user(user=user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class MyNeighbourhoodsView(AccountsAPIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(responses=UserNeighbourhoodSerializer(many=True))
    def get(self, request: Request) -> Response:
        memberships = user_neighbourhoods(_signed_in_user(request))
        return Response(UserNeighbourhoodSerializer(memberships, many=True).data)

    @extend_schema(
        request=AddNeighbourhoodSerializer,
        responses={201: UserNeighbourhoodSerializer},
    )
    def post(self, request: Request) -> Response:
        user = _signed_in_user(request)
        body = AddNeighbourhoodSerializer(data=request.data)
        body.is_valid(raise_exception=True)

        membership = services.add_neighbourhood(
            user=user, neighbourhood=body.validated_data["neighbourhood"]
        )
        return Response(
            UserNeighbourhoodSerializer(membership).data,
            status=status.HTTP_201_CREATED,
        )


class MyNeighbourhoodView(AccountsAPIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(responses={204: None})
    def delete(self, request: Request, neighbourhood_id: int) -> Response:
        membership = _membership(request, neighbourhood_id)
        services.remove_neighbourhood(membership=membership)
        return Response(status=status.HTTP_204_NO_CONTENT)


class ConfirmNeighbourhoodView(AccountsAPIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        request=ConfirmNeighbourhoodSerializer,
        responses=UserNeighbourhoodSerializer,
    )
    def post(self, request: Request, neighbourhood_id: int) -> Response:
        membership = _membership(request, neighbourhood_id)
        body = ConfirmNeighbourhoodSerializer(data=request.data)
        body.is_valid(raise_exception=True)

        services.confirm_neighbourhood(
            membership=membership,
            latitude=body.validated_data["latitude"],
            longitude=body.validated_data["longitude"],
        )
        return Response(UserNeighbourhoodSerializer(membership).data)


class NeighbourhoodListView(AccountsAPIView):
    permission_classes = [AllowAny]

    @extend_schema(
        parameters=[
            OpenApiParameter("q", str, description="Part of the name to match.")
        ],
        responses=NeighbourhoodSerializer(many=True),
    )
    def get(self, request: Request) -> Response:
        neighbourhoods = Neighbourhood.objects.all()
        query = request.query_params.get("q", "").strip()
        if query:
            neighbourhoods = neighbourhoods.filter(name__icontains=query)
        return Response(NeighbourhoodSerializer(neighbourhoods[:100], many=True).data)


class PublicProfileView(AccountsAPIView):
    permission_classes = [AllowAny]

    @extend_schema(responses=PublicProfileSerializer)
    def get(self, request: Request, pk: int) -> Response:
        user = get_object_or_404(User, pk=pk)
        return Response(PublicProfileSerializer(user).data)


def _membership(request: Request, neighbourhood_id: Any) -> UserNeighbourhood:
    user = _signed_in_user(request)
    try:
        return UserNeighbourhood.objects.select_related("neighbourhood").get(
            user=user, neighbourhood_id=neighbourhood_id
        )
    except UserNeighbourhood.DoesNotExist as error:
        raise exceptions.NotFound(
            f"Neighbourhood {neighbourhood_id} is not one of your "
            "neighbourhoods. Add it first with POST /api/v1/me/neighbourhoods/."
        ) from error
