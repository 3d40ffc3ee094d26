"""Item-tower embeddings of listings, built in workers, read by the web."""

import logging
import uuid
from collections.abc import Iterable
from pathlib import Path

import numpy as np
from django.conf import settings

from listings.models import Listing, Product
from recommender.ml.data import ItemFeatures
from recommender.ml.two_tower import TwoTowerModel
from recommender.models import ListingEmbeddingSet, ModelVersion
from recommender.serving import load_model

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
    """Embed every active listing with one model version and record it."""
    version = ModelVersion.objects.get(pk=model_version_pk)
    model = load_model(version)
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
    directory = Path(settings.RECOMMENDER_ARTIFACT_DIR) / "embeddings"
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"listings-{version.pk}-{uuid.uuid4().hex}.npz"
    np.savez(path, listing_pks=listing_pks, embeddings=embeddings)
    embedding_set = ListingEmbeddingSet.objects.create(
        model_version=version, path=str(path), listing_count=len(listing_pks)
    )
    logger.info(
        "Embedded %d active listings with model version %s",
        len(listing_pks),
        version.pk,
    )
    return embedding_set
