"""Admin pages of moderation: the reports queue, blocks and the history."""

import logging
from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse

from accounts.models import User
from moderation import services
from moderation.admin_actions import ask_reason
from moderation.models import Block, ListingModerationEvent, Report

logger = logging.getLogger(__name__)


def _staff(request: HttpRequest) -> User:
    user = request.user
    if not isinstance(user, User):
        raise PermissionError("The admin serves signed-in staff only.")
    return user


class TargetKindFilter(admin.SimpleListFilter):
    title = "target"
    parameter_name = "target"

    def lookups(
        self, request: HttpRequest, model_admin: "admin.ModelAdmin[Any]"
    ) -> list[tuple[str, str]]:
        return [("listing", "Listing"), ("user", "User")]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        if self.value() == "listing":
            return queryset.filter(listing__isnull=False)
        if self.value() == "user":
            return queryset.filter(reported_user__isnull=False)
        return queryset


@admin.register(Report)
class ReportAdmin(admin.ModelAdmin):
    """The reports queue: open reports first, oldest first."""

    list_display = (
        "pk",
        "created_at",
        "status",
        "reason",
        "listing",
        "reported_user",
        "reporter",
        "resolved_by",
    )
    list_filter = ("status", "reason", TargetKindFilter, "created_at")
    search_fields = (
        "text",
        "reporter__username",
        "reported_user__username",
        "listing__title",
        "listing__seller__username",
    )
    list_select_related = ("listing", "reported_user", "reporter", "resolved_by")
    raw_id_fields = ("reporter", "listing", "reported_user", "resolved_by")
    readonly_fields = (
        "reporter",
        "listing",
        "reported_user",
        "reason",
        "text",
        "created_at",
        "status",
        "resolved_by",
        "resolved_at",
        "resolution",
    )
    ordering = ("-status", "created_at")
    actions = ["resolve_reports", "dismiss_reports", "hide_reported_listings"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    @admin.action(description="Resolve the selected open reports")
    def resolve_reports(
        self, request: HttpRequest, queryset: QuerySet[Report]
    ) -> HttpResponse | None:
        return self._close(request, queryset, dismiss=False)

    @admin.action(description="Dismiss the selected open reports")
    def dismiss_reports(
        self, request: HttpRequest, queryset: QuerySet[Report]
    ) -> HttpResponse | None:
        return self._close(request, queryset, dismiss=True)

    @admin.action(description="Hide the reported listings and resolve the reports")
    def hide_reported_listings(
        self, request: HttpRequest, queryset: QuerySet[Report]
    ) -> HttpResponse | None:
        def apply(reason: str) -> str:
            staff = _staff(request)
            hidden = 0
            problems: list[str] = []
            for report in queryset.select_related("listing"):
                if report.listing is not None:
                    try:
                        services.hide_listing_by_staff(
                            listing=report.listing,
                            staff=staff,
                            reason=reason,
                            report=report,
                        )
                        hidden += 1
                    except services.StaffActionNotAllowedError as error:
                        logger.info(
                            "Skipped hiding for report %s: %s", report.pk, error
                        )
                        problems.append(str(error))
                services.close_report(report=report, staff=staff, resolution=reason)
            return " ".join([f"Hid {hidden} listings.", *problems])

        return ask_reason(
            self,
            request,
            queryset,
            title="Hide the reported listings and resolve the reports",
            apply=apply,
        )

    def _close(
        self, request: HttpRequest, queryset: QuerySet[Report], *, dismiss: bool
    ) -> HttpResponse | None:
        verb = "Dismissed" if dismiss else "Resolved"

        def apply(reason: str) -> str:
            staff = _staff(request)
            closed = sum(
                services.close_report(
                    report=report, staff=staff, resolution=reason, dismiss=dismiss
                )
                for report in queryset
            )
            skipped = queryset.count() - closed
            message = f"{verb} {closed} reports."
            if skipped:
                message += f" Skipped {skipped} that were already closed."
            return message

        return ask_reason(
            self,
            request,
            queryset,
            title=(
                "Dismiss the selected reports"
                if dismiss
                else "Resolve the selected reports"
            ),
            apply=apply,
        )


@admin.register(Block)
class BlockAdmin(admin.ModelAdmin):
    list_display = ("blocker", "blocked", "created_at")
    search_fields = ("blocker__username", "blocked__username")
    raw_id_fields = ("blocker", "blocked")


@admin.register(ListingModerationEvent)
class ListingModerationEventAdmin(admin.ModelAdmin):
    """The history of staff actions; rows are never edited or deleted."""

    list_display = (
        "created_at",
        "action",
        "listing",
        "staff",
        "previous_status",
        "new_status",
        "reason",
    )
    list_filter = ("action", "created_at")
    search_fields = ("reason", "listing__title", "staff__username")
    list_select_related = ("listing", "staff")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(
        self, request: HttpRequest, obj: ListingModerationEvent | None = None
    ) -> bool:
        return False

    def has_delete_permission(
        self, request: HttpRequest, obj: ListingModerationEvent | None = None
    ) -> bool:
        return False
