"""Assemble the home feed from precomputed embeddings.

A signed-in user with a history gets listings ranked by the inner product
of the user-tower vector with the listings' item-tower vectors. Everyone
else gets the popularity ranking, and so does everyone while no model
version exists.
"""

import logging
from dataclasses import dataclass

import numpy as np
from django.contrib.auth.models import AnonymousUser
from django.core import signing
from django.core.cache import cache
from django.db.models import Count

from accounts.models import User
from listings.models import Listing, Product
from recommender.embeddings import encode_listings, product_features
from recommender.ml.two_tower import TwoTowerModel
from recommender.models import Interaction, ListingEmbeddingSet, ModelVersion
from recommender.serving import ListingEmbeddings, load_listing_embeddings, load_model
from recommender.training import current_version

logger = logging.getLogger(__name__)

DEFAULT_PAGE_SIZE = 20
MAX_PAGE_SIZE = 100
# Maximum number of listings in one personalized scroll.
RETRIEVAL_CANDIDATES = 500
HISTORY_LENGTH = 50
POPULARITY_CACHE_SECONDS = 60
_CURSOR_SALT = "recommender.feed.cursor"
_INVALID_CURSOR = "The cursor is invalid; request the first page without a cursor."


class InvalidCursorError(ValueError):
    """The cursor was not issued by this server or has been altered."""


@dataclass(frozen=True)
class FeedItem:
    listing: Listing
    score: float | None
    reason: str


@dataclass(frozen=True)
class FeedPage:
    items: list[FeedItem]
    next_cursor: str | None
    strategy: str
    model_version_pk: int | None


@dataclass(frozen=True)
class _History:
    product_pks: list[int]
    parent_asins: list[str]


def get_home_feed(
    *,
    user: User | AnonymousUser,
    cursor: str | None = None,
    page_size: int = DEFAULT_PAGE_SIZE,
) -> FeedPage:
    """Return one page of the home feed for `user`."""
    if not 1 <= page_size <= MAX_PAGE_SIZE:
        raise ValueError(
            f"page_size={page_size} is out of range; use 1 to {MAX_PAGE_SIZE}."
        )
    strategy, offset = _decode_cursor(cursor) if cursor else (None, 0)

    if isinstance(user, User) and strategy != "popularity":
        version = current_version(ModelVersion.Kind.TWO_TOWER)
        history = _user_history(user)
        if version is not None and history.product_pks:
            page = _personal_page(
                user=user,
                version=version,
                history=history,
                offset=offset,
                page_size=page_size,
            )
            if page is not None:
                return page
    if strategy == "two_tower":
        # The personalized ranking this cursor continued is gone (a new
        # model without this user's items, or the user signed out).
        raise InvalidCursorError(
            "The cursor belongs to a feed that is no longer available; "
            "request the first page without a cursor."
        )
    return _popular_page(user=user, offset=offset, page_size=page_size)


def _user_history(user: User) -> _History:
    """Return the user's most recent products, newest first.

    A user linked to an imported reviewer inherits that reviewer's history.
    """
    actors = Interaction.objects.filter(user=user)
    reviewer = getattr(user, "reviewer", None)
    if reviewer is not None:
        actors = Interaction.objects.filter(user=user) | Interaction.objects.filter(
            reviewer=reviewer
        )
    rows = (
        actors.filter(product__isnull=False)
        .order_by("-occurred_at", "-pk")
        .values_list("product_id", "product__parent_asin")[: HISTORY_LENGTH * 2]
    )
    product_pks: list[int] = []
    parent_asins: list[str] = []
    for product_pk, parent_asin in rows:
        if product_pk not in product_pks:
            product_pks.append(product_pk)
            parent_asins.append(parent_asin)
    return _History(
        product_pks=product_pks[:HISTORY_LENGTH],
        parent_asins=parent_asins[:HISTORY_LENGTH],
    )


def _personal_page(
    *,
    user: User,
    version: ModelVersion,
    history: _History,
    offset: int,
    page_size: int,
) -> FeedPage | None:
    embedding_set = (
        ListingEmbeddingSet.objects.filter(model_version=version)
        .order_by("-created_at", "-pk")
        .first()
    )
    if embedding_set is None:
        return None
    try:
        model = load_model(version)
        indexed = load_listing_embeddings(embedding_set)
    except OSError as error:
        # A missing or unreadable artifact must not take the feed down:
        # serve popularity until the files are back or a new version lands.
        _log_unavailable_artifact(version.pk, embedding_set.pk, error)
        return None

    # The user tower takes known items oldest first.
    known = model.index_of(list(reversed(history.parent_asins)))
    known_history = [int(index) for index in known if index >= 0]
    if not known_history:
        return None
    user_vector = model.encode_users([known_history])[0]

    listing_pks, vectors = _with_new_listings(model, embedding_set, indexed)
    if len(listing_pks) == 0:
        return None
    scores = vectors @ user_vector
    depth = min(RETRIEVAL_CANDIDATES * 2, len(scores))
    top = np.argpartition(-scores, depth - 1)[:depth]
    top = top[np.argsort(-scores[top], kind="stable")]

    candidates = [int(pk) for pk in listing_pks[top]]
    allowed = set(
        Listing.objects.filter(pk__in=candidates, status=Listing.Status.ACTIVE)
        .exclude(seller=user)
        .exclude(product_id__in=history.product_pks)
        .values_list("pk", flat=True)
    )
    score_of = {int(listing_pks[i]): float(scores[i]) for i in top}
    row_of = {int(listing_pks[i]): int(i) for i in top}
    ranked = [pk for pk in candidates if pk in allowed][:RETRIEVAL_CANDIDATES]
    # NOTE: the cursor is an offset into a ranking recomputed per request, so
    # an interaction made between two pages can reorder the ranking and
    # repeat or skip a listing across the page boundary.
    page_pks = ranked[offset : offset + page_size]
    listings = _load_listings(page_pks)
    page_vectors = vectors[[row_of[listing.pk] for listing in listings]]
    reasons = _similarity_reasons(model, listings, page_vectors, history)

    items = [
        FeedItem(listing=listing, score=score_of[listing.pk], reason=reason)
        for listing, reason in zip(listings, reasons, strict=True)
    ]
    end = offset + len(page_pks)
    next_cursor = _encode_cursor("two_tower", end) if end < len(ranked) else None
    return FeedPage(
        items=items,
        next_cursor=next_cursor,
        strategy="two_tower",
        model_version_pk=version.pk,
    )


_reported_artifacts: set[tuple[int, int]] = set()


def _log_unavailable_artifact(
    version_pk: int, embedding_set_pk: int, error: OSError
) -> None:
    """Log an unreadable artifact once per process, not once per request."""
    key = (version_pk, embedding_set_pk)
    if key in _reported_artifacts:
        return
    _reported_artifacts.add(key)
    logger.error(
        "Serving popularity: artifacts of model version %s / embedding set %s "
        "are unavailable: %s",
        version_pk,
        embedding_set_pk,
        error,
    )


def _with_new_listings(
    model: TwoTowerModel,
    embedding_set: ListingEmbeddingSet,
    indexed: ListingEmbeddings,
) -> tuple[np.ndarray, np.ndarray]:
    """Add listings created after the set was built, encoded on the spot.

    The item tower needs only content features, so a new listing is ranked
    at once, before the next embedding build.
    """
    fresh = list(
        Listing.objects.filter(
            status=Listing.Status.ACTIVE, created_at__gt=embedding_set.created_at
        )
        .select_related("product__category", "category")
        .order_by("pk")[:RETRIEVAL_CANDIDATES]
    )
    if not fresh:
        return indexed.listing_pks, indexed.vectors
    fresh_vectors = encode_listings(model, fresh)
    if len(indexed.listing_pks) == 0:
        return np.asarray([item.pk for item in fresh]), fresh_vectors
    return (
        np.concatenate([indexed.listing_pks, np.asarray([item.pk for item in fresh])]),
        np.concatenate([indexed.vectors, fresh_vectors]),
    )


def _similarity_reasons(
    model: TwoTowerModel,
    listings: list[Listing],
    listing_vectors: np.ndarray,
    history: _History,
) -> list[str]:
    """Name, for each listing, the history product it is most similar to."""
    if not listings:
        return []
    products = {
        product.pk: product
        for product in Product.objects.filter(
            pk__in=history.product_pks
        ).select_related("category")
    }
    ordered = [products[pk] for pk in history.product_pks if pk in products]
    if not ordered:
        return ["Picked for you"] * len(listings)
    history_vectors = model.encode_items(
        model.index_of([product.parent_asin for product in ordered]),
        product_features(ordered),
    )
    nearest = (listing_vectors @ history_vectors.T).argmax(axis=1)
    return [
        f"Similar to {_short_title(ordered[int(index)].title)}" for index in nearest
    ]


def _popular_page(
    *, user: User | AnonymousUser, offset: int, page_size: int
) -> FeedPage:
    ranked = _popular_listing_pks()
    if isinstance(user, User):
        own = set(user.listings.values_list("pk", flat=True))
        ranked = [pk for pk in ranked if pk not in own]
    page_pks = ranked[offset : offset + page_size]
    # The cached ranking may be a minute old: drop what has sold since.
    active = set(
        Listing.objects.filter(
            pk__in=page_pks, status=Listing.Status.ACTIVE
        ).values_list("pk", flat=True)
    )
    listings = _load_listings([pk for pk in page_pks if pk in active])
    end = offset + len(page_pks)
    return FeedPage(
        items=[
            FeedItem(listing=listing, score=None, reason="Popular on the marketplace")
            for listing in listings
        ],
        next_cursor=_encode_cursor("popularity", end) if end < len(ranked) else None,
        strategy="popularity",
        model_version_pk=None,
    )


def _popular_listing_pks() -> list[int]:
    """Return active listing pks by their product's interaction count."""
    cached = cache.get("recommender:popular-listings")
    if cached is not None:
        return list(cached)
    ranked = list(
        Listing.objects.filter(status=Listing.Status.ACTIVE)
        .annotate(popularity=Count("product__interactions"))
        .order_by("-popularity", "-bumped_at", "-pk")
        .values_list("pk", flat=True)
    )
    cache.set("recommender:popular-listings", ranked, POPULARITY_CACHE_SECONDS)
    return ranked


def _load_listings(pks: list[int]) -> list[Listing]:
    by_pk = Listing.objects.select_related(
        "product__category", "category", "neighbourhood", "seller"
    ).in_bulk(pks)
    return [by_pk[pk] for pk in pks if pk in by_pk]


def _short_title(title: str, limit: int = 60) -> str:
    return title if len(title) <= limit else title[: limit - 1].rstrip() + "…"


def _encode_cursor(strategy: str, offset: int) -> str:
    return signing.dumps(
        {"strategy": strategy, "offset": offset}, salt=_CURSOR_SALT, compress=True
    )


def _decode_cursor(cursor: str) -> tuple[str, int]:
    """Return the strategy and offset of a cursor issued by this server."""
    try:
        payload = signing.loads(cursor, salt=_CURSOR_SALT)
    except signing.BadSignature as error:
        raise InvalidCursorError(_INVALID_CURSOR) from error
    if not isinstance(payload, dict):
        raise InvalidCursorError(_INVALID_CURSOR)
    strategy, offset = payload.get("strategy"), payload.get("offset")
    if strategy not in ("two_tower", "popularity"):
        raise InvalidCursorError(_INVALID_CURSOR)
    if not isinstance(offset, int) or offset < 0:
        raise InvalidCursorError(_INVALID_CURSOR)
    return strategy, offset
