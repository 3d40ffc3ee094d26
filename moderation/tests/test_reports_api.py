import pytest
from rest_framework.test import APIClient

from listings.models import Listing
from moderation.models import Report
from moderation.tests.factories import ListingReportFactory
from recommender.tests.factories import ListingFactory, UserFactory

pytestmark = pytest.mark.django_db

REPORTS_URL = "/api/v1/reports/"


@pytest.fixture
def reporter():
    return UserFactory(username="reporter")


@pytest.fixture
def client(reporter):
    client = APIClient()
    client.force_authenticate(reporter)
    return client


def test_report_listing(client, reporter):
    listing = ListingFactory()

    response = client.post(
        REPORTS_URL,
        {"listing": listing.pk, "reason": "scam", "text": " Wants a wire transfer. "},
        format="json",
    )

    assert response.status_code == 201
    report = Report.objects.get()
    assert report.reporter == reporter
    assert report.listing == listing
    assert report.reported_user is None
    assert report.reason == Report.Reason.SCAM
    assert report.text == "Wants a wire transfer."
    assert report.status == Report.Status.OPEN
    body = response.json()
    assert body["listing"] == listing.pk
    assert body["user"] is None
    assert body["status"] == "open"


def test_report_user(client):
    other = UserFactory(username="rude")

    response = client.post(
        REPORTS_URL, {"user": other.pk, "reason": "offensive"}, format="json"
    )

    assert response.status_code == 201
    report = Report.objects.get()
    assert report.reported_user == other
    assert report.listing is None
    assert response.json()["user"] == other.pk


def test_second_open_report_is_rejected(client, reporter):
    listing = ListingFactory()
    ListingReportFactory(reporter=reporter, listing=listing)

    response = client.post(
        REPORTS_URL, {"listing": listing.pk, "reason": "spam"}, format="json"
    )

    assert response.status_code == 400
    assert response.json() == {
        "non_field_errors": [
            f"You already reported listing {listing.pk} and the report is still "
            "open; staff will review it."
        ]
    }
    assert Report.objects.count() == 1


def test_report_allowed_again_after_close(client, reporter):
    listing = ListingFactory()
    old = ListingReportFactory(reporter=reporter, listing=listing)
    Report.objects.filter(pk=old.pk).update(
        status=Report.Status.DISMISSED, resolved_at=old.created_at
    )

    response = client.post(
        REPORTS_URL, {"listing": listing.pk, "reason": "spam"}, format="json"
    )

    assert response.status_code == 201
    assert Report.objects.filter(listing=listing).count() == 2


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        pytest.param(
            {"reason": "spam"},
            {
                "non_field_errors": [
                    "Give exactly one of listing and user: the listing id or "
                    "the user id to report."
                ]
            },
            id="no-target",
        ),
        pytest.param(
            {"reason": "other", "text": "  "},
            {"text": ["Describe the problem in text when the reason is 'other'."]},
            id="other-without-text",
        ),
        pytest.param(
            {"reason": "rude"},
            {"reason": ['"rude" is not a valid choice.']},
            id="unknown-reason",
        ),
        pytest.param(
            {"listing": 999999, "reason": "spam"},
            {"listing": ["Listing 999999 was not found; check the id."]},
            id="missing-listing",
        ),
    ],
)
def test_invalid_report_is_rejected(client, body, expected):
    payload = dict(body)
    if payload.get("reason") == "other":
        payload["listing"] = ListingFactory().pk

    response = client.post(REPORTS_URL, payload, format="json")

    assert response.status_code == 400
    assert response.json() == expected
    assert Report.objects.count() == 0


def test_hidden_listing_cannot_be_reported(client):
    listing = ListingFactory(status=Listing.Status.HIDDEN)

    response = client.post(
        REPORTS_URL, {"listing": listing.pk, "reason": "spam"}, format="json"
    )

    assert response.status_code == 400
    assert response.json() == {
        "listing": [f"Listing {listing.pk} was not found; check the id."]
    }
    assert Report.objects.count() == 0


def test_own_listing_cannot_be_reported(client, reporter):
    listing = ListingFactory(seller=reporter)

    response = client.post(
        REPORTS_URL, {"listing": listing.pk, "reason": "spam"}, format="json"
    )

    assert response.status_code == 400
    assert response.json() == {
        "listing": [f"Listing {listing.pk} is your own; you cannot report it."]
    }


def test_self_cannot_be_reported(client, reporter):
    response = client.post(
        REPORTS_URL, {"user": reporter.pk, "reason": "spam"}, format="json"
    )

    assert response.status_code == 400
    assert response.json() == {"user": ["You cannot report yourself."]}


def test_anonymous_cannot_report():
    listing = ListingFactory()

    response = APIClient().post(
        REPORTS_URL, {"listing": listing.pk, "reason": "spam"}, format="json"
    )

    assert response.status_code == 403
    assert Report.objects.count() == 0


def test_reporter_sees_only_own_reports(client, reporter):
    mine = ListingReportFactory(reporter=reporter)
    ListingReportFactory()

    response = client.get(REPORTS_URL)

    assert response.status_code == 200
    assert [item["id"] for item in response.json()] == [mine.pk]
