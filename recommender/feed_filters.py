"""The rules that keep a listing out of a user's feed.

Every feed strategy applies them to its candidates: only active listings,
never the user's own, none from an excluded seller, none the user marked
"not interested", and none of a product the user already bought.
"""

from collections.abc import Iterable
from functools import cache
from typing import NamedTuple

from django.db import connection

from accounts.models import User
from listings.models import Listing, Product
from moderation.models import Block
from recommender.models import Interaction, NotInterested, Reviewer

# Interactions that mean the user owns the product: a purchase on the site,
# or an imported review (reviews in the data set are of bought items).
OWNED_KINDS = (Interaction.Kind.PURCHASE, Interaction.Kind.REVIEW)


class CandidateRow(NamedTuple):
    """The fields of a listing that ranking and diversity need."""

    pk: int
    product_pk: int | None
    parent_asin: str | None
    category_pk: int | None
    seller_pk: int
    bumped_at_epoch: float


@cache
def _filter_sql(signed_in: bool) -> str:
    """Return the SQL of `allowed_candidates`.

    Written by hand because this runs once or twice per feed request and
    the ORM took longer to build the query than PostgreSQL took to run it.
    The candidates go in as one array parameter.
    """
    quote = connection.ops.quote_name
    listing = quote(Listing._meta.db_table)
    product = quote(Product._meta.db_table)
    block = quote(Block._meta.db_table)
    not_interested = quote(NotInterested._meta.db_table)
    interaction = quote(Interaction._meta.db_table)
    reviewer = quote(Reviewer._meta.db_table)
    query = f"""
        SELECT l.id, l.product_id, p.parent_asin,
               COALESCE(l.category_id, p.category_id), l.seller_id,
               EXTRACT(EPOCH FROM l.bumped_at)::float8
        FROM {listing} l LEFT JOIN {product} p ON p.id = l.product_id
        WHERE l.id = ANY(%(candidates)s) AND l.status = %(active)s
    """
    if not signed_in:
        return query
    # A block works both ways. The reviewer linked to the user, if any,
    # lends the user its reviews, so those products count as owned.
    return (
        query
        + f"""
        AND l.seller_id <> %(user)s
        AND l.seller_id NOT IN (
            SELECT blocked_id FROM {block} WHERE blocker_id = %(user)s
            UNION ALL
            SELECT blocker_id FROM {block} WHERE blocked_id = %(user)s)
        AND l.id NOT IN (
            SELECT listing_id FROM {not_interested} WHERE user_id = %(user)s)
        AND l.id NOT IN (
            SELECT listing_id FROM {interaction}
            WHERE user_id = %(user)s AND kind = %(purchase)s
              AND listing_id IS NOT NULL)
        AND (l.product_id IS NULL OR l.product_id NOT IN (
            SELECT product_id FROM {interaction}
            WHERE user_id = %(user)s AND kind = ANY(%(owned)s)
              AND product_id IS NOT NULL
            UNION ALL
            SELECT i.product_id FROM {interaction} i
            JOIN {reviewer} r ON r.id = i.reviewer_id
            WHERE r.user_id = %(user)s AND i.kind = ANY(%(owned)s)
              AND i.product_id IS NOT NULL))
        """
    )


def allowed_candidates(
    candidate_pks: Iterable[int], user: User | None
) -> dict[int, CandidateRow]:
    """Return the candidates that may appear in `user`'s feed, by pk.

    Anonymous visitors (`user` None) only lose inactive listings. A
    listing's category is its own, else its catalog product's. One query.
    """
    candidates = [int(pk) for pk in candidate_pks]
    if not candidates:
        return {}
    params = {
        "candidates": candidates,
        "active": Listing.Status.ACTIVE.value,
        "user": user.pk if user is not None else None,
        "purchase": Interaction.Kind.PURCHASE.value,
        "owned": [kind.value for kind in OWNED_KINDS],
    }
    with connection.cursor() as cursor:
        cursor.execute(_filter_sql(user is not None), params)
        return {row[0]: CandidateRow._make(row) for row in cursor.fetchall()}
