"""The per-process cache of personalized feed rankings."""

import pytest
from django.urls import reverse
from django.utils import timezone

from listings.models import Listing
from recommender import feed, feed_cache
from recommender.models import Interaction, ModelVersion, NotInterested
from recommender.tasks import train_model_task
from recommender.tests.factories import ProductFactory, UserFactory
from recommender.tests.scenarios import build_catalog

pytestmark = pytest.mark.django_db

TRAINING_EPOCHS = 20


def _feed(client, **params):
    response = client.get(reverse("feed"), params)
    assert response.status_code == 200, response.content
    return response.json()


def _listing_ids(page):
    return [item["listing"]["id"] for item in page["results"]]


def _train(django_capture_on_commit_callbacks):
    # The embedding build is enqueued when the training transaction commits.
    with django_capture_on_commit_callbacks(execute=True):
        version_pk = train_model_task.delay("two_tower", None, TRAINING_EPOCHS).get()
    return ModelVersion.objects.get(pk=version_pk)


@pytest.fixture
def catalog():
    return build_catalog()


@pytest.fixture
def buyer(catalog):
    user = UserFactory(username="buyer")
    reviewer = catalog.reviewers["cameras"][0]
    reviewer.user = user
    reviewer.save()
    return user


@pytest.fixture
def retrievals(monkeypatch):
    """Count the rankings computed, as calls of the faiss retrieval."""
    calls = []
    original = feed.retrieve_candidates

    def counting(*args, **kwargs):
        calls.append(1)
        return original(*args, **kwargs)

    monkeypatch.setattr(feed, "retrieve_candidates", counting)
    return calls


def test_repeat_request_reuses_ranking(
    client, catalog, buyer, retrievals, django_capture_on_commit_callbacks
):
    _train(django_capture_on_commit_callbacks)
    client.force_login(buyer)

    first = _feed(client, page_size=5)
    second = _feed(client, page_size=5)

    assert first["strategy"] == "two_tower"
    assert len(retrievals) == 1
    assert _listing_ids(second) == _listing_ids(first)
    assert [item["score"] for item in second["results"]] == [
        item["score"] for item in first["results"]
    ]


def test_cache_off_ranks_every_request(
    client, catalog, buyer, retrievals, settings, django_capture_on_commit_callbacks
):
    settings.RECOMMENDER_FEED_CACHE_SECONDS = 0
    _train(django_capture_on_commit_callbacks)
    client.force_login(buyer)

    _feed(client, page_size=5)
    _feed(client, page_size=5)

    assert len(retrievals) == 2


def test_sold_listing_leaves_cached_page(
    client, catalog, buyer, retrievals, django_capture_on_commit_callbacks
):
    _train(django_capture_on_commit_callbacks)
    client.force_login(buyer)
    first = _listing_ids(_feed(client, page_size=6))
    following = _listing_ids(_feed(client, page_size=12))[6:]

    # The checkout marks listings sold with a bulk update, which sends no
    # signal: the cached ranking must still never serve them.
    Listing.objects.filter(pk=first[0]).update(status=Listing.Status.SOLD)
    NotInterested.objects.create(user=buyer, listing_id=first[1])
    Listing.objects.filter(pk=first[2]).update(status=Listing.Status.RESERVED)
    again = _feed(client, page_size=6)

    assert len(retrievals) == 1
    assert _listing_ids(again) == first[3:] + following[:3]
    assert again["next"] is not None


def test_new_interaction_ranks_again(
    client, catalog, buyer, retrievals, django_capture_on_commit_callbacks
):
    _train(django_capture_on_commit_callbacks)
    client.force_login(buyer)
    _feed(client, page_size=5)

    Interaction.objects.create(
        user=buyer,
        product=ProductFactory(title="A product viewed just now"),
        kind=Interaction.Kind.VIEW,
        source=Interaction.Source.SITE,
        occurred_at=timezone.now(),
    )
    _feed(client, page_size=5)

    assert len(retrievals) == 2


def test_promoted_version_ranks_again(
    client, catalog, buyer, retrievals, settings, django_capture_on_commit_callbacks
):
    settings.RECOMMENDER_INDEX_CHECK_SECONDS = 0
    first_version = _train(django_capture_on_commit_callbacks)
    client.force_login(buyer)
    before = _feed(client, page_size=5)

    second_version = _train(django_capture_on_commit_callbacks)
    after = _feed(client, page_size=5)

    assert before["model_version"] == first_version.pk
    assert after["model_version"] == second_version.pk
    assert len(retrievals) == 2


def test_expired_rankings_leave_memory(settings, monkeypatch):
    settings.RECOMMENDER_FEED_CACHE_SECONDS = 10
    clock = [0.0]
    monkeypatch.setattr(feed_cache.time, "monotonic", lambda: clock[0])
    feed_cache.clear_rankings()

    feed_cache.store_ranking("old", "old ranking")
    clock[0] = 5.0
    feed_cache.store_ranking("newer", "newer ranking")
    clock[0] = 12.0
    feed_cache.store_ranking("newest", "newest ranking")

    assert list(feed_cache._rankings) == ["newer", "newest"]
    assert feed_cache.get_ranking("newer") == "newer ranking"
    clock[0] = 15.0
    assert feed_cache.get_ranking("newer") is None
    assert feed_cache.get_ranking("newest") == "newest ranking"
    assert list(feed_cache._rankings) == ["newest"]
