import pytest

from listings.models import Listing
from recommender.tests.factories import ListingFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_admin_pages_show_buyer_field(admin_client):
    buyer = UserFactory(username="buyer")
    listing = ListingFactory(status=Listing.Status.RESERVED, reserved_for=buyer)

    changelist = admin_client.get("/admin/listings/listing/")
    change = admin_client.get(f"/admin/listings/listing/{listing.pk}/change/")

    assert changelist.status_code == 200
    assert change.status_code == 200
    assert 'name="reserved_for"' in change.content.decode()


def test_admin_hide_skips_inactive(admin_client):
    buyer = UserFactory(username="buyer")
    active = ListingFactory(status=Listing.Status.ACTIVE)
    reserved = ListingFactory(status=Listing.Status.RESERVED, reserved_for=buyer)
    sold = ListingFactory(status=Listing.Status.SOLD)

    response = admin_client.post(
        "/admin/listings/listing/",
        {
            "action": "mark_hidden",
            "_selected_action": [active.pk, reserved.pk, sold.pk],
        },
        follow=True,
    )

    assert response.status_code == 200
    messages = [str(message) for message in response.context["messages"]]
    assert messages == [
        "Hid 1 of 3 listings. Skipped 2 that were not active; release reserved "
        "listings first."
    ]
    statuses = dict(Listing.objects.values_list("pk", "status"))
    assert statuses[active.pk] == Listing.Status.HIDDEN
    assert statuses[reserved.pk] == Listing.Status.RESERVED
    assert statuses[sold.pk] == Listing.Status.SOLD
