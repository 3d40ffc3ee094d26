"""Reports, blocks and the history of staff actions on listings."""

from django.conf import settings
from django.db import models
from django.utils import timezone


class Report(models.Model):
    """A signed-in user's report of a listing or of another user.

    Exactly one of `listing` and `reported_user` is set. Staff resolve or
    dismiss a report in the admin and record why.
    """

    class Reason(models.TextChoices):
        PROHIBITED_ITEM = "prohibited_item", "Prohibited item"
        SCAM = "scam", "Scam or fraud"
        COUNTERFEIT = "counterfeit", "Counterfeit"
        WRONG_DESCRIPTION = "wrong_description", "Wrong description or photos"
        OFFENSIVE = "offensive", "Offensive or abusive"
        SPAM = "spam", "Spam"
        OTHER = "other", "Other"

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        RESOLVED = "resolved", "Resolved"
        DISMISSED = "dismissed", "Dismissed"

    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="reports_made",
    )
    listing = models.ForeignKey(
        "listings.Listing",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="reports",
    )
    reported_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="reports_received",
    )
    reason = models.CharField(max_length=32, choices=Reason.choices)
    text = models.TextField(blank=True, help_text="The reporter's own words.")
    status = models.CharField(
        max_length=16, choices=Status.choices, default=Status.OPEN
    )
    created_at = models.DateTimeField(default=timezone.now)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="reports_resolved",
    )
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolution = models.TextField(
        blank=True, help_text="Why the staff member resolved or dismissed it."
    )

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["status", "-created_at"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(listing__isnull=False, reported_user__isnull=True)
                | models.Q(listing__isnull=True, reported_user__isnull=False),
                name="report_has_one_target",
            ),
            models.CheckConstraint(
                condition=~models.Q(reported_user=models.F("reporter")),
                name="report_not_of_self",
            ),
            # One open report per reporter and target; a new report is
            # allowed once staff have closed the old one.
            models.UniqueConstraint(
                fields=["reporter", "listing"],
                condition=models.Q(status="open", listing__isnull=False),
                name="report_one_open_per_listing",
            ),
            models.UniqueConstraint(
                fields=["reporter", "reported_user"],
                condition=models.Q(status="open", reported_user__isnull=False),
                name="report_one_open_per_user",
            ),
            models.CheckConstraint(
                condition=models.Q(status="open") | models.Q(resolved_at__isnull=False),
                name="report_closed_has_time",
            ),
        ]

    def __str__(self) -> str:
        target = (
            f"listing {self.listing_id}"
            if self.listing_id is not None
            else f"user {self.reported_user_id}"
        )
        return f"Report {self.pk} of {target}: {self.reason}"


class Block(models.Model):
    """A block: each user's listings are left out of the other's lists."""

    blocker = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="blocks_made"
    )
    blocked = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="blocks_received",
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["blocker", "blocked"], name="block_unique_pair"
            ),
            models.CheckConstraint(
                condition=~models.Q(blocked=models.F("blocker")),
                name="block_not_self",
            ),
        ]

    def __str__(self) -> str:
        return f"User {self.blocker_id} blocks user {self.blocked_id}"


class ListingModerationEvent(models.Model):
    """One staff action on a listing: who, when, why and the status change."""

    class Action(models.TextChoices):
        HIDE = "hide", "Hidden by staff"
        RESTORE = "restore", "Restored by staff"

    listing = models.ForeignKey(
        "listings.Listing",
        on_delete=models.CASCADE,
        related_name="moderation_events",
    )
    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="moderation_events",
    )
    action = models.CharField(max_length=16, choices=Action.choices)
    reason = models.TextField()
    previous_status = models.CharField(max_length=16)
    new_status = models.CharField(max_length=16)
    report = models.ForeignKey(
        Report,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="moderation_events",
        help_text="The report that led to this action, if any.",
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(reason=""), name="moderation_event_has_reason"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_action_display()}: listing {self.listing_id}"
