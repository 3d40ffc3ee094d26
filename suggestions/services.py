"""Record session views and compute the listings to suggest next.

A visitor is a signed-in user or, for anonymous visitors, a Django session
key. Suggestions come from the promoted TailNet version when one exists
and from popular active listings otherwise. Either way they contain only
buyable listings. A buyable listing is active, not the visitor's own, not
from a user blocked either way, and not viewed in the current session.
"""

import datetime as dt
import logging
from dataclasses import dataclass
from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.conf import settings
from django.db import transaction
from django.db.models import F, QuerySet
from django.utils import timezone
from redis.exceptions import RedisError

from accounts.models import User
from listings.models import Listing
from moderation.selectors import blocked_user_ids
from recommender.ml.sessions import latest_session
from recommender.ml.tailnet import suggest
from recommender.models import Interaction
from suggestions.models import SessionView
from suggestions.serving import current_tailnet

logger = logging.getLogger(__name__)

# Channel-layer event types. The consumer handles each in the method of the
# same name with the dot replaced by an underscore.
SUGGESTIONS_EVENT_TYPE = "suggestions.ready"
CLOSE_EVENT_TYPE = "session.signed_out"
# Max views read to find the current session, so a session with more views
# than this without a gap is cut to its latest views.
MAX_HISTORY_VIEWS = 200
# TailNet candidates per requested listing: a product may have no active
# listing, or only the visitor's own.
CANDIDATES_PER_SLOT = 5
SOURCE_TAILNET = "tailnet"
SOURCE_POPULARITY = "popularity"


@dataclass(frozen=True)
class Visitor:
    """A signed-in user (`user_pk`) or an anonymous `session_key`."""

    user_pk: int | None
    session_key: str

    def __post_init__(self) -> None:
        if (self.user_pk is None) == (not self.session_key):
            raise ValueError(
                f"A visitor needs a user or a session key, not both or "
                f"neither; got user {self.user_pk!r} and session key "
                f"{self.session_key!r}."
            )

    @property
    def group_name(self) -> str:
        """The channel-layer group of this visitor's session sockets."""
        if self.user_pk is not None:
            return f"suggestions.user.{self.user_pk}"
        return f"suggestions.session.{self.session_key}"

    def views(self) -> QuerySet[SessionView]:
        if self.user_pk is not None:
            return SessionView.objects.filter(user_id=self.user_pk)
        return SessionView.objects.filter(session_key=self.session_key)


def user_group_name(user_pk: int) -> str:
    """Return the group of a signed-in user's session sockets."""
    return Visitor(user_pk=user_pk, session_key="").group_name


@dataclass(frozen=True)
class SessionSuggestions:
    """Listings to show next, best first, and where their order came from.

    `model_version` is the TailNet version used, None for popularity.
    """

    listings: list[dict[str, Any]]
    source: str
    model_version: int | None

    def as_message(self) -> dict[str, Any]:
        return {
            "type": "suggestions",
            "listings": self.listings,
            "source": self.source,
            "model_version": self.model_version,
        }


def record_view(*, visitor: Visitor, listing: Listing) -> SessionView:
    """Store a listing view and queue the suggestions push after commit.

    Signed-in users also get a site `view` interaction, which the feed
    recommenders train on. A view of the listing that the visitor viewed
    last, within the session gap, stores nothing new: the page was
    reloaded or its socket reconnected. Its suggestions are still pushed.
    """
    from suggestions.tasks import push_suggestions_task

    now = timezone.now()
    gap = dt.timedelta(minutes=settings.SUGGESTIONS_SESSION_GAP_MINUTES)
    with transaction.atomic():
        transaction.on_commit(
            lambda: push_suggestions_task.delay(visitor.user_pk, visitor.session_key)
        )
        latest = visitor.views().order_by("-viewed_at", "-pk").first()
        if (
            latest is not None
            and latest.listing_id == listing.pk
            and now - latest.viewed_at <= gap
        ):
            return latest
        view = SessionView.objects.create(
            user_id=visitor.user_pk,
            session_key=visitor.session_key,
            listing=listing,
            product_id=listing.product_id,
            viewed_at=now,
        )
        if visitor.user_pk is not None:
            Interaction.objects.create(
                user_id=visitor.user_pk,
                product_id=listing.product_id,
                listing=listing,
                kind=Interaction.Kind.VIEW,
                source=Interaction.Source.SITE,
                occurred_at=now,
            )
    return view


def current_session_views(visitor: Visitor) -> list[SessionView]:
    """Return the views of the visitor's current session, oldest first."""
    recent = list(visitor.views().order_by("-viewed_at", "-pk")[:MAX_HISTORY_VIEWS])
    recent.reverse()
    keys = [str(view.pk) for view in recent]
    timestamps = [int(view.viewed_at.timestamp() * 1000) for view in recent]
    current = set(
        latest_session(
            keys,
            timestamps,
            gap_minutes=settings.SUGGESTIONS_SESSION_GAP_MINUTES,
        )
    )
    return [view for view in recent if str(view.pk) in current]


def compute_suggestions(
    visitor: Visitor | None, *, count: int | None = None
) -> SessionSuggestions:
    """Return up to `count` buyable listings to suggest to `visitor`.

    None is a visitor without a session yet, who has viewed nothing.
    """
    count = count or settings.SUGGESTIONS_COUNT
    views = current_session_views(visitor) if visitor is not None else []
    buyable = _buyable_listings(visitor).exclude(
        pk__in=[view.listing_id for view in views]
    )
    loaded = current_tailnet()
    if loaded is None:
        listings = list(_by_popularity(buyable)[:count])
        return SessionSuggestions(
            [_serialize(listing) for listing in listings], SOURCE_POPULARITY, None
        )

    version_pk, model = loaded
    asins = list(
        Listing.objects.filter(
            pk__in=[view.listing_id for view in views], product__isnull=False
        ).values_list("pk", "product__parent_asin")
    )
    asin_by_listing = dict(asins)
    session_items = [
        asin_by_listing[view.listing_id]
        for view in views
        if view.listing_id in asin_by_listing
    ]
    ranked = suggest(
        model,
        session_items,
        count=count * CANDIDATES_PER_SLOT,
        exclude=set(session_items),
    )
    rank_by_asin = {item.item_id: rank for rank, item in enumerate(ranked)}
    chosen: dict[str, Listing] = {}
    candidates = buyable.filter(product__parent_asin__in=rank_by_asin).order_by(
        "-bumped_at", "-pk"
    )
    for listing in candidates.select_related("product").prefetch_related("photos"):
        assert listing.product is not None
        chosen.setdefault(listing.product.parent_asin, listing)
    ordered = sorted(chosen.values(), key=lambda item: _rank(item, rank_by_asin))
    result = ordered[:count]
    source = ranked[0].source if ranked else SOURCE_POPULARITY
    if len(result) < count:
        # Too few TailNet items have a buyable listing: fill the rest from
        # popularity so that a small catalog still gets a full list.
        filler = _by_popularity(buyable.exclude(pk__in=[item.pk for item in result]))
        result += list(filler[: count - len(result)])
    return SessionSuggestions(
        [_serialize(listing) for listing in result], source, version_pk
    )


def push_suggestions(visitor: Visitor) -> SessionSuggestions:
    """Compute the visitor's suggestions and send them to their sockets."""
    suggestions = compute_suggestions(visitor)
    channel_layer = get_channel_layer()
    if channel_layer is None:
        return suggestions
    try:
        async_to_sync(channel_layer.group_send)(
            visitor.group_name,
            {"type": SUGGESTIONS_EVENT_TYPE, "message": suggestions.as_message()},
        )
    except (OSError, RedisError) as error:
        logger.error(
            "Failed to push suggestions to group %s: %s", visitor.group_name, error
        )
    return suggestions


def close_user_sockets(user_pk: int) -> None:
    """Tell every session socket of a user that they signed out."""
    channel_layer = get_channel_layer()
    if channel_layer is None:
        return
    try:
        async_to_sync(channel_layer.group_send)(
            user_group_name(user_pk), {"type": CLOSE_EVENT_TYPE}
        )
    except (OSError, RedisError) as error:
        logger.error(
            "Failed to close the session sockets of user %s: %s", user_pk, error
        )


def _buyable_listings(visitor: Visitor | None) -> QuerySet[Listing]:
    listings = Listing.objects.filter(
        status=Listing.Status.ACTIVE, hidden_by_staff=False
    )
    if visitor is None or visitor.user_pk is None:
        return listings
    listings = listings.exclude(seller_id=visitor.user_pk)
    # A user deleted after their view has no blocks left to apply.
    user = User.objects.filter(pk=visitor.user_pk).first()
    if user is None:
        return listings
    return listings.exclude(seller_id__in=blocked_user_ids(user))


def _by_popularity(listings: QuerySet[Listing]) -> QuerySet[Listing]:
    # The catalog's rating count is the popularity signal that every
    # imported product has.
    return (
        listings.select_related("product")
        .prefetch_related("photos")
        .order_by(F("product__rating_count").desc(nulls_last=True), "-bumped_at", "-pk")
    )


def _rank(listing: Listing, rank_by_asin: dict[str, int]) -> int:
    assert listing.product is not None
    return rank_by_asin[listing.product.parent_asin]


def _serialize(listing: Listing) -> dict[str, Any]:
    return {
        "id": listing.pk,
        "title": listing.title,
        "price": str(listing.price),
        "currency": listing.currency,
        "condition": listing.condition,
        "product": listing.product.parent_asin if listing.product else None,
        "image_url": listing.image_url,
    }
