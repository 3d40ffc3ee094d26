from decimal import Decimal

import pytest

from listings.models import Listing
from listings.photos import add_listing_photos
from listings.tests import images
from moderation.models import Block, Report
from moderation.tests.factories import BlockFactory
from recommender.tests.factories import (
    CategoryFactory,
    ListingFactory,
    ProductFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def seller():
    return UserFactory(
        username="seller", display_name="Jisoo", trust_score=Decimal("41.2")
    )


@pytest.fixture
def listing(seller):
    category = CategoryFactory(name="Phones")
    product = ProductFactory(title="Galaxy S21", category=category)
    return ListingFactory(
        seller=seller, product=product, category=category, title="Galaxy S21, mint"
    )


def page_url(listing):
    return f"/listings/{listing.pk}/"


def listing_ids(cards):
    return [item.pk for item in cards]


def test_page_shows_listing_seller_and_lists(client, seller, listing):
    add_listing_photos(
        listing=listing,
        uploads=[
            images.upload("a.jpg", images.encode(images.split_image(), "JPEG")),
            images.upload("b.jpg", images.encode(images.split_image(), "JPEG")),
        ],
    )
    other_of_seller = ListingFactory(seller=seller, title="Charger")
    same_product = ListingFactory(product=listing.product, category=listing.category)
    same_category = ListingFactory(category=listing.category)
    ListingFactory(title="Unrelated")

    response = client.get(page_url(listing))

    assert response.status_code == 200
    html = response.content.decode()
    assert "Galaxy S21, mint" in html
    assert html.count('alt="Photo ') == 2
    assert "Jisoo" in html
    assert '<span class="trust-score">41.2</span>' in html
    assert listing_ids(response.context["seller_listings"]) == [other_of_seller.pk]
    assert listing_ids(response.context["similar_listings"]) == [
        same_product.pk,
        same_category.pk,
    ]
    assert "Report this listing" not in html
    assert "Block Jisoo" not in html


def test_signed_in_page_has_report_and_block(client, listing):
    client.force_login(UserFactory(username="buyer"))

    html = client.get(page_url(listing)).content.decode()

    assert "Report this listing" in html
    assert f'action="/listings/{listing.pk}/report/"' in html
    assert f'action="/users/{listing.seller_id}/block/"' in html


def test_own_page_has_no_report_button(client, seller, listing):
    client.force_login(seller)

    html = client.get(page_url(listing)).content.decode()

    assert "Report this listing" not in html
    assert "Block Jisoo" not in html


def test_hidden_listing_is_not_found(client, listing):
    Listing.objects.filter(pk=listing.pk).update(status=Listing.Status.HIDDEN)
    client.force_login(UserFactory(username="buyer"))

    response = client.get(page_url(listing))

    assert response.status_code == 404


def test_report_form_creates_report(client, listing):
    buyer = UserFactory(username="buyer")
    client.force_login(buyer)

    response = client.post(
        f"/listings/{listing.pk}/report/",
        {"reason": "counterfeit", "text": "Box is fake.", "next": page_url(listing)},
        follow=True,
    )

    assert response.redirect_chain == [(page_url(listing), 302)]
    report = Report.objects.get()
    assert (report.reporter, report.listing, report.reason, report.text) == (
        buyer,
        listing,
        "counterfeit",
        "Box is fake.",
    )
    messages = [str(message) for message in response.context["messages"]]
    assert messages == ["Thank you; staff will review your report."]


def test_report_form_shows_error(client, listing):
    client.force_login(UserFactory(username="buyer"))

    response = client.post(
        f"/listings/{listing.pk}/report/", {"reason": "other"}, follow=True
    )

    messages = [str(message) for message in response.context["messages"]]
    assert messages == ["Describe the problem in text when the reason is 'other'."]
    assert Report.objects.count() == 0


def test_anonymous_report_goes_to_login(client, listing):
    response = client.post(f"/listings/{listing.pk}/report/", {"reason": "spam"})

    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/")
    assert Report.objects.count() == 0


def test_block_form_blocks_and_unblocks(client, listing):
    buyer = UserFactory(username="buyer")
    client.force_login(buyer)

    blocked = client.post(
        f"/users/{listing.seller_id}/block/",
        {"next": page_url(listing)},
        follow=True,
    )
    html = blocked.content.decode()
    unblocked = client.post(
        f"/users/{listing.seller_id}/unblock/", {"next": page_url(listing)}
    )

    assert "You blocked Jisoo; you will not see each other&#x27;s listings." in html
    assert "Unblock Jisoo" in html
    assert unblocked.status_code == 302
    assert Block.objects.count() == 0


def test_block_form_ignores_foreign_next(client, listing):
    client.force_login(UserFactory(username="buyer"))

    response = client.post(
        f"/users/{listing.seller_id}/block/", {"next": "https://example.com/"}
    )

    assert response.status_code == 302
    assert response.url == "/"


def test_similar_leaves_out_blocked_seller(client, listing):
    buyer = UserFactory(username="buyer")
    blocked = UserFactory(username="blocked")
    BlockFactory(blocker=buyer, blocked=blocked)
    ListingFactory(seller=blocked, product=listing.product, category=listing.category)
    shown = ListingFactory(product=listing.product, category=listing.category)
    client.force_login(buyer)

    response = client.get(page_url(listing))

    assert listing_ids(response.context["similar_listings"]) == [shown.pk]
