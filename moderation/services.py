"""Write operations of moderation: reports, blocks and staff actions.

Every function takes keyword arguments only and runs in one transaction.
Permission checks (signed in, staff) are the caller's job.
"""

import logging
from typing import Final

from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import User
from listings.models import Listing
from moderation.models import Block, ListingModerationEvent, Report

logger = logging.getLogger(__name__)

REPORT_TEXT_MAX_LENGTH: Final = 2000
REASON_MAX_LENGTH: Final = 2000
# A sold listing records a sale, so staff cannot hide it; every other
# status can be hidden.
STAFF_HIDEABLE_STATUSES: Final = frozenset(
    {Listing.Status.ACTIVE, Listing.Status.RESERVED, Listing.Status.HIDDEN}
)


class ModerationError(Exception):
    """Base class of the errors raised on rejected moderation requests."""


class InvalidReportError(ModerationError):
    """Invalid report fields; `errors` maps each field to its messages."""

    def __init__(self, errors: dict[str, list[str]]) -> None:
        self.errors = errors
        super().__init__(
            " ".join(message for messages in errors.values() for message in messages)
        )


class DuplicateReportError(ModerationError):
    """The reporter already has an open report of the same target."""


class InvalidBlockError(ModerationError):
    """A user tried to block themselves."""


class StaffActionNotAllowedError(ModerationError):
    """The listing's status or state does not allow the staff action."""


def _check_report_fields(reason: str, text: str) -> str:
    text = text.strip()
    if reason not in Report.Reason.values:
        raise InvalidReportError(
            {
                "reason": [
                    f"Reason {reason!r} is not valid; use one of "
                    f"{', '.join(Report.Reason.values)}."
                ]
            }
        )
    if reason == Report.Reason.OTHER and not text:
        raise InvalidReportError(
            {"text": ["Describe the problem in text when the reason is 'other'."]}
        )
    if len(text) > REPORT_TEXT_MAX_LENGTH:
        raise InvalidReportError(
            {
                "text": [
                    f"Text has {len(text)} characters; the maximum is "
                    f"{REPORT_TEXT_MAX_LENGTH}."
                ]
            }
        )
    return text


def _check_staff_reason(reason: str) -> str:
    reason = reason.strip()
    if not reason:
        raise InvalidReportError(
            {"reason": ["The reason is blank; record why, for the history."]}
        )
    if len(reason) > REASON_MAX_LENGTH:
        raise InvalidReportError(
            {
                "reason": [
                    f"The reason has {len(reason)} characters; the maximum is "
                    f"{REASON_MAX_LENGTH}."
                ]
            }
        )
    return reason


def _save_report(report: Report, target: str) -> Report:
    try:
        # A savepoint, so that a rejected duplicate leaves the caller's
        # transaction usable.
        with transaction.atomic():
            report.save()
    except IntegrityError as error:
        raise DuplicateReportError(
            f"You already reported {target} and the report is still open; "
            "staff will review it."
        ) from error
    logger.info(
        "Report %s of %s by user %s: %s",
        report.pk,
        target,
        report.reporter_id,
        report.reason,
    )
    return report


@transaction.atomic
def report_listing(
    *, reporter: User, listing: Listing, reason: str, text: str = ""
) -> Report:
    """Record a report of `listing` for staff to review.

    Raises:
        InvalidReportError: for a bad reason or text, or the reporter's own
            listing.
        DuplicateReportError: when the reporter's earlier report of the
            listing is still open.
    """
    text = _check_report_fields(reason, text)
    if listing.seller_id == reporter.pk:
        raise InvalidReportError(
            {"listing": [f"Listing {listing.pk} is your own; you cannot report it."]}
        )
    report = Report(reporter=reporter, listing=listing, reason=reason, text=text)
    return _save_report(report, f"listing {listing.pk}")


@transaction.atomic
def report_user(
    *, reporter: User, reported_user: User, reason: str, text: str = ""
) -> Report:
    """Record a report of another user for staff to review.

    Raises:
        InvalidReportError: for a bad reason or text, or a report of self.
        DuplicateReportError: when the reporter's earlier report of the
            user is still open.
    """
    text = _check_report_fields(reason, text)
    if reported_user.pk == reporter.pk:
        raise InvalidReportError({"user": ["You cannot report yourself."]})
    report = Report(
        reporter=reporter, reported_user=reported_user, reason=reason, text=text
    )
    return _save_report(report, f"user {reported_user.pk}")


@transaction.atomic
def block_user(*, blocker: User, blocked: User) -> Block:
    """Block `blocked` for `blocker`; blocking twice keeps the first block.

    Raises:
        InvalidBlockError: when a user tries to block themselves.
    """
    if blocker.pk == blocked.pk:
        raise InvalidBlockError("You cannot block yourself.")
    block, created = Block.objects.get_or_create(blocker=blocker, blocked=blocked)
    if created:
        logger.info("User %s blocked user %s", blocker.pk, blocked.pk)
    return block


@transaction.atomic
def unblock_user(*, blocker: User, blocked: User) -> bool:
    """Remove a block; return False when there was none."""
    deleted, _ = Block.objects.filter(blocker=blocker, blocked=blocked).delete()
    if deleted:
        logger.info("User %s unblocked user %s", blocker.pk, blocked.pk)
    return bool(deleted)


@transaction.atomic
def hide_listing_by_staff(
    *, listing: Listing, staff: User, reason: str, report: Report | None = None
) -> ListingModerationEvent:
    """Hide a listing from everyone but its seller, with a recorded reason.

    A reserved listing loses its reservation. The seller cannot make the
    listing visible again; only `restore_listing_by_staff` can.

    Raises:
        InvalidReportError: for a blank or too long reason.
        StaffActionNotAllowedError: for a sold listing or one that staff
            already hid.
    """
    reason = _check_staff_reason(reason)
    locked = Listing.objects.select_for_update(of=("self",)).get(pk=listing.pk)
    if locked.status not in STAFF_HIDEABLE_STATUSES:
        raise StaffActionNotAllowedError(
            f"Listing {locked.pk} is {locked.status}; a sold listing records a "
            "sale and cannot be hidden."
        )
    if locked.hidden_by_staff:
        raise StaffActionNotAllowedError(
            f"Listing {locked.pk} is already hidden by staff."
        )

    previous_status = locked.status
    locked.status = Listing.Status.HIDDEN
    locked.hidden_by_staff = True
    locked.reserved_for = None
    locked.save(
        update_fields=["status", "hidden_by_staff", "reserved_for", "updated_at"]
    )
    event = ListingModerationEvent.objects.create(
        listing=locked,
        staff=staff,
        action=ListingModerationEvent.Action.HIDE,
        reason=reason,
        previous_status=previous_status,
        new_status=locked.status,
        report=report,
    )

    logger.info(
        "Staff user %s hid listing %s (was %s)", staff.pk, locked.pk, previous_status
    )
    return event


@transaction.atomic
def restore_listing_by_staff(
    *, listing: Listing, staff: User, reason: str
) -> ListingModerationEvent:
    """Make a listing that staff hid active again, with a recorded reason.

    Raises:
        InvalidReportError: for a blank or too long reason.
        StaffActionNotAllowedError: for a listing that staff did not hide.
    """
    reason = _check_staff_reason(reason)
    locked = Listing.objects.select_for_update(of=("self",)).get(pk=listing.pk)
    if not locked.hidden_by_staff:
        raise StaffActionNotAllowedError(
            f"Listing {locked.pk} was not hidden by staff; there is nothing to restore."
        )

    previous_status = locked.status
    locked.status = Listing.Status.ACTIVE
    locked.hidden_by_staff = False
    locked.save(update_fields=["status", "hidden_by_staff", "updated_at"])
    event = ListingModerationEvent.objects.create(
        listing=locked,
        staff=staff,
        action=ListingModerationEvent.Action.RESTORE,
        reason=reason,
        previous_status=previous_status,
        new_status=locked.status,
    )

    logger.info("Staff user %s restored listing %s", staff.pk, locked.pk)
    return event


@transaction.atomic
def close_report(
    *, report: Report, staff: User, resolution: str, dismiss: bool = False
) -> bool:
    """Resolve (or dismiss) an open report; return False if already closed.

    Raises:
        InvalidReportError: for a blank or too long resolution.
    """
    resolution = _check_staff_reason(resolution)
    status = Report.Status.DISMISSED if dismiss else Report.Status.RESOLVED
    updated = Report.objects.filter(pk=report.pk, status=Report.Status.OPEN).update(
        status=status,
        resolved_by=staff,
        resolved_at=timezone.now(),
        resolution=resolution,
    )
    if updated:
        logger.info("Staff user %s closed report %s as %s", staff.pk, report.pk, status)
    return bool(updated)
