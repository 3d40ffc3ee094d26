"""Listings near a listing in the Two-Tower item space.

The similar listings of a listing page come from here first. The served
index contains one item-tower vector per active listing, built from
content features, so a brand-new listing has one too. Its nearest
neighbours by inner product are listings that buyers of one tend to want
as well, across products and categories. Without a served model or a
vector for the listing, the result is empty, and the caller falls back to
the catalog product and the category.
"""

import logging

from recommender.feed import retrieve_candidates
from recommender.serving import get_serving_index, get_serving_versions

logger = logging.getLogger(__name__)


def nearest_listing_pks(listing_pk: int, depth: int) -> list[int]:
    """Return up to `depth` listing pks nearest to `listing_pk`, best first.

    The listing itself is left out. The result may hold listings that the
    viewer must not see; the caller filters them.
    """
    version = get_serving_versions().two_tower
    if version is None:
        return []
    try:
        index = get_serving_index(version)
    except OSError as error:
        logger.warning(
            "Failed to read the index of model version %s for the similar "
            "listings of listing %s, so they come from the catalog: %s",
            version.pk,
            listing_pk,
            error,
        )
        return []
    if index is None:
        return []
    vector = index.vectors_of([listing_pk]).get(listing_pk)
    if vector is None:
        return []
    ranked = retrieve_candidates(index, vector, depth + 1)
    return [pk for pk in ranked if pk != listing_pk][:depth]
