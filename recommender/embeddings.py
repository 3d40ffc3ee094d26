"""Item-tower embeddings and the faiss index of listings, built in workers."""

import logging
import uuid
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path

import numpy as np
from django.conf import settings
from django.utils import timezone

from listings.models import Listing, Product
from recommender.ml.ann_index import AnnConfig, build_ann_index, save_ann_index
from recommender.ml.data import ItemFeatures
from recommender.ml.two_tower import TwoTowerModel
from recommender.models import FreshListingVector, ListingEmbeddingSet, ModelVersion
from recommender.serving import load_model, serving_version

logger = logging.getLogger(__name__)

ENCODE_BATCH = 4096


def product_features(products: Iterable[Product]) -> ItemFeatures:
    """Return the content features of catalog products, in order."""
    features = ItemFeatures(titles=[], categories=[], stores=[], prices=np.empty(0))
    prices: list[float] = []
    for product in products:
        features.titles.append(product.title)
        features.categories.append(product.category.path if product.category else "")
        features.stores.append(product.store)
        prices.append(float(product.price) if product.price is not None else np.nan)
    features.prices = np.asarray(prices, dtype=np.float64)
    return features


def listing_features(
    listings: Iterable[Listing],
) -> tuple[list[str | None], ItemFeatures]:
    """Return each listing's catalog id and its content features.

    A listing of a catalog product is described by the product's metadata,
    which are the features the model was trained on. A listing without a
    product is described by its own title, category and price. Its price
    counts only in US dollars, the currency of the catalog prices that the
    model learned from.
    """
    parent_asins: list[str | None] = []
    features = ItemFeatures(titles=[], categories=[], stores=[], prices=np.empty(0))
    prices: list[float] = []
    for listing in listings:
        product = listing.product
        if product is not None:
            parent_asins.append(product.parent_asin)
            category = product.category or listing.category
            features.titles.append(product.title or listing.title)
            features.stores.append(product.store)
            price = product.price
        else:
            parent_asins.append(None)
            category = listing.category
            features.titles.append(listing.title)
            features.stores.append("")
            price = listing.price if listing.currency == "USD" else None
        features.categories.append(category.path if category is not None else "")
        prices.append(float(price) if price is not None else np.nan)
    features.prices = np.asarray(prices, dtype=np.float64)
    return parent_asins, features


def encode_listings(model: TwoTowerModel, listings: list[Listing]) -> np.ndarray:
    """Return the L2-normalized item embeddings of `listings`, in order."""
    parent_asins, features = listing_features(listings)
    known = [asin if asin is not None else "" for asin in parent_asins]
    item_index = model.index_of(known)
    return model.encode_items(item_index, features)


def build_listing_embeddings(*, model_version_pk: int) -> ListingEmbeddingSet:
    """Embed every active listing with one model version and index them.

    Writes the vectors and a faiss index under a new name, then registers
    the set, which web processes pick up as their new index. Fresh vectors
    that the new index covers are deleted afterwards; newer ones stay.
    """
    version = ModelVersion.objects.get(pk=model_version_pk)
    model = load_model(version)
    started_at = timezone.now()
    listing_pks, embeddings = _embed_active_listings(model)

    directory = Path(settings.RECOMMENDER_ARTIFACT_DIR) / "embeddings"
    directory.mkdir(parents=True, exist_ok=True)
    name = f"listings-{version.pk}-{uuid.uuid4().hex}"
    path = directory / f"{name}.npz"
    np.savez(path, listing_pks=listing_pks, embeddings=embeddings)
    if len(listing_pks) == 0:
        embeddings = np.empty((0, model.config.embedding_dim), dtype=np.float32)
    config = AnnConfig(
        exact_below=settings.RECOMMENDER_ANN_EXACT_BELOW,
        ef_search=settings.RECOMMENDER_ANN_EF_SEARCH,
    )
    ann = build_ann_index(embeddings, listing_pks, config)
    index_directory = directory / f"{name}.index"
    save_ann_index(ann, index_directory)

    embedding_set = ListingEmbeddingSet.objects.create(
        model_version=version,
        path=str(path),
        index_path=str(index_directory),
        index_kind=ann.kind,
        listing_count=len(listing_pks),
        started_at=started_at,
    )
    _hand_over_fresh_vectors(model, version, started_at)
    logger.info(
        "Indexed %d active listings (%s) with model version %s as set %s",
        len(listing_pks),
        ann.kind,
        version.pk,
        embedding_set.pk,
    )
    return embedding_set


def _embed_active_listings(model: TwoTowerModel) -> tuple[np.ndarray, np.ndarray]:
    queryset = (
        Listing.objects.filter(status=Listing.Status.ACTIVE)
        .select_related("product__category", "category")
        .order_by("pk")
    )
    pks: list[np.ndarray] = []
    vectors: list[np.ndarray] = []
    batch: list[Listing] = []
    for listing in queryset.iterator(chunk_size=ENCODE_BATCH):
        batch.append(listing)
        if len(batch) == ENCODE_BATCH:
            pks.append(np.asarray([item.pk for item in batch], dtype=np.int64))
            vectors.append(encode_listings(model, batch))
            batch = []
    if batch:
        pks.append(np.asarray([item.pk for item in batch], dtype=np.int64))
        vectors.append(encode_listings(model, batch))

    listing_pks = np.concatenate(pks) if pks else np.empty(0, dtype=np.int64)
    embeddings = (
        np.concatenate(vectors).astype(np.float32)
        if vectors
        else np.empty((0, 0), dtype=np.float32)
    )
    return listing_pks, embeddings


def _hand_over_fresh_vectors(
    model: TwoTowerModel, version: ModelVersion, started_at: datetime
) -> None:
    """Delete fresh vectors the new index covers; re-embed the others.

    A vector written before the build began describes a listing state that
    the build read. A newer one of another model version (a listing saved
    while the build ran) is re-embedded with this version, so it stays
    visible under the new index.
    """
    FreshListingVector.objects.filter(updated_at__lt=started_at).delete()
    stale = list(
        FreshListingVector.objects.exclude(model_version=version).values_list(
            "listing_id", flat=True
        )
    )
    for listing_pk in stale:
        embed_fresh_listing(listing_pk=listing_pk, version=version, model=model)


def embed_fresh_listing(
    *,
    listing_pk: int,
    version: ModelVersion | None = None,
    model: TwoTowerModel | None = None,
) -> bool:
    """Store the vector of a new or edited listing for the live index.

    Embeds with the model version that serves the feed (or `version`). A
    listing that is no longer active loses its fresh vector, since the feed
    filters it out anyway. Returns whether a vector was stored.
    """
    version = version or serving_version()
    if version is None:
        return False
    listing = (
        Listing.objects.select_related("product__category", "category")
        .filter(pk=listing_pk)
        .first()
    )
    if listing is None or listing.status != Listing.Status.ACTIVE:
        FreshListingVector.objects.filter(listing_id=listing_pk).delete()
        return False
    model = model or load_model(version)
    vector = encode_listings(model, [listing])[0].astype(np.float32)
    FreshListingVector.objects.update_or_create(
        listing=listing,
        defaults={"model_version": version, "vector": vector.tobytes()},
    )
    return True
