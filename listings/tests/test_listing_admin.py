import pytest

from listings.models import Listing
from recommender.tests.factories import ListingFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_admin_pages_show_buyer_read_only(admin_client):
    buyer = UserFactory(username="buyer")
    listing = ListingFactory(status=Listing.Status.RESERVED, reserved_for=buyer)

    changelist = admin_client.get("/admin/listings/listing/")
    change = admin_client.get(f"/admin/listings/listing/{listing.pk}/change/")

    assert changelist.status_code == 200
    assert change.status_code == 200
    html = change.content.decode()
    assert 'name="reserved_for"' not in html
    assert 'name="status"' not in html
    assert "buyer" in html


def test_admin_form_cannot_change_status(admin_client):
    listing = ListingFactory(title="Galaxy S23", status=Listing.Status.ACTIVE)
    url = f"/admin/listings/listing/{listing.pk}/change/"
    form = admin_client.get(url).context["adminform"].form
    data = {
        name: form[name].value() if form[name].value() is not None else ""
        for name in form.fields
    }
    data.update(
        {
            "title": "Galaxy S23 Ultra",
            "status": Listing.Status.SOLD,
            "photos-TOTAL_FORMS": "0",
            "photos-INITIAL_FORMS": "0",
            "moderation_events-TOTAL_FORMS": "0",
            "moderation_events-INITIAL_FORMS": "0",
        }
    )

    response = admin_client.post(url, data)

    assert response.status_code == 302, response.context["adminform"].form.errors
    listing.refresh_from_db()
    assert listing.title == "Galaxy S23 Ultra"
    assert listing.status == Listing.Status.ACTIVE
    assert listing.moderation_events.count() == 0
