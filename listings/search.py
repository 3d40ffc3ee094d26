"""Text search over listings and catalog products.

On PostgreSQL a row matches when its full-text vector matches every word of
the query (configuration `simple`, so no stemming), or when the query is
word-similar to one of the searched fields (pg_trgm `%>`, with the default
`pg_trgm.word_similarity_threshold` of 0.6). Trigrams let partial words
(`ipho`) and Korean words with particles or compounds (`맥북` in `맥북을`,
`맥북프로`) match. The rank adds the full-text rank and the weighted word
similarity of each field, so a title match ranks above a description match.

Other databases (SQLite in development) use a portable path: every word of
the query must occur in one of the fields, case-insensitively, and rows
whose first field contains every word rank first.

Both the query and the stored text are compared in Unicode NFC, so Hangul
typed as decomposed jamo (NFD) matches composed syllables.
"""

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Final, TypeVar

from django.contrib.postgres.search import (
    SearchQuery,
    SearchRank,
    SearchVector,
    TrigramWordSimilarity,
)
from django.db import connection
from django.db.models import (
    Case,
    DecimalField,
    Expression,
    F,
    Func,
    Model,
    Q,
    QuerySet,
    TextField,
    Value,
    When,
)
from django.db.models.functions import Cast

SEARCH_QUERY_MAX_LENGTH: Final = 200
# Annotation that contains the relevance of each row; higher is better.
RANK_ANNOTATION: Final = "search_rank"
# The rank is rounded to this many decimals so that a cursor can store it
# exactly and compare it with equality.
RANK_DECIMAL_PLACES: Final = 6
FULL_TEXT_CONFIG: Final = "simple"

_ModelT = TypeVar("_ModelT", bound=Model)
_RANK_FIELD: Final["DecimalField[Decimal, Decimal]"] = DecimalField(
    max_digits=12, decimal_places=RANK_DECIMAL_PLACES
)


class InvalidSearchQueryError(ValueError):
    """The search query is blank or longer than SEARCH_QUERY_MAX_LENGTH."""


@dataclass(frozen=True)
class SearchField:
    """A text field to search, with its full-text weight and trigram weight.

    `vector_weight` is a PostgreSQL `setweight` label, A (highest) to D.
    """

    name: str
    vector_weight: str
    similarity_weight: float


# The listing title counts more than its description, in both the
# full-text rank (weight A against B) and the trigram similarity.
LISTING_FIELDS: Final = (
    SearchField("title", "A", 1.0),
    SearchField("description", "B", 0.4),
)
PRODUCT_FIELDS: Final = (SearchField("title", "A", 1.0),)


def normalize_query(raw: str) -> str:
    """Return `raw` in NFC with runs of whitespace collapsed to one space.

    Raises:
        InvalidSearchQueryError: when the query is blank or longer than
            SEARCH_QUERY_MAX_LENGTH characters.
    """
    query = " ".join(unicodedata.normalize("NFC", raw).split())
    if not query:
        raise InvalidSearchQueryError(
            "The search query is empty; enter words of the title or description."
        )
    if len(query) > SEARCH_QUERY_MAX_LENGTH:
        raise InvalidSearchQueryError(
            f"The search query has {len(query)} characters; use at most "
            f"{SEARCH_QUERY_MAX_LENGTH}."
        )
    return query


def nfc_text(field_name: str) -> Func:
    """Return the expression `normalize(field, NFC)` of PostgreSQL 13+.

    The trigram and full-text indexes of migration 0003 are built on this
    exact expression, so queries must use it unchanged to use them.
    """
    return Func(
        F(field_name),
        template="normalize(%(expressions)s, NFC)",
        output_field=TextField(),
    )


def full_text_vector(fields: Sequence[SearchField]) -> Expression:
    """Return the weighted full-text vector of `fields` in NFC."""
    vectors = [
        SearchVector(
            nfc_text(field.name), weight=field.vector_weight, config=FULL_TEXT_CONFIG
        )
        for field in fields
    ]
    combined: Expression = vectors[0]
    for vector in vectors[1:]:
        combined = combined + vector
    return combined


def search(
    queryset: QuerySet[_ModelT], query: str, fields: Sequence[SearchField]
) -> QuerySet[_ModelT]:
    """Filter `queryset` to the rows matching `query` and annotate their rank.

    `query` must come from normalize_query. The rank is in the annotation
    RANK_ANNOTATION, a Decimal with RANK_DECIMAL_PLACES decimals. This is
    the one place that picks the PostgreSQL or the portable path.
    """
    if connection.vendor == "postgresql":
        return _search_postgresql(queryset, query, fields)
    return _search_portable(queryset, query, fields)


def _search_postgresql(
    queryset: QuerySet[_ModelT], query: str, fields: Sequence[SearchField]
) -> QuerySet[_ModelT]:
    # NOTE: the GIN indexes find the matching rows, but the rank is computed
    # for every match before a page is cut. With 100,000 synthetic listings
    # and about 8,000 matches per query, a first page took a median of about
    # 250 ms on 2 shared cores (bench/search_latency.py).
    vector = full_text_vector(fields)
    text_query = SearchQuery(query, config=FULL_TEXT_CONFIG, search_type="plain")
    annotations: dict[str, Expression | Func] = {"_search_vector": vector}
    matches = Q(_search_vector=text_query)
    rank: Expression = SearchRank(F("_search_vector"), text_query)
    for field in fields:
        alias = f"_search_nfc_{field.name}"
        annotations[alias] = nfc_text(field.name)
        matches |= Q(**{f"{alias}__trigram_word_similar": query})
        similarity = TrigramWordSimilarity(query, nfc_text(field.name))
        rank = rank + Value(field.similarity_weight) * similarity
    return (
        queryset.alias(**annotations)
        .filter(matches)
        .annotate(**{RANK_ANNOTATION: Cast(rank, _RANK_FIELD)})
    )


def _search_portable(
    queryset: QuerySet[_ModelT], query: str, fields: Sequence[SearchField]
) -> QuerySet[_ModelT]:
    # NOTE: SQLite compares only ASCII letters case-insensitively and does
    # not normalize stored text, so text saved in NFD is not found here.
    words = query.split()
    for word in words:
        in_any_field = Q()
        for field in fields:
            in_any_field |= Q(**{f"{field.name}__icontains": word})
        queryset = queryset.filter(in_any_field)
    first = fields[0].name
    in_first_field = Q()
    for word in words:
        in_first_field &= Q(**{f"{first}__icontains": word})
    rank = Case(
        When(in_first_field, then=Value(Decimal(1))),
        default=Value(Decimal(0)),
        output_field=_RANK_FIELD,
    )
    return queryset.annotate(**{RANK_ANNOTATION: rank})
