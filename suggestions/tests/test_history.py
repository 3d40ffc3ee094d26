"""Pruning of old session views, repeated views and the merge service."""

import datetime as dt

import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone

from listings.models import Listing
from marketplace.celery import app as celery_app
from recommender.models import Interaction
from recommender.tests.factories import ListingFactory, UserFactory
from suggestions.history import merge_anonymous_views, prune_session_views
from suggestions.models import SessionView
from suggestions.services import Visitor, record_view
from suggestions.tasks import prune_session_views_task

pytestmark = pytest.mark.django_db


def store_view(listing, *, hours_ago, user=None, session_key=""):
    return SessionView.objects.create(
        user=user,
        session_key=session_key,
        listing=listing,
        product=listing.product,
        viewed_at=timezone.now() - dt.timedelta(hours=hours_ago),
    )


def test_prune_deletes_only_old_views():
    listing = ListingFactory()
    user = UserFactory()
    old_user_view = store_view(listing, hours_ago=30, user=user)
    old_anonymous_view = store_view(listing, hours_ago=25, session_key="a" * 32)
    recent_user_view = store_view(listing, hours_ago=23, user=user)
    recent_anonymous_view = store_view(listing, hours_ago=1, session_key="a" * 32)

    deleted = prune_session_views(older_than=dt.timedelta(hours=24))

    assert deleted == 2
    remaining = set(SessionView.objects.values_list("pk", flat=True))
    assert remaining == {recent_user_view.pk, recent_anonymous_view.pk}
    assert old_user_view.pk not in remaining
    assert old_anonymous_view.pk not in remaining


def test_prune_in_batches_deletes_all():
    listing = ListingFactory()
    for hours in range(48, 55):
        store_view(listing, hours_ago=hours, session_key="b" * 32)
    kept = store_view(listing, hours_ago=2, session_key="b" * 32)

    deleted = prune_session_views(older_than=dt.timedelta(hours=24), batch_size=3)

    assert deleted == 7
    assert list(SessionView.objects.values_list("pk", flat=True)) == [kept.pk]


def test_prune_rejects_empty_batch():
    with pytest.raises(ValueError, match=r"batch_size must be at least 1, got 0\."):
        prune_session_views(older_than=dt.timedelta(hours=1), batch_size=0)


def test_prune_task_uses_retention_setting(settings):
    settings.SUGGESTIONS_VIEW_RETENTION_HOURS = 12
    listing = ListingFactory()
    store_view(listing, hours_ago=13, session_key="c" * 32)
    kept = store_view(listing, hours_ago=11, session_key="c" * 32)

    deleted = prune_session_views_task.delay().get()

    assert deleted == 1
    assert list(SessionView.objects.values_list("pk", flat=True)) == [kept.pk]


def test_prune_task_on_beat_schedule():
    entry = settings.CELERY_BEAT_SCHEDULE["prune-session-views"]

    assert entry["task"] == prune_session_views_task.name
    assert entry["task"] in celery_app.tasks
    assert entry["schedule"] == settings.SUGGESTIONS_PRUNE_INTERVAL_SECONDS


def test_merge_requires_session_key():
    user = UserFactory()

    with pytest.raises(ValueError, match="An anonymous session key is required"):
        merge_anonymous_views(user_pk=user.pk, session_key="")


def test_merge_moves_only_that_session():
    user = UserFactory()
    listing = ListingFactory()
    mine = store_view(listing, hours_ago=1, session_key="d" * 32)
    theirs = store_view(listing, hours_ago=1, session_key="e" * 32)

    moved = merge_anonymous_views(user_pk=user.pk, session_key="d" * 32)

    assert moved == 1
    mine.refresh_from_db()
    theirs.refresh_from_db()
    assert (mine.user_id, mine.session_key) == (user.pk, "")
    assert (theirs.user_id, theirs.session_key) == (None, "e" * 32)
    interaction = Interaction.objects.get()
    assert interaction.user_id == user.pk
    assert interaction.listing_id == listing.pk
    assert interaction.product_id == listing.product_id
    assert interaction.occurred_at == mine.viewed_at


def test_repeated_view_stores_once():
    user = UserFactory()
    listing = ListingFactory()
    visitor = Visitor(user_pk=user.pk, session_key="")

    first = record_view(visitor=visitor, listing_pk=listing.pk)
    again = record_view(visitor=visitor, listing_pk=listing.pk)

    assert first is not None
    assert again == first
    assert SessionView.objects.count() == 1
    assert Interaction.objects.count() == 1


def test_view_after_other_listing_stored_again():
    user = UserFactory()
    first_listing = ListingFactory()
    second_listing = ListingFactory()
    visitor = Visitor(user_pk=user.pk, session_key="")

    record_view(visitor=visitor, listing_pk=first_listing.pk)
    record_view(visitor=visitor, listing_pk=second_listing.pk)
    record_view(visitor=visitor, listing_pk=first_listing.pk)

    listing_pks = list(
        SessionView.objects.order_by("pk").values_list("listing_id", flat=True)
    )
    assert listing_pks == [first_listing.pk, second_listing.pk, first_listing.pk]


def test_repeat_after_session_gap_stored_again(settings):
    settings.SUGGESTIONS_SESSION_GAP_MINUTES = 30
    listing = ListingFactory()
    visitor = Visitor(user_pk=None, session_key="f" * 32)
    old = store_view(listing, hours_ago=1, session_key="f" * 32)

    view_pk = record_view(visitor=visitor, listing_pk=listing.pk)

    assert view_pk is not None
    assert view_pk != old.pk
    assert SessionView.objects.count() == 2


def test_anonymous_view_stored_without_interaction():
    listing = ListingFactory()
    visitor = Visitor(user_pk=None, session_key="g" * 32)

    view_pk = record_view(visitor=visitor, listing_pk=listing.pk)

    view = SessionView.objects.get()
    assert view.pk == view_pk
    assert view.user_id is None
    assert view.session_key == "g" * 32
    assert view.listing_id == listing.pk
    assert view.product_id == listing.product_id
    assert Interaction.objects.count() == 0


def test_signed_in_view_adds_interaction():
    user = UserFactory()
    listing = ListingFactory()
    visitor = Visitor(user_pk=user.pk, session_key="")

    record_view(visitor=visitor, listing_pk=listing.pk)

    view = SessionView.objects.get()
    interaction = Interaction.objects.get()
    assert (view.user_id, view.session_key) == (user.pk, "")
    assert interaction.user_id == user.pk
    assert interaction.listing_id == listing.pk
    assert interaction.product_id == listing.product_id
    assert interaction.kind == Interaction.Kind.VIEW
    assert interaction.source == Interaction.Source.SITE
    assert interaction.occurred_at == view.viewed_at


def test_view_of_missing_or_hidden_listing_not_stored():
    hidden = ListingFactory(status=Listing.Status.HIDDEN)
    visitor = Visitor(user_pk=None, session_key="h" * 32)

    assert record_view(visitor=visitor, listing_pk=hidden.pk) is None
    assert record_view(visitor=visitor, listing_pk=hidden.pk + 1000) is None
    assert SessionView.objects.count() == 0


def test_view_commit_skips_disk_wait():
    listing = ListingFactory()
    visitor = Visitor(user_pk=None, session_key="i" * 32)

    record_view(visitor=visitor, listing_pk=listing.pk)

    # The test's own transaction is still open, so the setting made with
    # SET LOCAL is still in force.
    with connection.cursor() as cursor:
        cursor.execute("SHOW synchronous_commit")
        assert cursor.fetchone() == ("off",)
