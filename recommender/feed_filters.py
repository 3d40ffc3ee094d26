"""The rules that keep a listing out of a user's feed.

Every feed strategy applies them to its candidates: only active listings,
never the user's own, none from an excluded seller, none the user marked
"not interested", and none of a product the user already bought.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet

from accounts.models import User
from listings.models import Listing
from moderation.selectors import blocked_user_ids
from recommender.models import Interaction, NotInterested

# Interactions that mean the user owns the product: a purchase on the site,
# or an imported review (reviews in the data set are of bought items).
OWNED_KINDS = (Interaction.Kind.PURCHASE, Interaction.Kind.REVIEW)


@dataclass(frozen=True)
class CandidateRow:
    """The fields of a listing that ranking and diversity need."""

    pk: int
    product_pk: int | None
    parent_asin: str | None
    category_pk: int | None
    seller_pk: int
    bumped_at_epoch: float


def excluded_seller_ids(user: User) -> set[int]:
    """Return the pks of sellers whose listings `user` must not see.

    A block works both ways: the sellers `user` blocked and the sellers who
    blocked `user`.
    """
    return blocked_user_ids(user)


def owned_products(user: User) -> QuerySet[Interaction, Any]:
    """Return a subquery of the products `user` (or their reviewer) owns."""
    actor = Q(user=user)
    reviewer = getattr(user, "reviewer", None)
    if reviewer is not None:
        actor |= Q(reviewer=reviewer)
    return Interaction.objects.filter(
        actor, kind__in=OWNED_KINDS, product__isnull=False
    ).values("product_id")


def bought_listings(user: User) -> QuerySet[Interaction, Any]:
    """Return a subquery of the listings `user` has a purchase of."""
    return Interaction.objects.filter(
        user=user, kind=Interaction.Kind.PURCHASE, listing__isnull=False
    ).values("listing_id")


def allowed_candidates(
    candidate_pks: Iterable[int], user: User | None
) -> dict[int, CandidateRow]:
    """Return the candidates that may appear in `user`'s feed, by pk.

    Anonymous visitors (`user` None) only lose inactive listings.
    """
    queryset = Listing.objects.filter(
        pk__in=list(candidate_pks), status=Listing.Status.ACTIVE
    )
    if user is not None:
        queryset = (
            queryset.exclude(seller=user)
            .exclude(seller_id__in=excluded_seller_ids(user))
            .exclude(
                pk__in=NotInterested.objects.filter(user=user).values("listing_id")
            )
            .exclude(pk__in=bought_listings(user))
            .exclude(product_id__in=owned_products(user))
        )
    # No ORDER BY: the caller orders the rows by score. Tuples, not dicts,
    # since this reads hundreds of rows per feed request.
    rows = queryset.order_by().values_list(
        "pk",
        "product_id",
        "product__parent_asin",
        "category_id",
        "product__category_id",
        "seller_id",
        "bumped_at",
    )
    return {
        pk: CandidateRow(
            pk=pk,
            product_pk=product_pk,
            parent_asin=parent_asin,
            # A listing's own category, else its catalog product's.
            category_pk=category_pk or product_category_pk,
            seller_pk=seller_pk,
            bumped_at_epoch=bumped_at.timestamp(),
        )
        for (
            pk,
            product_pk,
            parent_asin,
            category_pk,
            product_category_pk,
            seller_pk,
            bumped_at,
        ) in rows
    }
