import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from listings.models import Listing
from moderation.models import ListingModerationEvent, Report
from moderation.tests.factories import ListingReportFactory
from recommender.tests.factories import ListingFactory, UserFactory

pytestmark = pytest.mark.django_db

LISTING_CHANGELIST = "/admin/listings/listing/"
REPORT_CHANGELIST = "/admin/moderation/report/"


def messages_of(response):
    return [str(message) for message in response.context["messages"]]


def test_hide_action_asks_for_reason(admin_client):
    listing = ListingFactory()

    response = admin_client.post(
        LISTING_CHANGELIST,
        {"action": "hide_by_staff", "_selected_action": [listing.pk]},
    )

    assert response.status_code == 200
    assert 'name="reason"' in response.content.decode()
    listing.refresh_from_db()
    assert listing.status == Listing.Status.ACTIVE
    assert ListingModerationEvent.objects.count() == 0


def test_hide_action_records_history(admin_client, admin_user):
    buyer = UserFactory(username="buyer")
    active = ListingFactory(status=Listing.Status.ACTIVE)
    reserved = ListingFactory(status=Listing.Status.RESERVED, reserved_for=buyer)
    sold = ListingFactory(status=Listing.Status.SOLD)

    response = admin_client.post(
        LISTING_CHANGELIST,
        {
            "action": "hide_by_staff",
            "_selected_action": [active.pk, reserved.pk, sold.pk],
            "reason": "Counterfeit chargers.",
            "apply": "Confirm",
        },
        follow=True,
    )

    assert response.status_code == 200
    assert messages_of(response) == [
        f"Hid 2 of 3 listings. Skipped: Listing {sold.pk} is sold; a sold "
        "listing records a sale and cannot be hidden."
    ]
    for listing in (active, reserved):
        listing.refresh_from_db()
        assert listing.status == Listing.Status.HIDDEN
        assert listing.hidden_by_staff is True
        assert listing.reserved_for is None
    sold.refresh_from_db()
    assert sold.status == Listing.Status.SOLD
    events = ListingModerationEvent.objects.order_by("listing_id")
    assert [
        (event.listing_id, event.staff, event.reason, event.previous_status)
        for event in events
    ] == [
        (active.pk, admin_user, "Counterfeit chargers.", "active"),
        (reserved.pk, admin_user, "Counterfeit chargers.", "reserved"),
    ]
    assert all(event.new_status == "hidden" for event in events)


def test_blank_reason_changes_nothing(admin_client):
    listing = ListingFactory()

    response = admin_client.post(
        LISTING_CHANGELIST,
        {
            "action": "hide_by_staff",
            "_selected_action": [listing.pk],
            "reason": "   ",
            "apply": "Confirm",
        },
    )

    assert response.status_code == 200
    assert "This field is required." in response.content.decode()
    listing.refresh_from_db()
    assert listing.status == Listing.Status.ACTIVE
    assert ListingModerationEvent.objects.count() == 0


def test_seller_cannot_unhide_staff_hidden(admin_client):
    seller = UserFactory(username="seller")
    listing = ListingFactory(seller=seller)
    admin_client.post(
        LISTING_CHANGELIST,
        {
            "action": "hide_by_staff",
            "_selected_action": [listing.pk],
            "reason": "Stolen goods.",
            "apply": "Confirm",
        },
    )
    client = APIClient()
    client.force_authenticate(seller)

    response = client.post(f"/api/v1/listings/{listing.pk}/unhide/")

    assert response.status_code == 409
    assert response.json()["detail"] == (
        f"Listing {listing.pk} was hidden by staff; only staff can make it "
        "visible again. Contact support if you think this is a mistake."
    )
    listing.refresh_from_db()
    assert listing.status == Listing.Status.HIDDEN


def test_restore_action_records_history(admin_client, admin_user):
    listing = ListingFactory()
    admin_client.post(
        LISTING_CHANGELIST,
        {
            "action": "hide_by_staff",
            "_selected_action": [listing.pk],
            "reason": "Looks fake.",
            "apply": "Confirm",
        },
    )

    response = admin_client.post(
        LISTING_CHANGELIST,
        {
            "action": "restore_by_staff",
            "_selected_action": [listing.pk],
            "reason": "Seller sent the receipt.",
            "apply": "Confirm",
        },
        follow=True,
    )

    # The message of the hide request is shown on this page too.
    assert messages_of(response) == [
        "Hid 1 of 1 listings.",
        "Restored 1 of 1 listings.",
    ]
    listing.refresh_from_db()
    assert listing.status == Listing.Status.ACTIVE
    assert listing.hidden_by_staff is False
    actions = list(
        ListingModerationEvent.objects.order_by("pk").values_list("action", "reason")
    )
    assert actions == [
        ("hide", "Looks fake."),
        ("restore", "Seller sent the receipt."),
    ]


def test_resolve_reports_records_resolution(admin_client, admin_user):
    open_report = ListingReportFactory()
    closed = ListingReportFactory(
        status=Report.Status.DISMISSED, resolved_at=timezone.now()
    )

    response = admin_client.post(
        REPORT_CHANGELIST,
        {
            "action": "resolve_reports",
            "_selected_action": [open_report.pk, closed.pk],
            "reason": "Warned the seller.",
            "apply": "Confirm",
        },
        follow=True,
    )

    assert messages_of(response) == [
        "Resolved 1 reports. Skipped 1 that were already closed."
    ]
    open_report.refresh_from_db()
    assert open_report.status == Report.Status.RESOLVED
    assert open_report.resolved_by == admin_user
    assert open_report.resolution == "Warned the seller."
    assert open_report.resolved_at is not None
    closed.refresh_from_db()
    assert closed.status == Report.Status.DISMISSED
    assert closed.resolution == ""


def test_hide_reported_listings_links_report(admin_client, admin_user):
    report = ListingReportFactory()

    admin_client.post(
        REPORT_CHANGELIST,
        {
            "action": "hide_reported_listings",
            "_selected_action": [report.pk],
            "reason": "Confirmed scam.",
            "apply": "Confirm",
        },
    )

    report.refresh_from_db()
    assert report.status == Report.Status.RESOLVED
    event = ListingModerationEvent.objects.get()
    assert event.report == report
    assert event.listing_id == report.listing_id
    assert event.staff == admin_user


@pytest.mark.parametrize(
    "url",
    [
        LISTING_CHANGELIST + "?hidden_by_staff__exact=1&q=phone",
        REPORT_CHANGELIST + "?status__exact=open&target=listing&q=scam",
        REPORT_CHANGELIST + "?target=user",
        "/admin/moderation/listingmoderationevent/?action__exact=hide",
        "/admin/moderation/block/?q=user",
    ],
)
def test_admin_lists_filter_and_search(admin_client, url):
    ListingReportFactory()

    response = admin_client.get(url)

    assert response.status_code == 200


def test_report_queue_lists_open_reports(admin_client):
    report = ListingReportFactory(text="Asks for a deposit by wire.")

    response = admin_client.get(REPORT_CHANGELIST + "?status__exact=open")

    assert response.status_code == 200
    assert [row.pk for row in response.context["cl"].result_list] == [report.pk]
