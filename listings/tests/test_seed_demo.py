import pytest
from django.contrib.auth import authenticate
from django.core.management import CommandError, call_command

from accounts.models import User
from listings.models import Listing
from recommender.models import Reviewer
from recommender.tests.scenarios import build_catalog

pytestmark = pytest.mark.django_db


@pytest.fixture
def catalog():
    return build_catalog(with_listings=False)


def test_seed_demo_creates_labelled_listings(catalog, capsys):
    call_command("seed_demo", "--password", "demo-pass-1", "--listings", "20")

    sellers = User.objects.filter(username__startswith="demo-seller-")
    assert sellers.count() == 8
    assert all(seller.is_demo for seller in sellers)
    listings = Listing.objects.filter(seller__in=sellers).select_related("product")
    assert listings.count() == 20
    for listing in listings:
        assert listing.price < listing.product.price
        assert listing.currency == "USD"
        assert listing.neighbourhood is not None
        assert listing.condition != Listing.Condition.NEW
        assert listing.description.startswith("Demo listing")
    output = capsys.readouterr().out
    assert "password for all: demo-pass-1" in output
    assert "demo-buyer-1" in output


def test_seed_demo_links_buyers_to_distinct_reviewers(catalog):
    call_command("seed_demo", "--password", "demo-pass-1", "--listings", "20")

    buyers = User.objects.filter(username__startswith="demo-buyer-").order_by(
        "username"
    )
    assert buyers.count() == 3
    reviewers = [Reviewer.objects.get(user=buyer) for buyer in buyers]
    groups = {reviewer.external_id.split("-")[0] for reviewer in reviewers}
    assert len(groups) == 3
    assert authenticate(username="demo-buyer-1", password="demo-pass-1") is not None


def test_seed_demo_twice_keeps_listings_and_resets_password(catalog):
    call_command("seed_demo", "--password", "first-pass-1", "--listings", "20")
    call_command("seed_demo", "--password", "second-pass-2", "--listings", "20")

    assert Listing.objects.count() == 20
    assert User.objects.filter(username__startswith="demo-").count() == 11
    assert authenticate(username="demo-seller-1", password="second-pass-2")
    assert authenticate(username="demo-seller-1", password="first-pass-1") is None
    assert Reviewer.objects.filter(user__isnull=False).count() == 3


def test_seed_demo_without_catalog_fails_clearly():
    with pytest.raises(CommandError, match="import_amazon"):
        call_command("seed_demo", "--password", "demo-pass-1")


def test_seed_demo_rejects_zero_listings(catalog):
    with pytest.raises(CommandError, match="--listings=0 must be at least 1"):
        call_command("seed_demo", "--listings", "0")


def test_seed_demo_rejects_too_many_buyers(catalog):
    with pytest.raises(CommandError, match="--buyers=51 is too many"):
        call_command("seed_demo", "--buyers", "51")
