"""Assemble the home feed: retrieve, filter, score, blend, diversify, page.

A signed-in user with a few interactions gets listings retrieved from the
faiss index by the Two-Tower user vector, then filtered (`feed_filters`).
The promoted GNN scores them where one exists, else the Two-Tower score
is used. The scores are blended with freshness and the ranking is spread
over categories and sellers (`feed_ranking`). Everyone else gets the
popularity ranking, with listings near a neighbourhood first when one is
given. Every page logs its impressions.
"""

import logging
import math
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, replace
from functools import partial

import numpy as np
import torch
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core import signing
from django.core.cache import cache
from django.db import connection, transaction
from django.db.models import Count

from accounts.models import Neighbourhood, User
from accounts.selectors import home_neighbourhood
from listings.models import Listing, Product
from recommender.feed_cache import get_ranking, store_ranking
from recommender.feed_filters import CandidateRow, allowed_candidates
from recommender.feed_ranking import (
    DiversityRules,
    blend_with_freshness,
    diversify,
    standardize,
)
from recommender.ml.two_tower import TwoTowerModel
from recommender.models import Impression, Interaction, ModelVersion
from recommender.serving import (
    ServingIndex,
    get_serving_index,
    get_serving_versions,
    load_gnn_model,
    load_model,
)

logger = logging.getLogger(__name__)

DEFAULT_PAGE_SIZE = 20
MAX_PAGE_SIZE = 100
HISTORY_LENGTH = 50
# Length of the popularity ranking, so of an anonymous scroll.
POPULAR_DEPTH = 1000
POPULARITY_CACHE_SECONDS = 60
EARTH_RADIUS_KM = 6371.0

PERSONAL_STRATEGIES = ("two_tower", "gnn")
POPULAR_STRATEGIES = ("popularity",)
STRATEGIES = PERSONAL_STRATEGIES + POPULAR_STRATEGIES

# Verb of each interaction kind in a reason: "Similar to X you viewed".
_REASON_VERBS: dict[str, str] = {
    Interaction.Kind.REVIEW: "reviewed",
    Interaction.Kind.VIEW: "viewed",
    Interaction.Kind.FAVORITE: "saved",
    Interaction.Kind.CART: "put in your cart",
    Interaction.Kind.OFFER: "made an offer on",
    Interaction.Kind.PURCHASE: "bought",
}
_CURSOR_SALT = "recommender.feed.cursor"
_INVALID_CURSOR = "The cursor is invalid; request the first page without a cursor."


class InvalidCursorError(ValueError):
    """The cursor was not issued by this server or has been altered."""


class UnknownNeighbourhoodError(ValueError):
    """The requested neighbourhood does not exist."""


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
    gnn_version_pk: int | None
    request_id: uuid.UUID


@dataclass(frozen=True)
class _History:
    product_pks: list[int]
    parent_asins: list[str]
    kinds: list[str]


@dataclass(frozen=True)
class _Ranking:
    """A whole ranked scroll, before it is cut into pages.

    Holds only listing pks, best first: a process caches thousands of
    rankings (`feed_cache`), and a list of ints is one object for the
    garbage collector to walk where a list of row objects is hundreds.
    """

    pks: list[int]
    scores: dict[int, float]
    # Returns the reason of each listing pk; called for one page at a time.
    explain: Callable[[list[int]], dict[int, str]]
    strategy: str
    model_version_pk: int | None = None
    gnn_version_pk: int | None = None
    # Whether it came from `feed_cache`, so its rows may have become
    # unavailable since it was ranked.
    from_cache: bool = False


@dataclass(frozen=True)
class _Cursor:
    strategy: str | None
    offset: int
    neighbourhood_pk: int | None


def get_home_feed(
    *,
    user: User | AnonymousUser,
    cursor: str | None = None,
    page_size: int = DEFAULT_PAGE_SIZE,
    neighbourhood_pk: int | None = None,
    near_home: bool = False,
    request_id: uuid.UUID | None = None,
) -> FeedPage:
    """Return one page of the home feed for `user` and log its impressions.

    `neighbourhood_pk` puts listings near that neighbourhood first in the
    popularity feed; with `near_home` and no `neighbourhood_pk`, the
    signed-in user's home neighbourhood does. A cursor keeps the
    neighbourhood of its first page.
    """
    if not 1 <= page_size <= MAX_PAGE_SIZE:
        raise ValueError(
            f"page_size={page_size} is out of range; use 1 to {MAX_PAGE_SIZE}."
        )
    position = (
        _decode_cursor(cursor)
        if cursor
        else _Cursor(strategy=None, offset=0, neighbourhood_pk=neighbourhood_pk)
    )
    signed_in = user if isinstance(user, User) else None

    ranking = None
    if signed_in is not None and position.strategy not in POPULAR_STRATEGIES:
        ranking = _personal_ranking(signed_in)
    if ranking is None:
        if position.strategy in PERSONAL_STRATEGIES:
            # The personalized ranking this cursor continued is gone (the
            # model lost this user's items, or the user signed out).
            raise InvalidCursorError(
                "The cursor belongs to a feed that is no longer available; "
                "request the first page without a cursor."
            )
        if near_home and cursor is None and position.neighbourhood_pk is None:
            # Looked up only here: a personalized feed does not need it.
            position = replace(position, neighbourhood_pk=_home_pk(signed_in))
        ranking = _popular_ranking(signed_in, position.neighbourhood_pk)

    page = _cut_page(
        ranking,
        position=position,
        page_size=page_size,
        request_id=request_id or uuid.uuid4(),
        user=signed_in,
    )
    _log_impressions(page, user=signed_in, offset=position.offset)
    return page


def _home_pk(user: User | None) -> int | None:
    home = home_neighbourhood(user) if user is not None else None
    return home.pk if home is not None else None


def _cut_page(
    ranking: _Ranking,
    *,
    position: _Cursor,
    page_size: int,
    request_id: uuid.UUID,
    user: User | None,
) -> FeedPage:
    # NOTE: the cursor is an offset into a ranking recomputed when its inputs
    # change (see `feed_cache`), so an interaction made between two pages can
    # reorder the ranking and repeat or skip a listing across the page
    # boundary.
    offset = position.offset
    if ranking.from_cache:
        page_pks, end = _available_pks(ranking.pks, offset, page_size, user)
    else:
        page_pks = ranking.pks[offset : offset + page_size]
        end = offset + len(page_pks)
    listings = _load_listings(page_pks)
    reasons = ranking.explain([listing.pk for listing in listings])
    items = [
        FeedItem(
            listing=listing,
            score=ranking.scores.get(listing.pk),
            reason=reasons[listing.pk],
        )
        for listing in listings
    ]
    next_cursor = None
    if end < len(ranking.pks):
        next_cursor = _encode_cursor(
            _Cursor(
                strategy=ranking.strategy,
                offset=end,
                neighbourhood_pk=position.neighbourhood_pk,
            )
        )
    return FeedPage(
        items=items,
        next_cursor=next_cursor,
        strategy=ranking.strategy,
        model_version_pk=ranking.model_version_pk,
        gnn_version_pk=ranking.gnn_version_pk,
        request_id=request_id,
    )


def _available_pks(
    pks: list[int], offset: int, page_size: int, user: User | None
) -> tuple[list[int], int]:
    """Return the next `page_size` pks from `offset` that pass the filters.

    Listings of a cached ranking may have been sold, hidden or excluded
    since it was ranked; those are skipped. Returns the pks and the offset
    after the last pk read.
    """
    page: list[int] = []
    end = offset
    while len(page) < page_size and end < len(pks):
        chunk = pks[end : end + page_size - len(page)]
        allowed = allowed_candidates(chunk, user)
        page.extend(pk for pk in chunk if pk in allowed)
        end += len(chunk)
    return page, end


@transaction.atomic
def _log_impressions(page: FeedPage, *, user: User | None, offset: int) -> None:
    """Insert one impression row per item of `page`, in one statement.

    On PostgreSQL the commit does not wait for the disk flush: a crash may
    lose the last fraction of a second of impressions, never corrupt them,
    and the feed request does not pay for an fsync.
    """
    if not page.items:
        return
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL synchronous_commit TO OFF")
    Impression.objects.bulk_create(
        Impression(
            request_id=page.request_id,
            user=user,
            listing=item.listing,
            position=offset + number,
            strategy=page.strategy,
            two_tower_version_id=page.model_version_pk,
            gnn_version_id=page.gnn_version_pk,
        )
        for number, item in enumerate(page.items)
    )


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
        .values_list("product_id", "product__parent_asin", "kind")[: HISTORY_LENGTH * 2]
    )
    seen: set[int] = set()
    history = _History(product_pks=[], parent_asins=[], kinds=[])
    for product_pk, parent_asin, kind in rows:
        if product_pk in seen or len(seen) == HISTORY_LENGTH:
            continue
        seen.add(product_pk)
        history.product_pks.append(product_pk)
        history.parent_asins.append(parent_asin)
        history.kinds.append(kind)
    return history


def _personal_ranking(user: User) -> _Ranking | None:
    """Rank the listings for `user`, or return None to serve popularity."""
    history = _user_history(user)
    if len(history.product_pks) < settings.RECOMMENDER_PERSONAL_MIN_ITEMS:
        return None
    versions = get_serving_versions()
    version = versions.two_tower
    if version is None:
        return None
    try:
        model = load_model(version)
        index = get_serving_index(version)
    except OSError as error:
        # A missing or unreadable artifact must not take the feed down:
        # serve popularity until the files are back or a new version lands.
        _log_unavailable_artifact(version.pk, error)
        return None
    if index is None:
        return None
    gnn_version = versions.gnn
    cache_key = (
        user.pk,
        version.pk,
        gnn_version.pk if gnn_version is not None else None,
        index.embedding_set_pk,
        index.fresh_stamp,
        tuple(history.product_pks),
        tuple(history.kinds),
    )
    cached = get_ranking(cache_key)
    if cached is not None:
        return replace(cached, from_cache=True)
    ranking = _rank_for_user(user, history, model, index, version, gnn_version)
    if ranking is not None:
        store_ranking(cache_key, ranking)
    return ranking


def _rank_for_user(
    user: User,
    history: _History,
    model: TwoTowerModel,
    index: ServingIndex,
    version: ModelVersion,
    gnn_version: ModelVersion | None,
) -> _Ranking | None:
    """Retrieve, filter, score, blend and diversify the user's candidates."""
    # The user tower takes known items oldest first.
    known = model.index_of(list(reversed(history.parent_asins)))
    known_history = [int(item) for item in known if item >= 0]
    if not known_history:
        return None
    user_vector = model.encode_users([known_history])[0]

    retrieved = retrieve_candidates(
        index, user_vector, settings.RECOMMENDER_FEED_CANDIDATES
    )
    allowed = allowed_candidates(retrieved, user)
    rows = [allowed[pk] for pk in retrieved if pk in allowed]
    if not rows:
        return None
    relevance = np.asarray([retrieved[row.pk] for row in rows], dtype=np.float64)
    gnn_used = False
    if gnn_version is not None:
        relevance, gnn_used = _gnn_relevance(gnn_version, history, rows, relevance)

    ranked, scores = _blend_and_diversify(rows, relevance)
    return _Ranking(
        pks=[row.pk for row in ranked],
        scores=scores,
        explain=partial(
            _similarity_reasons, index, history, _history_profile(model, history)
        ),
        strategy="gnn" if gnn_used else "two_tower",
        model_version_pk=version.pk,
        gnn_version_pk=gnn_version.pk if gnn_used and gnn_version else None,
    )


def retrieve_candidates(
    index: ServingIndex, user_vector: np.ndarray, depth: int
) -> dict[int, float]:
    """Return up to `depth` listing pks with their scores, best first.

    Searches the faiss index and the fresh listing vectors beside it. A
    listing with a fresh vector is scored by that vector, since the index
    contains the state it had at the build.
    """
    pks, scores = index.ann.search(user_vector, depth)
    fresh = set(index.fresh_pks.tolist())
    merged = {
        int(pk): float(score)
        for pk, score in zip(pks, scores, strict=True)
        if int(pk) not in fresh
    }
    if len(index.fresh_pks):
        fresh_scores = index.fresh_vectors @ user_vector
        for row in np.argsort(-fresh_scores, kind="stable")[:depth]:
            merged[int(index.fresh_pks[row])] = float(fresh_scores[row])
    best = sorted(merged.items(), key=lambda item: (-item[1], item[0]))[:depth]
    return dict(best)


def _gnn_relevance(
    gnn_version: ModelVersion,
    history: _History,
    rows: list[CandidateRow],
    two_tower: np.ndarray,
) -> tuple[np.ndarray, bool]:
    """Score the candidates in the GNN's item table; keep the others' scores.

    Both scores are standardized over the candidates, so a listing of a
    product the GNN never saw (a new product, a listing without one) stays
    comparable. Returns the relevance and whether the GNN scored any.
    """
    try:
        scorer = load_gnn_model(gnn_version)
    except OSError as error:
        _log_unavailable_artifact(gnn_version.pk, error)
        return two_tower, False
    positions = scorer.positions
    user_items = [positions[asin] for asin in history.parent_asins if asin in positions]
    known = [
        (number, positions[row.parent_asin])
        for number, row in enumerate(rows)
        if row.parent_asin is not None and row.parent_asin in positions
    ]
    if not user_items or not known:
        return two_tower, False
    candidate_items = np.asarray([item for _, item in known], dtype=np.int64)
    gnn_scores = scorer.model.score([user_items], candidate_items)[0]
    # NOTE: mixing standardized scores of two models assumes both spread
    # alike over the candidates; this blend is untuned.
    relevance = standardize(two_tower)
    numbers = np.asarray([number for number, _ in known], dtype=np.int64)
    relevance[numbers] = standardize(gnn_scores.astype(np.float64))
    return relevance, True


def _blend_and_diversify(
    rows: list[CandidateRow], relevance: np.ndarray
) -> tuple[list[CandidateRow], dict[int, float]]:
    bumped = np.asarray([row.bumped_at_epoch for row in rows], dtype=np.float64)
    blended = blend_with_freshness(
        relevance,
        bumped,
        now_epoch=time.time(),
        weight=settings.RECOMMENDER_FRESHNESS_WEIGHT,
        half_life_hours=settings.RECOMMENDER_FRESHNESS_HALF_LIFE_HOURS,
    )
    order = np.argsort(-blended, kind="stable")
    scores = {rows[i].pk: float(blended[i]) for i in order}
    ranked = diversify([rows[i] for i in order], _diversity_rules())
    return ranked, scores


def _diversity_rules() -> DiversityRules:
    return DiversityRules(
        window=settings.RECOMMENDER_DIVERSITY_WINDOW,
        category_cap=settings.RECOMMENDER_CATEGORY_CAP,
        seller_cap=settings.RECOMMENDER_SELLER_CAP,
    )


_reported_artifacts: set[int] = set()


def _log_unavailable_artifact(version_pk: int, error: OSError) -> None:
    """Log an unreadable artifact once per process, not once per request."""
    if version_pk in _reported_artifacts:
        return
    _reported_artifacts.add(version_pk)
    logger.error(
        "Artifacts of model version %s are unavailable, serving without them: %s",
        version_pk,
        error,
    )


@dataclass(frozen=True)
class _HistoryProfile:
    """The history products that a ranking's reasons compare listings with."""

    # Position in the history of each product the model has an id row for;
    # only those shaped the user vector.
    known: list[int]
    vectors: np.ndarray
    titles: dict[int, str]


def _history_profile(model: TwoTowerModel, history: _History) -> _HistoryProfile:
    """Read the titles and vectors of the history once per ranking."""
    rows = model.index_of(history.parent_asins)
    known = [number for number, row in enumerate(rows) if row >= 0]
    if not known:
        return _HistoryProfile(known=[], vectors=np.empty((0, 0)), titles={})
    with torch.no_grad():
        vectors = model.known_item_vectors(torch.from_numpy(rows[known])).numpy()
    titles = dict(
        Product.objects.filter(
            pk__in=[history.product_pks[number] for number in known]
        ).values_list("pk", "title")
    )
    return _HistoryProfile(known=known, vectors=vectors, titles=titles)


def _similarity_reasons(
    index: ServingIndex, history: _History, profile: _HistoryProfile, pks: list[int]
) -> dict[int, str]:
    """Name, for each listing, the history product it is most similar to."""
    reasons = dict.fromkeys(pks, "Picked for you")
    vectors = index.vectors_of(pks)
    if not profile.known or not vectors:
        return reasons
    listed = [pk for pk in pks if pk in vectors]
    matrix = np.stack([vectors[pk] for pk in listed])
    nearest = (matrix @ profile.vectors.T).argmax(axis=1)
    for pk, choice in zip(listed, nearest, strict=True):
        number = profile.known[int(choice)]
        # Imported products may carry an empty or blank title.
        title = (profile.titles.get(history.product_pks[number]) or "").strip()
        if not title:
            continue
        verb = _REASON_VERBS.get(history.kinds[number], "viewed")
        reasons[pk] = f"Similar to {_short_title(title)} you {verb}"
    return reasons


def _popular_ranking(user: User | None, neighbourhood_pk: int | None) -> _Ranking:
    """Rank active listings by popularity, listings nearby first."""
    nearby: set[int] = set()
    name = ""
    if neighbourhood_pk is not None:
        centre = Neighbourhood.objects.filter(pk=neighbourhood_pk).first()
        if centre is None:
            raise UnknownNeighbourhoodError(
                f"Neighbourhood {neighbourhood_pk} does not exist; pass the id "
                "of an existing neighbourhood or leave it out."
            )
        nearby = _neighbourhoods_near(centre)
        name = centre.name
    ranked = _popular_listing_pks(tuple(sorted(nearby)))
    allowed = allowed_candidates(ranked, user)
    rows = [allowed[pk] for pk in ranked if pk in allowed]
    rows = diversify(rows, _diversity_rules())
    return _Ranking(
        pks=[row.pk for row in rows],
        scores={},
        explain=partial(_popularity_reasons, nearby, name),
        strategy="popularity",
    )


def _popularity_reasons(
    nearby: set[int], neighbourhood_name: str, pks: list[int]
) -> dict[int, str]:
    near_pks: set[int] = set()
    if nearby:
        near_pks = set(
            Listing.objects.filter(pk__in=pks, neighbourhood_id__in=nearby).values_list(
                "pk", flat=True
            )
        )
    return {
        pk: (
            f"Popular near {neighbourhood_name}"
            if pk in near_pks
            else "Popular on the marketplace"
        )
        for pk in pks
    }


def _neighbourhoods_near(centre: Neighbourhood) -> set[int]:
    """Return the neighbourhoods within RECOMMENDER_NEARBY_KM of `centre`."""
    radius = settings.RECOMMENDER_NEARBY_KM
    near: set[int] = set()
    for pk, latitude, longitude in Neighbourhood.objects.values_list(
        "pk", "latitude", "longitude"
    ):
        distance = _haversine_km(centre.latitude, centre.longitude, latitude, longitude)
        if distance <= radius:
            near.add(pk)
    return near


def _haversine_km(
    latitude_a: float, longitude_a: float, latitude_b: float, longitude_b: float
) -> float:
    phi_a, phi_b = math.radians(latitude_a), math.radians(latitude_b)
    delta_phi = phi_b - phi_a
    delta_lambda = math.radians(longitude_b - longitude_a)
    term = (
        math.sin(delta_phi / 2) ** 2
        + math.cos(phi_a) * math.cos(phi_b) * math.sin(delta_lambda / 2) ** 2
    )
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(term))


def _popular_listing_pks(nearby: tuple[int, ...]) -> list[int]:
    """Return active listing pks by their product's interaction count.

    Listings in the `nearby` neighbourhoods come first. The ranking is
    cached per process for POPULARITY_CACHE_SECONDS, so the filters run on
    it again per request.
    """
    key = "recommender:popular-listings:" + ",".join(map(str, nearby))
    cached = cache.get(key)
    if cached is not None:
        return list(cached)
    active = Listing.objects.filter(status=Listing.Status.ACTIVE)
    ranked: list[int] = []
    parts = [active.filter(neighbourhood_id__in=nearby), active] if nearby else [active]
    for part in parts:
        ranked.extend(
            pk
            for pk in part.exclude(pk__in=ranked)
            .annotate(popularity=Count("product__interactions"))
            .order_by("-popularity", "-bumped_at", "-pk")
            .values_list("pk", flat=True)[: POPULAR_DEPTH - len(ranked)]
        )
    cache.set(key, ranked, POPULARITY_CACHE_SECONDS)
    return ranked


# The columns a feed card shows in the API's FeedListingSerializer and the
# home page template. The rest of a product row (descriptions, attributes)
# is large and unused here.
_CARD_FIELDS = (
    "title",
    "price",
    "currency",
    "condition",
    "status",
    "bumped_at",
    "neighbourhood__name",
    "product__parent_asin",
    "product__image_urls",
    "seller__username",
    "seller__display_name",
    "seller__erased_at",
    "seller__is_demo",
)


def _load_listings(pks: list[int]) -> list[Listing]:
    # Prefetched photos serve `Listing.image_url` without a query per card.
    by_pk = (
        Listing.objects.select_related("neighbourhood", "product", "seller")
        .only(*_CARD_FIELDS)
        .prefetch_related("photos")
        .in_bulk(pks)
    )
    return [by_pk[pk] for pk in pks if pk in by_pk]


def _short_title(title: str, limit: int = 60) -> str:
    return title if len(title) <= limit else title[: limit - 1].rstrip() + "…"


def _encode_cursor(position: _Cursor) -> str:
    payload = {
        "strategy": position.strategy,
        "offset": position.offset,
        "neighbourhood": position.neighbourhood_pk,
    }
    return signing.dumps(payload, salt=_CURSOR_SALT, compress=True)


def _decode_cursor(cursor: str) -> _Cursor:
    """Return the position of a cursor issued by this server."""
    try:
        payload = signing.loads(cursor, salt=_CURSOR_SALT)
    except signing.BadSignature as error:
        raise InvalidCursorError(_INVALID_CURSOR) from error
    if not isinstance(payload, dict):
        raise InvalidCursorError(_INVALID_CURSOR)
    strategy, offset = payload.get("strategy"), payload.get("offset")
    neighbourhood_pk = payload.get("neighbourhood")
    if strategy not in STRATEGIES:
        raise InvalidCursorError(_INVALID_CURSOR)
    if not isinstance(offset, int) or offset < 0:
        raise InvalidCursorError(_INVALID_CURSOR)
    if neighbourhood_pk is not None and not isinstance(neighbourhood_pk, int):
        raise InvalidCursorError(_INVALID_CURSOR)
    return _Cursor(strategy=strategy, offset=offset, neighbourhood_pk=neighbourhood_pk)
