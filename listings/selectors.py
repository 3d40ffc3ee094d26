"""Read queries: listing browse and search in keyset pages, catalog search."""

import datetime as dt
import enum
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Final

from django.contrib.auth.models import AnonymousUser
from django.core import signing
from django.db.models import F, Q, QuerySet

from accounts.models import Neighbourhood, User
from listings import distance, search
from listings.models import Category, Listing, Product
from listings.services import default_currency
from moderation.selectors import blocked_user_ids, blocker_ids

DEFAULT_PAGE_SIZE: Final = 20
MAX_PAGE_SIZE: Final = 100
CATALOG_SEARCH_LIMIT: Final = 20
SIMILAR_LIMIT: Final = 8
# Nearest neighbours asked of the recommender for one similar list: enough
# that blocks, the seller's own listings and inactive ones rarely leave the
# list short.
SIMILAR_DEPTH: Final = 4 * SIMILAR_LIMIT
CATALOG_SEARCH_MAX_WORDS: Final = 8
# Catalog prices come from the Amazon data and are in US dollars.
CATALOG_CURRENCY: Final = "USD"
# The suggested price of a used unit is 60% of the catalog price, rounded
# half up to the cent. No price is suggested when the catalog price is
# unknown or 0.
SUGGESTED_PRICE_SHARE: Final = Decimal("0.60")
_CURSOR_SALT: Final = "listings.browse.cursor"
_PUBLIC_STATUSES: Final = frozenset(
    {Listing.Status.ACTIVE, Listing.Status.RESERVED, Listing.Status.SOLD}
)


class ListingOrdering(enum.StrEnum):
    """Sort orders of the browse list; each ends with the primary key.

    RELEVANCE needs a search query and sorts by search rank, then newest.
    DISTANCE needs `ListingFilters.near` and sorts the nearest first.
    """

    NEWEST = "newest"
    PRICE_ASCENDING = "price"
    PRICE_DESCENDING = "-price"
    RELEVANCE = "relevance"
    DISTANCE = "distance"


# The ORM ordering and whether the scroll goes towards smaller keys.
_ORDER_BY: Final[dict[ListingOrdering, tuple[str, str, bool]]] = {
    ListingOrdering.NEWEST: ("bumped_at", "id", True),
    ListingOrdering.PRICE_ASCENDING: ("price", "id", False),
    ListingOrdering.PRICE_DESCENDING: ("price", "id", True),
    ListingOrdering.DISTANCE: (distance.DISTANCE_ANNOTATION, "id", False),
}


class InvalidCursorError(ValueError):
    """The cursor is altered, foreign, or for another ordering or query."""


@dataclass(frozen=True)
class ListingFilters:
    """Browse filters; an empty tuple or None leaves that filter out.

    `min_price` and `max_price` are amounts in `currency`, and a price
    filter matches only listings in that currency, because prices are not
    converted between currencies. `currency` defaults to the marketplace
    currency when a price bound is given. `search` is a query already passed
    through `search.normalize_query`. With `near`, only listings with a
    neighbourhood match, annotated with their distance from `near`; with
    `radius_km` too, only those at most that many kilometres away.
    """

    category: Category | None = None
    min_price: Decimal | None = None
    max_price: Decimal | None = None
    currency: str | None = None
    conditions: Sequence[str] = ()
    statuses: Sequence[str] = (Listing.Status.ACTIVE,)
    search: str | None = None
    near: Neighbourhood | None = None
    radius_km: Decimal | None = None


@dataclass(frozen=True)
class ListingPage:
    listings: list[Listing]
    next_cursor: str | None


@dataclass(frozen=True)
class ProductSuggestion:
    """A catalog product with the values that prefill a sell form."""

    product: Product
    suggested_price: Decimal | None
    suggested_currency: str


def category_with_descendants(category: Category) -> QuerySet[Category]:
    """Return `category` and every category below it in the tree."""
    prefix = category.path + Category.PATH_SEPARATOR
    return Category.objects.filter(Q(pk=category.pk) | Q(path__startswith=prefix))


def get_visible_listing(*, viewer: User | AnonymousUser, pk: int) -> Listing:
    """Return the listing `pk` if `viewer` may see it.

    Hidden listings are visible to their seller only, and the listings of
    a user who blocked `viewer` are not visible to `viewer` at all.

    Raises:
        Listing.DoesNotExist: when there is no such listing for `viewer`.
    """
    return (
        _listings_with_relations()
        .exclude(seller_id__in=blocker_ids(viewer))
        .get(_visibility(viewer, None), pk=pk)
    )


def filter_listings(
    *, viewer: User | AnonymousUser, filters: ListingFilters
) -> QuerySet[Listing]:
    """Return the listings that match `filters` and that `viewer` may see.

    Listings of users on either side of a block with `viewer` are left out.
    """
    queryset = _listings_with_relations().filter(_visibility(viewer, filters.statuses))
    blocked = blocked_user_ids(viewer)
    if blocked:
        queryset = queryset.exclude(seller_id__in=blocked)
    if filters.category is not None:
        queryset = queryset.filter(
            category__in=category_with_descendants(filters.category)
        )
    if filters.conditions:
        queryset = queryset.filter(condition__in=filters.conditions)

    currency = filters.currency
    if currency is None and (
        filters.min_price is not None or filters.max_price is not None
    ):
        currency = default_currency()
    if currency is not None:
        queryset = queryset.filter(currency=currency)
    if filters.min_price is not None:
        queryset = queryset.filter(price__gte=filters.min_price)
    if filters.max_price is not None:
        queryset = queryset.filter(price__lte=filters.max_price)
    if filters.search is not None:
        queryset = search.search(queryset, filters.search, search.LISTING_FIELDS)
    if filters.near is not None:
        queryset = distance.annotate_distance(queryset, filters.near)
        if filters.radius_km is not None:
            queryset = queryset.filter(
                **{f"{distance.DISTANCE_ANNOTATION}__lte": filters.radius_km}
            )
    return queryset


def browse_listings(
    *,
    viewer: User | AnonymousUser,
    filters: ListingFilters,
    ordering: ListingOrdering = ListingOrdering.NEWEST,
    cursor: str | None = None,
    page_size: int = DEFAULT_PAGE_SIZE,
) -> ListingPage:
    """Return one page of listings and the cursor of the next page.

    The page is a keyset page: the cursor stores the sort value and primary
    key of the last listing shown, and the next page starts strictly after
    that pair. A scroll therefore never repeats a listing and never skips
    one whose sort value did not change. A listing bumped during the scroll
    moves above the cursor and is not shown again in that scroll. Prices
    are sorted as amounts, whatever their currency. By relevance, the key is
    (search rank, bump time, primary key) and the cursor is tied to the
    search query, because the rank depends on it.

    Raises:
        InvalidCursorError: for a cursor that this function did not issue
            or that was issued for another ordering or search query.
        ValueError: for a page size outside 1 to MAX_PAGE_SIZE, or the
            relevance ordering without a search query, or the distance
            ordering without `filters.near`.
    """
    if not 1 <= page_size <= MAX_PAGE_SIZE:
        raise ValueError(
            f"page_size={page_size} is out of range; use 1 to {MAX_PAGE_SIZE}."
        )
    if ordering is ListingOrdering.RELEVANCE:
        return _browse_by_relevance(
            viewer=viewer, filters=filters, cursor=cursor, page_size=page_size
        )
    if ordering is ListingOrdering.DISTANCE and filters.near is None:
        raise ValueError(
            "The distance ordering needs a neighbourhood; give near or pick "
            "another ordering."
        )
    near_pk = filters.near.pk if filters.near is not None else None
    sort_field, pk_field, descending = _ORDER_BY[ordering]
    prefix = "-" if descending else ""
    queryset = filter_listings(viewer=viewer, filters=filters).order_by(
        f"{prefix}{sort_field}", f"{prefix}{pk_field}"
    )
    if cursor:
        value, pk = _decode_cursor(cursor, ordering, near_pk)
        after = "lt" if descending else "gt"
        queryset = queryset.filter(
            Q(**{f"{sort_field}__{after}": value})
            | Q(**{sort_field: value, f"{pk_field}__{after}": pk})
        )

    rows = list(queryset[: page_size + 1])
    listings = rows[:page_size]
    next_cursor = None
    if len(rows) > page_size:
        next_cursor = _encode_cursor(listings[-1], ordering, near_pk)
    return ListingPage(listings=listings, next_cursor=next_cursor)


def _browse_by_relevance(
    *,
    viewer: User | AnonymousUser,
    filters: ListingFilters,
    cursor: str | None,
    page_size: int,
) -> ListingPage:
    query = filters.search
    if query is None:
        raise ValueError(
            "The relevance ordering needs a search query; give q or pick "
            "another ordering."
        )
    queryset = filter_listings(viewer=viewer, filters=filters).order_by(
        F(search.RANK_ANNOTATION).desc(), "-bumped_at", "-id"
    )
    if cursor:
        rank, bumped_at, pk = _decode_relevance_cursor(cursor, query)
        same_rank = Q(**{search.RANK_ANNOTATION: rank})
        queryset = queryset.filter(
            Q(**{f"{search.RANK_ANNOTATION}__lt": rank})
            | (same_rank & Q(bumped_at__lt=bumped_at))
            | (same_rank & Q(bumped_at=bumped_at, id__lt=pk))
        )

    rows = list(queryset[: page_size + 1])
    listings = rows[:page_size]
    next_cursor = None
    if len(rows) > page_size:
        last = listings[-1]
        next_cursor = signing.dumps(
            {
                "ordering": str(ListingOrdering.RELEVANCE),
                "q": query,
                "rank": str(getattr(last, search.RANK_ANNOTATION)),
                "bumped_at": last.bumped_at.isoformat(),
                "pk": last.pk,
            },
            salt=_CURSOR_SALT,
        )
    return ListingPage(listings=listings, next_cursor=next_cursor)


def search_products(
    *, query: str, limit: int = CATALOG_SEARCH_LIMIT
) -> list[ProductSuggestion]:
    """Return the catalog products whose title best matches `query`.

    Products match as `listings.search` describes: on PostgreSQL by
    full-text or trigram word similarity, so partial words and Korean words
    match, case-insensitively and in any order. The best match comes first,
    then the most rated product.

    Raises:
        ValueError: when `query` is blank, longer than
            search.SEARCH_QUERY_MAX_LENGTH characters, or has more than
            CATALOG_SEARCH_MAX_WORDS words.
    """
    normalized = search.normalize_query(query)
    words = normalized.split()
    if len(words) > CATALOG_SEARCH_MAX_WORDS:
        raise ValueError(
            f"The search query has {len(words)} words; use at most "
            f"{CATALOG_SEARCH_MAX_WORDS}."
        )

    queryset = search.search(
        Product.objects.filter(has_metadata=True).select_related("category"),
        normalized,
        search.PRODUCT_FIELDS,
    )
    products = queryset.order_by(
        F(search.RANK_ANNOTATION).desc(),
        F("rating_count").desc(nulls_last=True),
        "pk",
    )
    return [
        ProductSuggestion(
            product=product,
            suggested_price=suggest_used_price(product),
            suggested_currency=CATALOG_CURRENCY,
        )
        for product in products[:limit]
    ]


def suggest_used_price(product: Product) -> Decimal | None:
    """Return the suggested price of a used unit, in CATALOG_CURRENCY."""
    if product.price is None or product.price <= 0:
        return None
    return (product.price * SUGGESTED_PRICE_SHARE).quantize(
        Decimal("0.01"), rounding=ROUND_HALF_UP
    )


def _listings_with_relations() -> QuerySet[Listing]:
    return Listing.objects.select_related(
        "seller", "reserved_for", "product", "category", "neighbourhood"
    ).prefetch_related("photos")


def _visibility(viewer: User | AnonymousUser, statuses: Sequence[str] | None) -> Q:
    """Return the filter for listings in `statuses` that `viewer` may see.

    None means every status.
    """
    requested = set(Listing.Status.values if statuses is None else statuses)
    visible = Q(status__in=sorted(requested & _PUBLIC_STATUSES))
    if Listing.Status.HIDDEN in requested and isinstance(viewer, User):
        visible |= Q(status=Listing.Status.HIDDEN, seller=viewer)
    return visible


def _encode_cursor(
    listing: Listing, ordering: ListingOrdering, near_pk: int | None
) -> str:
    sort_field = _ORDER_BY[ordering][0]
    value = getattr(listing, sort_field)
    text = value.isoformat() if isinstance(value, dt.datetime) else str(value)
    payload = {"ordering": str(ordering), "value": text, "pk": listing.pk}
    if ordering is ListingOrdering.DISTANCE:
        # Distances are from this neighbourhood, so the cursor is tied to it.
        payload["near"] = near_pk
    return signing.dumps(payload, salt=_CURSOR_SALT)


def _decode_cursor(
    cursor: str, ordering: ListingOrdering, near_pk: int | None
) -> tuple[dt.datetime | Decimal, int]:
    try:
        payload = signing.loads(cursor, salt=_CURSOR_SALT)
    except signing.BadSignature as error:
        raise InvalidCursorError(
            "The cursor is invalid; request the first page without a cursor."
        ) from error
    if payload.get("ordering") != ordering:
        raise InvalidCursorError(
            f"The cursor belongs to ordering {payload.get('ordering')!r}, not "
            f"{str(ordering)!r}; request the first page without a cursor."
        )
    if ordering is ListingOrdering.DISTANCE and payload.get("near") != near_pk:
        raise InvalidCursorError(
            f"The cursor belongs to distances from neighbourhood "
            f"{payload.get('near')!r}, not {near_pk!r}; request the first page "
            "without a cursor."
        )
    try:
        value: dt.datetime | Decimal
        if ordering is ListingOrdering.NEWEST:
            value = dt.datetime.fromisoformat(payload["value"])
        else:
            value = Decimal(payload["value"])
        return value, int(payload["pk"])
    except (KeyError, TypeError, ValueError, InvalidOperation) as error:
        raise InvalidCursorError(
            "The cursor is invalid; request the first page without a cursor."
        ) from error


def _decode_relevance_cursor(
    cursor: str, query: str
) -> tuple[Decimal, dt.datetime, int]:
    try:
        payload = signing.loads(cursor, salt=_CURSOR_SALT)
    except signing.BadSignature as error:
        raise InvalidCursorError(
            "The cursor is invalid; request the first page without a cursor."
        ) from error
    if payload.get("ordering") != ListingOrdering.RELEVANCE:
        raise InvalidCursorError(
            f"The cursor belongs to ordering {payload.get('ordering')!r}, not "
            f"'relevance'; request the first page without a cursor."
        )
    if payload.get("q") != query:
        raise InvalidCursorError(
            f"The cursor belongs to the search {payload.get('q')!r}, not "
            f"{query!r}; request the first page without a cursor."
        )
    try:
        return (
            Decimal(payload["rank"]),
            dt.datetime.fromisoformat(payload["bumped_at"]),
            int(payload["pk"]),
        )
    except (KeyError, TypeError, ValueError, InvalidOperation) as error:
        raise InvalidCursorError(
            "The cursor is invalid; request the first page without a cursor."
        ) from error


def similar_listings(
    *,
    listing: Listing,
    viewer: User | AnonymousUser,
    limit: int = SIMILAR_LIMIT,
    nearest: Sequence[int] = (),
) -> list[Listing]:
    """Return active listings like `listing`, best first.

    Listings of the same catalog product come first (newest first), then
    the `nearest` listings in their order (the recommender's neighbours in
    its item space), then listings of the same category, newest first. The
    listing's own seller and users on either side of a block with `viewer`
    are left out.
    """
    candidates = (
        _listings_with_relations()
        .filter(status=Listing.Status.ACTIVE)
        .exclude(pk=listing.pk)
        .exclude(seller_id__in={listing.seller_id, *blocked_user_ids(viewer)})
    )
    found: list[Listing] = []
    if listing.product_id is not None:
        found = list(candidates.filter(product_id=listing.product_id)[:limit])
    if len(found) < limit and nearest:
        found_pks = {similar.pk for similar in found}
        nearest_pks = [pk for pk in dict.fromkeys(nearest) if pk not in found_pks]
        by_pk = candidates.in_bulk(nearest_pks)
        found += [by_pk[pk] for pk in nearest_pks if pk in by_pk][: limit - len(found)]
    if len(found) < limit and listing.category_id is not None:
        found += list(
            candidates.filter(category_id=listing.category_id).exclude(
                pk__in=[similar.pk for similar in found]
            )[: limit - len(found)]
        )
    return found


def other_listings_of_seller(
    *, listing: Listing, limit: int = SIMILAR_LIMIT
) -> list[Listing]:
    """Return the seller's other active listings, newest first."""
    return list(
        _listings_with_relations()
        .filter(seller_id=listing.seller_id, status=Listing.Status.ACTIVE)
        .exclude(pk=listing.pk)[:limit]
    )
