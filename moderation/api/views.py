"""Views of the moderation API: reports and blocks of the signed-in user."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import exceptions, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import User
from moderation import services
from moderation.api.serializers import (
    BlockCreateSerializer,
    BlockSerializer,
    ReportCreateSerializer,
    ReportSerializer,
)
from moderation.models import Block, Report

_VALIDATION_ERROR = OpenApiResponse(
    OpenApiTypes.OBJECT, description="Invalid input: field name to messages."
)


def _signed_in_user(request: Request) -> User:
    user = request.user
    if not isinstance(user, User):
        raise exceptions.NotAuthenticated()
    return user


class ReportListCreateView(APIView):
    """Reports made by the signed-in user."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        summary="List your reports", responses={200: ReportSerializer(many=True)}
    )
    def get(self, request: Request) -> Response:
        reports = Report.objects.filter(reporter=_signed_in_user(request))
        return Response(ReportSerializer(reports, many=True).data)

    @extend_schema(
        summary="Report a listing or a user",
        request=ReportCreateSerializer,
        responses={201: ReportSerializer, 400: _VALIDATION_ERROR},
    )
    def post(self, request: Request) -> Response:
        reporter = _signed_in_user(request)
        body = ReportCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data

        try:
            if "listing" in data:
                report = services.report_listing(
                    reporter=reporter,
                    listing=data["listing"],
                    reason=data["reason"],
                    text=data.get("text", ""),
                )
            else:
                report = services.report_user(
                    reporter=reporter,
                    reported_user=data["user"],
                    reason=data["reason"],
                    text=data.get("text", ""),
                )
        except services.InvalidReportError as error:
            raise exceptions.ValidationError(error.errors) from error
        except services.DuplicateReportError as error:
            raise exceptions.ValidationError(
                {"non_field_errors": [str(error)]}
            ) from error

        return Response(ReportSerializer(report).data, status=status.HTTP_201_CREATED)


class BlockListCreateView(APIView):
    """Users blocked by the signed-in user."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        summary="List the users you blocked",
        responses={200: BlockSerializer(many=True)},
    )
    def get(self, request: Request) -> Response:
        blocks = Block.objects.filter(blocker=_signed_in_user(request)).select_related(
            "blocked"
        )
        return Response(BlockSerializer(blocks, many=True).data)

    @extend_schema(
        summary="Block a user",
        description=(
            "Neither user sees the other's listings in search, browse or "
            "similar lists. Blocking a user twice keeps the first block."
        ),
        request=BlockCreateSerializer,
        responses={201: BlockSerializer, 400: _VALIDATION_ERROR},
    )
    def post(self, request: Request) -> Response:
        blocker = _signed_in_user(request)
        body = BlockCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)

        try:
            block = services.block_user(
                blocker=blocker, blocked=body.validated_data["user"]
            )
        except services.InvalidBlockError as error:
            raise exceptions.ValidationError({"user": [str(error)]}) from error

        return Response(BlockSerializer(block).data, status=status.HTTP_201_CREATED)


class BlockDetailView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        summary="Unblock a user",
        responses={204: None, 404: OpenApiResponse(description="Not blocked.")},
    )
    def delete(self, request: Request, user_pk: int) -> Response:
        blocker = _signed_in_user(request)
        blocked = User.objects.filter(pk=user_pk).first()
        if blocked is None or not services.unblock_user(
            blocker=blocker, blocked=blocked
        ):
            raise exceptions.NotFound(f"You have not blocked user {user_pk}.")
        return Response(status=status.HTTP_204_NO_CONTENT)
