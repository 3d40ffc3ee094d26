"""Compute the listings to suggest next, for one visitor or a batch.

Suggestions come from the promoted TailNet version when one exists and
from popular active listings otherwise. Either way they contain only
buyable listings. A buyable listing is active, not hidden by staff, not
the visitor's own, not from a user blocked either way, and not viewed in
the current session.

A batch costs one TailNet forward pass and one candidate query for all
its visitors, plus one history query per visitor, so a worker that
handles several views at once spends less per view. A model trained with
the item prior also reads the recent interaction counts, which each
process counts at most once a minute.
"""

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import torch
from django.conf import settings
from django.db.models import F, OuterRef, Q, QuerySet, Subquery, Window
from django.db.models.functions import RowNumber

from accounts.models import User
from listings.models import Listing, ListingPhoto
from moderation.selectors import blocked_user_ids, blocked_user_ids_by_user
from recommender.ml.sessions import latest_session
from recommender.ml.tailnet import Suggestion, suggest_many
from recommender.ml.tailnet.ranking import top_k_with_tail_quota
from suggestions.models import SessionView
from suggestions.serving import current_tailnet, recent_item_counts
from suggestions.visitors import Visitor

# Max views read to find the current session, so a session with more views
# than this without a gap is cut to its latest views.
MAX_HISTORY_VIEWS = 200
# TailNet candidates per requested listing: a product may have no active
# listing, or only the visitor's own.
CANDIDATES_PER_SLOT = 5
SOURCE_TAILNET = "tailnet"
SOURCE_POPULARITY = "popularity"
_ASIN = "product__parent_asin"
# Listing fields a suggestion card shows, read without model instances.
_CARD_FIELDS = (
    "pk",
    "seller_id",
    "title",
    "price",
    "currency",
    "condition",
    _ASIN,
    "product__image_urls",
    "first_photo",
)


# The storage of listing photos, which turns a stored file name into its URL
# as `photo.image.url` does.
_PHOTO_STORAGE = ListingPhoto._meta.get_field("image").storage


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


@dataclass
class _Session:
    """The current session of one visitor, oldest view first."""

    visitor: Visitor | None
    viewed_listing_pks: list[int] = field(default_factory=list)
    # Catalog ids of the viewed listings that have a product.
    item_ids: list[str] = field(default_factory=list)


def compute_suggestions(
    visitor: Visitor | None, *, count: int | None = None
) -> SessionSuggestions:
    """Return up to `count` buyable listings to suggest to `visitor`.

    None is a visitor without a session yet, who has viewed nothing.
    """
    return compute_suggestions_batch([visitor], count=count)[0]


def compute_suggestions_batch(
    visitors: Sequence[Visitor | None], *, count: int | None = None
) -> list[SessionSuggestions]:
    """Return `compute_suggestions` of each visitor, in the same order."""
    count = count or settings.SUGGESTIONS_COUNT
    sessions = _current_sessions(visitors)
    loaded = current_tailnet()
    if loaded is None:
        return [
            SessionSuggestions(
                _popular_cards(session, count, []), SOURCE_POPULARITY, None
            )
            for session in sessions
        ]

    version_pk, model = loaded
    tail_slots = min(settings.SUGGESTIONS_TAIL_SLOTS, count)
    recent_counts = None
    if model.config.item_prior:
        recent_counts = recent_item_counts(model.config.prior_window_days)
    ranked = suggest_many(
        model,
        [session.item_ids for session in sessions],
        count=count * CANDIDATES_PER_SLOT,
        exclude=[set(session.item_ids) for session in sessions],
        recent_counts=recent_counts,
        # Tail candidates in the same proportion, so that the quota can
        # still be met after items without a buyable listing drop out.
        tail_slots=tail_slots * CANDIDATES_PER_SLOT,
    )
    wanted = {item.item_id for items in ranked for item in items}
    # Each candidate comes with the file name of its first photo, so the
    # cards need no query of their own.
    first_photo = ListingPhoto.objects.filter(listing_id=OuterRef("pk")).order_by(
        "position", "pk"
    )
    candidates = list(
        Listing.objects.filter(
            status=Listing.Status.ACTIVE,
            hidden_by_staff=False,
            product__parent_asin__in=wanted,
        )
        .annotate(first_photo=Subquery(first_photo.values("image")[:1]))
        .order_by("-bumped_at", "-pk")
        .values(*_CARD_FIELDS)
    )
    user_pks = [
        session.visitor.user_pk
        for session in sessions
        if session.visitor is not None and session.visitor.user_pk is not None
    ]
    blocked = blocked_user_ids_by_user(user_pks)

    picks = [
        _pick_listings(session, items, candidates, blocked, count, tail_slots)
        for session, items in zip(sessions, ranked, strict=True)
    ]
    results: list[SessionSuggestions] = []
    for session, items, rows in zip(sessions, ranked, picks, strict=True):
        cards = [_card(row) for row in rows]
        if len(cards) < count:
            # Too few TailNet items have a buyable listing: fill the rest from
            # popularity so that a small catalog still gets a full list.
            cards += _popular_cards(
                session, count - len(cards), [card["id"] for card in cards]
            )
        source = items[0].source if items else SOURCE_POPULARITY
        results.append(SessionSuggestions(cards, source, version_pk))
    return results


def _pick_listings(
    session: _Session,
    items: list[Suggestion],
    candidates: list[dict[str, Any]],
    blocked: dict[int, set[int]],
    count: int,
    tail_slots: int = 0,
) -> list[dict[str, Any]]:
    """Return the newest buyable listing of the best `count` ranked items.

    `candidates` are active listings, newest first, of the items of the
    whole batch; this drops the ones `session`'s visitor may not get.
    With `tail_slots`, TailNet items are picked as `top_k_with_tail_quota`
    picks them, in rank order, among the items that have such a listing.
    """
    rank_by_asin = {item.item_id: rank for rank, item in enumerate(items)}
    user_pk = session.visitor.user_pk if session.visitor is not None else None
    excluded_sellers = blocked.get(user_pk, set()) if user_pk is not None else set()
    viewed = set(session.viewed_listing_pks)
    chosen: dict[str, dict[str, Any]] = {}
    for row in candidates:
        asin = row[_ASIN]
        if (
            asin not in rank_by_asin
            or asin in chosen
            or row["pk"] in viewed
            or row["seller_id"] == user_pk
            or row["seller_id"] in excluded_sellers
        ):
            continue
        chosen[asin] = row
    ordered = sorted(chosen.values(), key=lambda row: rank_by_asin[row[_ASIN]])
    if not tail_slots or not ordered or items[0].source != SOURCE_TAILNET:
        return ordered[:count]
    tail_by_asin = {item.item_id: item.is_tail for item in items}
    is_tail = torch.tensor([tail_by_asin[row[_ASIN]] for row in ordered])
    # Scores that fall with the rank keep `ordered`'s order in the output.
    scores = -torch.arange(len(ordered), dtype=torch.float32)
    positions = top_k_with_tail_quota(scores[None, :], is_tail, count, tail_slots)
    return [ordered[position] for position in positions[0].tolist()]


def current_session_listing_pks(visitor: Visitor) -> list[int]:
    """Return the listings of the visitor's current session, oldest first."""
    return _current_sessions([visitor])[0].viewed_listing_pks


def _current_sessions(visitors: Sequence[Visitor | None]) -> list[_Session]:
    """Return each visitor's current session, reading all in one query."""
    sessions = [_Session(visitor=visitor) for visitor in visitors]
    user_pks = {v.user_pk for v in visitors if v is not None and v.user_pk is not None}
    session_keys = {v.session_key for v in visitors if v is not None and v.session_key}
    if not user_pks and not session_keys:
        return sessions
    # Each visitor's latest views: anonymous rows have no user and signed-in
    # rows an empty session key, so the pair names one visitor.
    recent = (
        SessionView.objects.filter(
            Q(user_id__in=user_pks) | Q(session_key__in=session_keys)
        )
        .annotate(
            recency=Window(
                RowNumber(),
                partition_by=[F("user_id"), F("session_key")],
                order_by=[F("viewed_at").desc(), F("pk").desc()],
            )
        )
        .filter(recency__lte=MAX_HISTORY_VIEWS)
        .order_by("viewed_at", "pk")
        .values_list("user_id", "session_key", "pk", "listing_id", _ASIN, "viewed_at")
    )
    views_by_visitor: dict[Visitor, list[tuple[int, int, str | None, Any]]] = {}
    for user_pk, session_key, *view in recent:
        owner = Visitor(user_pk=user_pk, session_key=session_key)
        views_by_visitor.setdefault(owner, []).append(tuple(view))
    for session in sessions:
        if session.visitor is not None:
            _fill_session(session, views_by_visitor.get(session.visitor, []))
    return sessions


def _fill_session(
    session: _Session, views: list[tuple[int, int, str | None, Any]]
) -> None:
    """Keep the views of the latest session among `views`, oldest first."""
    current = set(
        latest_session(
            [str(pk) for pk, _, _, _ in views],
            [int(viewed_at.timestamp() * 1000) for _, _, _, viewed_at in views],
            gap_minutes=settings.SUGGESTIONS_SESSION_GAP_MINUTES,
        )
    )
    for pk, listing_pk, asin, _ in views:
        if str(pk) not in current:
            continue
        session.viewed_listing_pks.append(listing_pk)
        if asin is not None:
            session.item_ids.append(asin)


def _card(row: dict[str, Any]) -> dict[str, Any]:
    """Serialize a candidate row as `_serialize` does a listing."""
    image_urls = row["product__image_urls"] or []
    if row["first_photo"]:
        image_url = _PHOTO_STORAGE.url(row["first_photo"])
    else:
        image_url = str(image_urls[0]) if image_urls else ""
    return {
        "id": row["pk"],
        "title": row["title"],
        "price": str(row["price"]),
        "currency": row["currency"],
        "condition": row["condition"],
        "product": row[_ASIN],
        "image_url": image_url,
    }


def _popular_cards(
    session: _Session, count: int, taken_pks: list[int]
) -> list[dict[str, Any]]:
    buyable = _buyable_listings(session.visitor).exclude(
        pk__in=session.viewed_listing_pks + taken_pks
    )
    return [_serialize(listing) for listing in _by_popularity(buyable)[:count]]


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
