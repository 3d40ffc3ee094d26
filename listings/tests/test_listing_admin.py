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
