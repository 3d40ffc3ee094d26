"""The Two-Tower retrieval model: item tower, user tower, serving API.

Item vectors and user vectors are L2-normalized, so a user's score for an
item is their cosine similarity and serving is a maximum inner product
search. The item tower adds an id embedding to the content features of
items known at training time. Any other item (a new listing, a product
first rated after training) is encoded from its content alone through the
same tower, with the reserved id row 0.
"""

from __future__ import annotations

import numpy as np
import torch
from torch import nn
from torch.nn import functional

from recommender.ml.data import ItemFeatures
from recommender.ml.features import (
    PRICE_BUCKET_COUNT,
    EncodedItems,
    FeatureVocabulary,
)
from recommender.ml.two_tower.config import TwoTowerConfig

# Id row of the item tower used for items without a learned id embedding.
CONTENT_ONLY_ROW = 0
# Items encoded per forward pass at inference time.
INFERENCE_BATCH_SIZE = 8192


class ItemTower(nn.Module):
    """Embed items from an id row plus title, category, store and price."""

    def __init__(
        self, config: TwoTowerConfig, vocabulary: FeatureVocabulary, id_rows: int
    ) -> None:
        super().__init__()
        size = config.feature_dim
        self.id_embedding = nn.Embedding(id_rows, size)
        self.title_embedding = nn.EmbeddingBag(
            vocabulary.title_size, size, mode="mean", padding_idx=0
        )
        self.category_embedding = nn.EmbeddingBag(
            vocabulary.category_size, size, mode="mean", padding_idx=0
        )
        self.store_embedding = nn.Embedding(vocabulary.store_size, size)
        self.price_embedding = nn.Embedding(PRICE_BUCKET_COUNT, size)
        self.mlp = nn.Sequential(
            nn.Linear(5 * size, config.hidden_dim),
            nn.GELU(),
            nn.Linear(config.hidden_dim, config.embedding_dim),
        )
        self.item_prior = config.item_prior
        for embedding in (
            self.id_embedding,
            self.title_embedding,
            self.category_embedding,
            self.store_embedding,
            self.price_embedding,
        ):
            nn.init.normal_(embedding.weight, std=0.1)
        with torch.no_grad():
            # The content-only row carries no id information.
            self.id_embedding.weight[CONTENT_ONLY_ROW].zero_()

    def forward(
        self,
        id_rows: torch.Tensor,
        title: torch.Tensor,
        category: torch.Tensor,
        store: torch.Tensor,
        price: torch.Tensor,
    ) -> torch.Tensor:
        parts = [
            self.id_embedding(id_rows),
            self.title_embedding(title),
            self.category_embedding(category),
            self.store_embedding(store),
            self.price_embedding(price),
        ]
        output = self.mlp(torch.cat(parts, dim=1))
        if not self.item_prior:
            return functional.normalize(output, dim=1)
        # The last coordinate is the item's prior p in (-1, 1). The others
        # are a unit direction scaled by sqrt(1 - p^2), so the row stays a
        # unit vector. The user tower's last coordinate is the same for
        # every user, so p raises or lowers the item for everyone.
        prior = torch.tanh(output[:, -1:])
        direction = functional.normalize(output[:, :-1], dim=1)
        scale = torch.sqrt((1.0 - prior.square()).clamp(min=1e-6))
        return torch.cat([direction * scale, prior], dim=1)


class UserTower(nn.Module):
    """Pool a user's recent item vectors with learned recency weights.

    Position 0 of a history is the most recent item. Each position has a
    learned logit, so the model learns how fast old items fade. A residual
    MLP then maps the pooled vector into the user space.
    """

    def __init__(self, config: TwoTowerConfig) -> None:
        super().__init__()
        self.position_logits = nn.Parameter(
            -0.1 * torch.arange(config.history_length, dtype=torch.float32)
        )
        self.mlp = nn.Sequential(
            nn.Linear(config.embedding_dim, config.hidden_dim),
            nn.GELU(),
            nn.Linear(config.hidden_dim, config.embedding_dim),
        )
        self.item_prior = config.item_prior
        # Every user vector has sin(prior_angle) as its last coordinate,
        # which is the weight of the item prior in each score.
        self.prior_angle = nn.Parameter(torch.tensor(0.3))

    def forward(self, history: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        """Return user vectors [users, d]; zero rows for empty histories.

        Args:
            history: float [users, positions, d] item vectors, most recent
                first.
            mask: bool [users, positions], true where a history item exists.
        """
        positions = history.shape[1]
        logits = self.position_logits[:positions].expand_as(mask)
        logits = logits.masked_fill(~mask, -torch.inf)
        has_history = mask.any(dim=1, keepdim=True)
        weights = torch.softmax(logits.masked_fill(~has_history, 0.0), dim=1)
        weights = weights * mask
        pooled = torch.einsum("up,upd->ud", weights, history)
        output = pooled + self.mlp(pooled)
        if not self.item_prior:
            return functional.normalize(output, dim=1) * has_history
        direction = functional.normalize(output[:, :-1], dim=1)
        prior_axis = torch.sin(self.prior_angle).expand(len(output), 1)
        user = torch.cat([direction * torch.cos(self.prior_angle), prior_axis], dim=1)
        return user * has_history


class TwoTowerModel(nn.Module):
    """Item and user towers, with the id vocabulary and features they need.

    `item_ids` lists the items that have a learned id embedding (those
    in the training log), and the content features of those items are
    stored as buffers, so the user tower can encode a history from item
    indices alone.
    """

    known_title: torch.Tensor
    known_category: torch.Tensor
    known_store: torch.Tensor
    known_price: torch.Tensor

    def __init__(
        self,
        config: TwoTowerConfig,
        item_ids: list[str],
        vocabulary: FeatureVocabulary,
        known_items: EncodedItems,
    ) -> None:
        super().__init__()
        if len(known_items) != len(item_ids):
            raise ValueError(
                f"{len(known_items)} encoded feature rows for {len(item_ids)} "
                "item ids; pass the features of exactly the known items."
            )
        self.config = config
        self.item_ids = list(item_ids)
        self.vocabulary = vocabulary
        self._positions = {item_id: index for index, item_id in enumerate(item_ids)}
        self.item_tower = ItemTower(config, vocabulary, id_rows=len(item_ids) + 1)
        self.user_tower = UserTower(config)
        self.register_buffer("known_title", torch.from_numpy(known_items.title))
        self.register_buffer("known_category", torch.from_numpy(known_items.category))
        self.register_buffer("known_store", torch.from_numpy(known_items.store))
        self.register_buffer("known_price", torch.from_numpy(known_items.price))

    def index_of(self, item_ids: list[str]) -> np.ndarray:
        """Return int64 indices into `item_ids`, -1 for unknown ids."""
        return np.asarray(
            [self._positions.get(item_id, -1) for item_id in item_ids], dtype=np.int64
        )

    def known_item_vectors(self, item_index: torch.Tensor) -> torch.Tensor:
        """Encode known items from their stored features (with gradients)."""
        return self.item_tower(
            item_index + 1,
            self.known_title[item_index],
            self.known_category[item_index],
            self.known_store[item_index],
            self.known_price[item_index],
        )

    def pool_histories(
        self, item_vectors: torch.Tensor, history: torch.Tensor
    ) -> torch.Tensor:
        """Run the user tower on histories of rows into `item_vectors`.

        Args:
            item_vectors: float [rows, d].
            history: int64 [users, positions] rows into `item_vectors`, most
                recent first, -1 where there is no item.
        """
        mask = history >= 0
        vectors = item_vectors[history.clamp(min=0)] * mask.unsqueeze(-1)
        return self.user_tower(vectors, mask)

    @torch.no_grad()
    def encode_items(
        self, item_index: np.ndarray, features: ItemFeatures
    ) -> np.ndarray:
        """Embed items from their features and, where known, their id.

        Args:
            item_index: int64 [n] indices into `item_ids`; -1 encodes that
                row from content only.
            features: content features, row i for item_index[i].

        Returns:
            float32 [n, embedding_dim], L2-normalized rows.
        """
        if len(item_index) != len(features):
            raise ValueError(
                f"encode_items got {len(item_index)} indices and "
                f"{len(features)} feature rows; they must be aligned."
            )
        index = np.asarray(item_index, dtype=np.int64)
        if index.size and (index.min() < -1 or index.max() >= len(self.item_ids)):
            raise ValueError(
                f"item_index values must be in [-1, {len(self.item_ids) - 1}]; "
                "map ids with index_of first."
            )
        was_training = self.training
        self.eval()
        encoded = self.vocabulary.encode(features)
        outputs = []
        for start in range(0, len(index), INFERENCE_BATCH_SIZE):
            rows = slice(start, start + INFERENCE_BATCH_SIZE)
            outputs.append(
                self.item_tower(
                    torch.from_numpy(index[rows] + 1),
                    torch.from_numpy(encoded.title[rows]),
                    torch.from_numpy(encoded.category[rows]),
                    torch.from_numpy(encoded.store[rows]),
                    torch.from_numpy(encoded.price[rows]),
                )
            )
        self.train(was_training)
        if not outputs:
            return np.zeros((0, self.config.embedding_dim), dtype=np.float32)
        return torch.cat(outputs).numpy().astype(np.float32)

    @torch.no_grad()
    def encode_users(self, histories: list[list[int]]) -> np.ndarray:
        """Embed users from their histories of known item indices.

        Each history lists indices into `item_ids`, oldest first; only the
        last `history_length` count. An empty history gives a zero row,
        for which the caller falls back to another ranking.

        Returns:
            float32 [len(histories), embedding_dim]; non-zero rows are
            L2-normalized.
        """
        width = self.config.history_length
        matrix = np.full((len(histories), width), -1, dtype=np.int64)
        for row, history in enumerate(histories):
            recent = list(history[-width:])[::-1]
            matrix[row, : len(recent)] = recent
        if matrix.size and (matrix.max() >= len(self.item_ids) or matrix.min() < -1):
            raise ValueError(
                f"History item indices must be in [0, {len(self.item_ids) - 1}]; "
                "drop unknown items (index -1) before calling encode_users."
            )
        was_training = self.training
        self.eval()
        used, inverse = np.unique(matrix[matrix >= 0], return_inverse=True)
        item_vectors = torch.cat(
            [
                self.known_item_vectors(torch.from_numpy(used[start : start + size]))
                for start, size in _chunks(len(used), INFERENCE_BATCH_SIZE)
            ]
            or [torch.zeros((0, self.config.embedding_dim))]
        )
        rows = np.full(matrix.shape, -1, dtype=np.int64)
        rows[matrix >= 0] = inverse
        users = self.pool_histories(item_vectors, torch.from_numpy(rows))
        self.train(was_training)
        return users.numpy().astype(np.float32)


def _chunks(total: int, size: int) -> list[tuple[int, int]]:
    return [(start, size) for start in range(0, total, size)]
