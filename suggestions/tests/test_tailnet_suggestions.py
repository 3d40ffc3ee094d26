"""Suggestions from a registered TailNet version, over HTTP and in process."""

import pytest
import redis
from django.contrib.sessions.models import Session
from django.utils import timezone
from rest_framework.test import APIClient

from listings.models import Listing, ListingPhoto
from recommender.models import ModelVersion
from suggestions import exposure, serving
from suggestions.models import SessionView
from suggestions.selectors import compute_suggestions_batch
from suggestions.services import Visitor, compute_suggestions
from suggestions.tests.helpers import build_market, register_tailnet

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_model_cache():
    serving.clear_cache()
    yield
    serving.clear_cache()


def asin(listings, name):
    return listings[name].product.parent_asin


def camera_sequences(listings):
    """Sessions where a camera is followed mostly by the sold and own items."""
    follow = ["sold"] * 6 + ["own"] * 5 + ["lens"] * 4 + ["tripod"] * 2
    return [[asin(listings, "camera"), asin(listings, name)] for name in follow] + [
        [asin(listings, "bag"), asin(listings, "strap")]
    ]


def store_view(visitor, listing):
    SessionView.objects.create(
        user_id=visitor.user_pk,
        session_key=visitor.session_key,
        listing=listing,
        product=listing.product,
        viewed_at=timezone.now(),
    )


def test_tailnet_order_filters_unbuyable():
    buyer, listings = build_market()
    version = register_tailnet(camera_sequences(listings))
    visitor = Visitor(user_pk=buyer.pk, session_key="")
    store_view(visitor, listings["camera"])

    suggestions = compute_suggestions(visitor, count=2)

    assert suggestions.source == "tailnet"
    assert suggestions.model_version == version.pk
    assert [item["title"] for item in suggestions.listings] == ["lens", "tripod"]


def test_tailnet_fills_short_list_from_popularity():
    buyer, listings = build_market()
    register_tailnet(camera_sequences(listings))
    visitor = Visitor(user_pk=buyer.pk, session_key="")
    store_view(visitor, listings["camera"])

    suggestions = compute_suggestions(visitor, count=10)

    titles = [item["title"] for item in suggestions.listings]
    assert titles[:2] == ["lens", "tripod"]
    assert sorted(titles) == ["bag", "lens", "strap", "tripod"]


def test_tailnet_cards_use_first_photo():
    buyer, listings = build_market()
    register_tailnet(camera_sequences(listings))
    later = ListingPhoto.objects.create(
        listing=listings["lens"], image="listings/2026/01/later.jpg", position=1
    )
    first = ListingPhoto.objects.create(
        listing=listings["lens"], image="listings/2026/01/first.jpg", position=0
    )
    tripod_product = listings["tripod"].product
    tripod_product.image_urls = ["https://images.example/tripod.jpg"]
    tripod_product.save()
    visitor = Visitor(user_pk=buyer.pk, session_key="")
    store_view(visitor, listings["camera"])

    suggestions = compute_suggestions(visitor, count=2)

    cards = {item["title"]: item for item in suggestions.listings}
    assert suggestions.source == "tailnet"
    assert cards["lens"]["image_url"] == first.image.url
    assert cards["lens"]["image_url"] != later.image.url
    assert cards["tripod"]["image_url"] == "https://images.example/tripod.jpg"


def test_newly_promoted_version_used():
    buyer, listings = build_market()
    first = register_tailnet(camera_sequences(listings), epochs=1)
    visitor = Visitor(user_pk=buyer.pk, session_key="")
    store_view(visitor, listings["camera"])
    assert compute_suggestions(visitor).model_version == first.pk

    second = register_tailnet(camera_sequences(listings), epochs=1)

    assert second.parent_id == first.pk
    assert compute_suggestions(visitor).model_version == second.pk


def test_withdrawn_promotion_uses_previous_version():
    buyer, listings = build_market()
    first = register_tailnet(camera_sequences(listings), epochs=1)
    second = register_tailnet(camera_sequences(listings), epochs=1)
    visitor = Visitor(user_pk=buyer.pk, session_key="")
    store_view(visitor, listings["camera"])
    assert compute_suggestions(visitor).model_version == second.pk

    # A bulk update sends no signal, like a promotion made by another
    # process, so only a lookup per batch finds it.
    ModelVersion.objects.filter(pk=second.pk).update(promoted_at=None)

    assert compute_suggestions(visitor).model_version == first.pk


def test_tailnet_card_without_image_is_blank():
    buyer, listings = build_market()
    register_tailnet(camera_sequences(listings))
    visitor = Visitor(user_pk=buyer.pk, session_key="")
    store_view(visitor, listings["camera"])

    suggestions = compute_suggestions(visitor, count=2)

    assert suggestions.source == "tailnet"
    assert [item["title"] for item in suggestions.listings] == ["lens", "tripod"]
    assert [item["image_url"] for item in suggestions.listings] == ["", ""]


def test_unreadable_version_falls_back_to_popularity(tmp_path):
    buyer, _ = build_market()
    ModelVersion.objects.create(
        kind=ModelVersion.Kind.TAILNET,
        artifact_path=str(tmp_path / "missing.pt"),
        promoted_at=timezone.now(),
    )
    visitor = Visitor(user_pk=buyer.pk, session_key="")

    suggestions = compute_suggestions(visitor)

    assert suggestions.source == "popularity"
    assert suggestions.model_version is None
    assert [item["title"] for item in suggestions.listings] == [
        "camera",
        "lens",
        "tripod",
        "bag",
        "strap",
    ]


def test_old_views_outside_session_not_excluded(settings):
    settings.SUGGESTIONS_SESSION_GAP_MINUTES = 30
    buyer, listings = build_market()
    visitor = Visitor(user_pk=buyer.pk, session_key="")
    SessionView.objects.create(
        user=buyer,
        listing=listings["camera"],
        product=listings["camera"].product,
        viewed_at=timezone.now() - timezone.timedelta(hours=2),
    )
    store_view(visitor, listings["lens"])

    suggestions = compute_suggestions(visitor)

    assert [item["title"] for item in suggestions.listings] == [
        "camera",
        "tripod",
        "bag",
        "strap",
    ]


def test_http_suggestions_match_session():
    buyer, listings = build_market()
    register_tailnet(camera_sequences(listings))
    client = APIClient()
    client.force_login(buyer)
    store_view(Visitor(user_pk=buyer.pk, session_key=""), listings["camera"])

    response = client.get("/api/v1/suggestions/")

    assert response.status_code == 200
    body = response.json()
    assert body["type"] == "suggestions"
    assert body["source"] == "tailnet"
    assert [item["title"] for item in body["listings"]][:2] == ["lens", "tripod"]


def test_http_anonymous_gets_popularity():
    _, listings = build_market()

    response = APIClient().get("/api/v1/suggestions/")

    assert response.status_code == 200
    assert Session.objects.count() == 0
    body = response.json()
    assert body["source"] == "popularity"
    assert [item["title"] for item in body["listings"]] == [
        "own",
        "camera",
        "lens",
        "tripod",
        "bag",
        "strap",
    ]
    assert body["listings"][1] == {
        "id": listings["camera"].pk,
        "title": "camera",
        "price": "10.00",
        "currency": "USD",
        "condition": listings["camera"].condition,
        "product": asin(listings, "camera"),
        "image_url": "",
    }


def test_visitor_needs_one_key():
    with pytest.raises(ValueError, match="not both or neither"):
        Visitor(user_pk=None, session_key="")
    with pytest.raises(ValueError, match="not both or neither"):
        Visitor(user_pk=1, session_key="abc")


def test_http_anonymous_session_history_used():
    _, listings = build_market()
    client = APIClient()
    session = client.session
    session.save()
    store_view(Visitor(user_pk=None, session_key=session.session_key), listings["own"])

    response = client.get("/api/v1/suggestions/")

    titles = [item["title"] for item in response.json()["listings"]]
    assert titles == ["camera", "lens", "tripod", "bag", "strap"]


def test_deleted_user_gets_suggestions():
    buyer, listings = build_market()
    visitor = Visitor(user_pk=buyer.pk, session_key="")
    store_view(visitor, listings["camera"])
    buyer_pk = buyer.pk
    buyer.delete()

    suggestions = compute_suggestions(Visitor(user_pk=buyer_pk, session_key=""))

    # The own listing went with the account, and the camera view too.
    assert [item["title"] for item in suggestions.listings] == [
        "camera",
        "lens",
        "tripod",
        "bag",
        "strap",
    ]


def tail_sequences(listings):
    """Return sessions over tripod, lens, bag and strap, with lens the head.

    The model has 4 items, so the 20% most clicked is 1 item: lens, with
    10 clicks. After tripod it ranks lens, then bag, then strap.
    """
    return (
        [[asin(listings, "tripod"), asin(listings, "lens")]] * 6
        + [[asin(listings, "tripod"), asin(listings, "bag")]] * 2
        + [[asin(listings, "lens"), asin(listings, "strap")]] * 4
    )


@pytest.mark.parametrize(
    ("tail_slots", "titles"),
    [(0, ["lens", "bag"]), (1, ["lens", "bag"]), (2, ["bag", "strap"])],
)
def test_tailnet_tail_quota_from_setting(settings, tail_slots, titles):
    settings.SUGGESTIONS_TAIL_SLOTS = tail_slots
    buyer, listings = build_market()
    register_tailnet(tail_sequences(listings))
    visitor = Visitor(user_pk=buyer.pk, session_key="")
    store_view(visitor, listings["tripod"])

    suggestions = compute_suggestions(visitor, count=2)

    assert suggestions.source == "tailnet"
    assert [item["title"] for item in suggestions.listings] == titles


def test_tailnet_tail_quota_after_unbuyable_tail_item(settings):
    settings.SUGGESTIONS_TAIL_SLOTS = 2
    buyer, listings = build_market()
    register_tailnet(tail_sequences(listings))
    bag = listings["bag"]
    bag.status = Listing.Status.SOLD
    bag.save()
    visitor = Visitor(user_pk=buyer.pk, session_key="")
    store_view(visitor, listings["tripod"])

    suggestions = compute_suggestions(visitor, count=2)

    # Strap is the only buyable tail item, so lens keeps the other position.
    assert [item["title"] for item in suggestions.listings] == ["lens", "strap"]


@pytest.fixture
def exposure_counts(settings):
    """Start and end without exposure counts in Redis."""
    client = redis.Redis.from_url(settings.REDIS_URL)

    def clear():
        for key in client.scan_iter(f"{exposure.KEY_PREFIX}*"):
            client.delete(key)

    clear()
    yield client
    clear()


def shown_in_redis(listings, names):
    counts = exposure.shown_counts([asin(listings, name) for name in names])
    return {name: counts[asin(listings, name)] for name in names}


def test_exposure_penalty_spreads_the_tail_position(settings, exposure_counts):
    settings.SUGGESTIONS_TAIL_SLOTS = 1
    settings.SUGGESTIONS_EXPOSURE_PENALTY = 50.0
    buyer, listings = build_market()
    register_tailnet(tail_sequences(listings))
    visitor = Visitor(user_pk=buyer.pk, session_key="")
    store_view(visitor, listings["tripod"])

    titles = [
        [item["title"] for item in compute_suggestions(visitor, count=2).listings]
        for _ in range(3)
    ]

    # Bag scores above strap, so it comes first. Once bag was shown, the
    # penalty of 50 nats gives the tail position to strap, then to bag again.
    assert titles == [["lens", "bag"], ["lens", "strap"], ["lens", "bag"]]
    assert shown_in_redis(listings, ["lens", "bag", "strap"]) == {
        "lens": 0,
        "bag": 2,
        "strap": 1,
    }


def test_exposure_counts_within_one_batch(settings, exposure_counts):
    settings.SUGGESTIONS_TAIL_SLOTS = 1
    settings.SUGGESTIONS_EXPOSURE_PENALTY = 50.0
    buyer, listings = build_market()
    register_tailnet(tail_sequences(listings))
    first = Visitor(user_pk=buyer.pk, session_key="")
    second = Visitor(user_pk=None, session_key="second-visitor")
    store_view(first, listings["tripod"])
    store_view(second, listings["tripod"])

    batch = compute_suggestions_batch([first, second], count=2)

    assert [[item["title"] for item in result.listings] for result in batch] == [
        ["lens", "bag"],
        ["lens", "strap"],
    ]


def test_small_exposure_penalty_keeps_the_best_tail_item(settings, exposure_counts):
    settings.SUGGESTIONS_TAIL_SLOTS = 1
    settings.SUGGESTIONS_EXPOSURE_PENALTY = 1e-6
    buyer, listings = build_market()
    register_tailnet(tail_sequences(listings))
    visitor = Visitor(user_pk=buyer.pk, session_key="")
    store_view(visitor, listings["tripod"])

    for _ in range(3):
        suggestions = compute_suggestions(visitor, count=2)
        assert [item["title"] for item in suggestions.listings] == ["lens", "bag"]
    assert shown_in_redis(listings, ["bag", "strap"]) == {
        "bag": 3,
        "strap": 0,
    }
