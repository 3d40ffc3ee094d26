"""Compute the listings to suggest next, for one visitor or a batch.

Suggestions come from the promoted TailNet version when one exists and
from popular active listings otherwise. Either way they contain only
buyable listings. A buyable listing is active, not hidden by staff, not
the visitor's own, not from a user blocked either way, and not viewed in
the current session.

A batch costs one TailNet forward pass and two hand-written statements
for all its visitors: one reads their histories and the promoted TailNet
version, the other the candidate listings. Signed-in visitors add one
query for their blocks. A worker that handles several views at once so
spends less per view. A model trained with the item prior also reads
the recent interaction counts, which each process counts at most once a
minute. A tail quota with an exposure penalty reads and adds the
exposure counts in Redis, one round trip each per batch.
"""

import functools
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import torch
from django.conf import settings
from django.db import connection
from django.db.models import F, QuerySet

from accounts.models import User
from listings.models import Listing, ListingPhoto, Product
from moderation.selectors import blocked_user_ids, blocked_user_ids_by_user
from recommender.ml.sessions import latest_session
from recommender.ml.tailnet import Suggestion, suggest_many
from recommender.ml.tailnet.ranking import top_k_with_tail_quota
from recommender.models import ModelVersion
from suggestions import exposure
from suggestions.models import SessionView
from suggestions.serving import (
    load_tailnet_version,
    promoted_tailnet_sql,
    recent_item_counts,
)
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
# Columns of a candidate row, in the order of `_candidates_sql`: the
# listing fields a suggestion card shows, read without model instances.
_CARD_FIELDS = (
    "pk",
    "seller_id",
    "title",
    "price",
    "currency",
    "condition",
    _ASIN,
    "product_image_url",
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
    sessions, promoted = _current_sessions_and_tailnet(visitors)
    loaded = load_tailnet_version(*promoted) if promoted is not None else None
    if loaded is None:
        return [
            SessionSuggestions(
                _popular_cards(session, count, []), SOURCE_POPULARITY, None
            )
            for session in sessions
        ]

    version_pk, model = loaded
    tail_slots = min(settings.SUGGESTIONS_TAIL_SLOTS, count)
    penalty = settings.SUGGESTIONS_EXPOSURE_PENALTY if tail_slots else 0.0
    # With the penalty, the tail positions can go to any of each session's
    # best tail_slots * CANDIDATES_PER_SLOT + depth tail items.
    depth = settings.SUGGESTIONS_TAIL_DEPTH if penalty else 0
    recent_counts = None
    if model.config.item_prior:
        recent_counts = recent_item_counts(model.config.prior_window_days)
    ranked = suggest_many(
        model,
        [session.item_ids for session in sessions],
        count=count * CANDIDATES_PER_SLOT + depth,
        exclude=[set(session.item_ids) for session in sessions],
        recent_counts=recent_counts,
        # Tail candidates in the same proportion, so that the quota can
        # still be met after items without a buyable listing drop out.
        tail_slots=tail_slots * CANDIDATES_PER_SLOT + depth,
    )
    wanted = {item.item_id for items in ranked for item in items}
    rows_by_asin: dict[str, list[dict[str, Any]]] = {}
    for row in _candidate_rows(wanted):
        rows_by_asin.setdefault(row[_ASIN], []).append(row)
    user_pks = [
        session.visitor.user_pk
        for session in sessions
        if session.visitor is not None and session.visitor.user_pk is not None
    ]
    blocked = blocked_user_ids_by_user(user_pks)

    spread = None
    if penalty:
        tail_ids = {item.item_id for items in ranked for item in items if item.is_tail}
        spread = _ExposureSpread(penalty, exposure.shown_counts(tail_ids))
    picks = [
        _pick_listings(session, items, rows_by_asin, blocked, count, tail_slots, spread)
        for session, items in zip(sessions, ranked, strict=True)
    ]
    if spread is not None:
        exposure.record_shown(spread.added)
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


@dataclass
class _ExposureSpread:
    """Exposure counts of a batch's tail items, and the showings it adds.

    Each list of the batch counts in the lists after it, as the evaluation
    counts every earlier list (`top_items_spreading_exposure`).
    """

    penalty: float
    times_shown: dict[str, int]
    added: list[str] = field(default_factory=list)

    def reserve_scores(self, ordered: list[Suggestion]) -> torch.Tensor:
        """Log-probability less the penalty, for each of `ordered`."""
        return torch.tensor(
            [
                # A probability that underflowed to 0 ranks last.
                (math.log(item.score) if item.score > 0 else -1e300)
                - self.penalty * math.log1p(self.times_shown.get(item.item_id, 0))
                for item in ordered
            ],
            dtype=torch.float64,
        )

    def add(self, picked: list[Suggestion]) -> None:
        for item in picked:
            if item.is_tail:
                count = self.times_shown.get(item.item_id, 0)
                self.times_shown[item.item_id] = count + 1
                self.added.append(item.item_id)


def _pick_listings(
    session: _Session,
    items: list[Suggestion],
    rows_by_asin: dict[str, list[dict[str, Any]]],
    blocked: dict[int, set[int]],
    count: int,
    tail_slots: int = 0,
    spread: _ExposureSpread | None = None,
) -> list[dict[str, Any]]:
    """Return the newest buyable listing of the best `count` ranked items.

    `rows_by_asin` holds the active listings of each item of the whole
    batch, newest first; this skips the ones `session`'s visitor may not
    get.
    With `tail_slots`, TailNet items are picked as `top_k_with_tail_quota`
    picks them, in rank order, among the items that have such a listing;
    with `spread`, its tail positions go to the items with the best
    reserve scores of `_ExposureSpread`.
    """
    user_pk = session.visitor.user_pk if session.visitor is not None else None
    excluded_sellers = blocked.get(user_pk, set()) if user_pk is not None else set()
    viewed = set(session.viewed_listing_pks)
    quota = bool(tail_slots) and bool(items) and items[0].source == SOURCE_TAILNET
    ordered: list[dict[str, Any]] = []
    ordered_items: list[Suggestion] = []
    for item in items:
        for row in rows_by_asin.get(item.item_id, ()):
            if (
                row["pk"] not in viewed
                and row["seller_id"] != user_pk
                and row["seller_id"] not in excluded_sellers
            ):
                ordered.append(row)
                ordered_items.append(item)
                break
        # Without a quota the first `count` items decide the list.
        if not quota and len(ordered) == count:
            break
    if not quota or not ordered:
        return ordered[:count]
    is_tail = torch.tensor([item.is_tail for item in ordered_items])
    # Scores that fall with the rank keep `ordered`'s order in the output.
    scores = -torch.arange(len(ordered), dtype=torch.float64)
    reserve = None
    if spread is not None:
        reserve = spread.reserve_scores(ordered_items)[None, :]
    positions = top_k_with_tail_quota(
        scores[None, :], is_tail, count, tail_slots, reserve_scores=reserve
    )[0].tolist()
    if spread is not None:
        spread.add([ordered_items[position] for position in positions])
    return [ordered[position] for position in positions]


def current_session_listing_pks(visitor: Visitor) -> list[int]:
    """Return the listings of the visitor's current session, oldest first."""
    sessions, _ = _current_sessions_and_tailnet([visitor])
    return sessions[0].viewed_listing_pks


def _current_sessions_and_tailnet(
    visitors: Sequence[Visitor | None],
) -> tuple[list[_Session], tuple[int, str] | None]:
    """Return each visitor's current session and the promoted TailNet.

    The TailNet is the id and artifact path of the promoted version, or
    None when none is promoted. One statement reads both, so a batch looks
    up the promoted version without a round trip of its own and still uses
    a newly promoted version from the next batch on.
    """
    sessions = [_Session(visitor=visitor) for visitor in visitors]
    user_pks = sorted(
        {v.user_pk for v in visitors if v is not None and v.user_pk is not None}
    )
    session_keys = sorted(
        {v.session_key for v in visitors if v is not None and v.user_pk is None}
    )
    parameters: dict[str, Any] = {
        "tailnet_kind": ModelVersion.Kind.TAILNET.value,
        "user_pks": user_pks,
        "session_keys": session_keys,
        "max_views": MAX_HISTORY_VIEWS,
    }
    with connection.cursor() as cursor:
        cursor.execute(_history_sql(), parameters)
        rows = cursor.fetchall()
    # Every row repeats the promoted version, and the statement returns one
    # row without a view when there is no view to return.
    version_pk, artifact_path = rows[0][0], rows[0][1]
    promoted = None if version_pk is None else (int(version_pk), str(artifact_path))
    views_by_visitor: dict[Visitor, list[tuple[int, int, str | None, Any]]] = {}
    for _, _, user_pk, session_key, *view in rows:
        if user_pk is None and not session_key:
            continue
        owner = Visitor(user_pk=user_pk, session_key=session_key)
        views_by_visitor.setdefault(owner, []).append(tuple(view))
    for session in sessions:
        if session.visitor is not None:
            _fill_session(session, views_by_visitor.get(session.visitor, []))
    return sessions, promoted


@functools.cache
def _history_sql() -> str:
    """Return the statement of `_current_sessions_and_tailnet`.

    Each visitor's latest views, at most `%(max_views)s` of them, come from
    a subquery of their own (`LATERAL`), which can use the index on
    (user, viewed_at) or (session_key, viewed_at). Signed-in views have an
    empty session key and anonymous ones no user, so the key of a row names
    one visitor. The rows are ordered oldest first.
    """
    view: Any = SessionView._meta
    product: Any = Product._meta

    def column(name: str) -> str:
        return str(view.get_field(name).column)

    view_columns = ", ".join(
        [view.pk.column]
        + [column(name) for name in ("user", "session_key", "listing", "product")]
        + [column("viewed_at")]
    )
    order = f"{column('viewed_at')} DESC, {view.pk.column} DESC"
    latest_views = {
        visitor_column: f"""
            SELECT {view_columns} FROM {view.db_table}
            WHERE {visitor_column} = visitor.key
            ORDER BY {order}
            LIMIT %(max_views)s"""
        for visitor_column in (column("user"), column("session_key"))
    }
    return f"""
        WITH promoted AS ({promoted_tailnet_sql()}
        ), recent AS (
            SELECT latest.* FROM unnest(%(user_pks)s::bigint[]) AS visitor (key)
            CROSS JOIN LATERAL ({latest_views[column("user")]}
            ) AS latest
            UNION ALL
            SELECT latest.* FROM unnest(%(session_keys)s::text[]) AS visitor (key)
            CROSS JOIN LATERAL ({latest_views[column("session_key")]}
            ) AS latest
        )
        SELECT promoted.id, promoted.artifact_path,
            recent.{column("user")}, recent.{column("session_key")},
            recent.{view.pk.column}, recent.{column("listing")},
            product.{product.get_field("parent_asin").column},
            recent.{column("viewed_at")}
        FROM (VALUES (1)) AS one_row (unused)
        LEFT JOIN promoted ON TRUE
        LEFT JOIN recent ON TRUE
        LEFT JOIN {product.db_table} AS product
            ON product.{product.pk.column} = recent.{column("product")}
        ORDER BY recent.{column("viewed_at")}, recent.{view.pk.column}
    """


def _candidate_rows(asins: set[str]) -> list[dict[str, Any]]:
    """Return the buyable listings of products `asins`, newest first.

    Each row has the `_CARD_FIELDS`, among them the file name of the
    listing's first photo, so the cards need no query of their own.
    """
    if not asins:
        return []
    with connection.cursor() as cursor:
        cursor.execute(
            _candidates_sql(),
            {"status": Listing.Status.ACTIVE.value, "asins": sorted(asins)},
        )
        return [dict(zip(_CARD_FIELDS, row, strict=True)) for row in cursor]


@functools.cache
def _candidates_sql() -> str:
    listing = Listing._meta
    product = Product._meta
    photo = ListingPhoto._meta

    def column(meta: Any, name: str) -> str:
        return str(meta.get_field(name).column)

    listing_columns = ", ".join(
        f"listing.{column(listing, name)}"
        for name in ("id", "seller", "title", "price", "currency", "condition")
    )
    # `->> 0` is the first image URL as text, and NULL when the list is
    # empty or the JSON value is not a list.
    return f"""
        SELECT {listing_columns},
            product.{column(product, "parent_asin")},
            COALESCE(product.{column(product, "image_urls")} ->> 0, ''),
            (
                SELECT photo.{column(photo, "image")} FROM {photo.db_table} AS photo
                WHERE photo.{column(photo, "listing")} = listing.{listing.pk.column}
                ORDER BY photo.{column(photo, "position")}, photo.{photo.pk.column}
                LIMIT 1
            )
        FROM {listing.db_table} AS listing
        JOIN {product.db_table} AS product
            ON product.{product.pk.column} = listing.{column(listing, "product")}
        WHERE listing.{column(listing, "status")} = %(status)s
            AND NOT listing.{column(listing, "hidden_by_staff")}
            AND product.{column(product, "parent_asin")} = ANY(%(asins)s)
        ORDER BY listing.{column(listing, "bumped_at")} DESC,
            listing.{listing.pk.column} DESC
    """


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
    if row["first_photo"]:
        image_url = _PHOTO_STORAGE.url(row["first_photo"])
    else:
        image_url = row["product_image_url"]
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
