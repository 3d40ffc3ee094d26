"""A GraphSAGE encoder over the user-item graph, and its scoring API.

Each item enters the graph with an input vector: a learned id embedding
plus mean-pooled embeddings of the content features that the Two-Tower
model uses (title terms, category path levels, store, price bucket). Item
category and store are thus features, not extra node types. Users
have no id embedding: every user starts from one shared learned vector and
is defined by the items they interacted with. A user who was not in the
training graph is therefore embedded from their history alone, with no
retraining.
"""

from __future__ import annotations

import numpy as np
import torch
from torch import nn
from torch_geometric.nn import SAGEConv

from recommender.ml.features import (
    PRICE_BUCKET_COUNT,
    EncodedItems,
    FeatureVocabulary,
)
from recommender.ml.gnn.config import GnnConfig


class GnnModel(nn.Module):
    """GraphSAGE link predictor whose score is a user-item dot product.

    Layer l turns the item states of layer l into user states (mean over a
    user's items plus the user's own state) and the user states into item
    states the same way, with a separate `SAGEConv` per direction.
    """

    title: torch.Tensor
    category: torch.Tensor
    store: torch.Tensor
    price: torch.Tensor
    graph_edges: torch.Tensor

    def __init__(
        self,
        config: GnnConfig,
        item_ids: list[str],
        vocabulary: FeatureVocabulary,
        items: EncodedItems,
        graph_edges: torch.Tensor,
    ) -> None:
        super().__init__()
        self.config = config
        self.item_ids = list(item_ids)
        self.vocabulary = vocabulary
        dim = config.embedding_dim
        self.item_embedding = nn.Embedding(len(item_ids), dim)
        self.title_embedding = nn.Embedding(vocabulary.title_size, dim, padding_idx=0)
        self.category_embedding = nn.Embedding(
            vocabulary.category_size, dim, padding_idx=0
        )
        self.store_embedding = nn.Embedding(vocabulary.store_size, dim, padding_idx=0)
        self.price_embedding = nn.Embedding(PRICE_BUCKET_COUNT, dim, padding_idx=0)
        self.user_start = nn.Parameter(torch.zeros(dim))
        self.item_to_user = nn.ModuleList(
            SAGEConv((dim, dim), dim) for _ in range(config.layers)
        )
        self.user_to_item = nn.ModuleList(
            SAGEConv((dim, dim), dim) for _ in range(config.layers)
        )
        self.register_buffer("title", torch.from_numpy(items.title))
        self.register_buffer("category", torch.from_numpy(items.category))
        self.register_buffer("store", torch.from_numpy(items.store))
        self.register_buffer("price", torch.from_numpy(items.price))
        # The full training graph: item vectors at inference come from it.
        self.register_buffer("graph_edges", graph_edges)
        self._item_states: list[torch.Tensor] | None = None

    @property
    def item_count(self) -> int:
        return len(self.item_ids)

    def item_inputs(self) -> torch.Tensor:
        """Return the layer-0 item vectors [items, dim]."""
        return (
            self.item_embedding.weight
            + _mean_of_present(self.title_embedding(self.title), self.title)
            + _mean_of_present(self.category_embedding(self.category), self.category)
            + self.store_embedding(self.store)
            + self.price_embedding(self.price)
        )

    def encode(
        self, edges: torch.Tensor, user_count: int
    ) -> tuple[torch.Tensor, list[torch.Tensor]]:
        """Run every layer over `edges` [2, e] (row 0 users, row 1 items).

        Returns the final user vectors [user_count, dim] and the item
        states of every layer, inputs first, final vectors last.
        """
        items = self.item_inputs()
        users = self.user_start.expand(user_count, -1)
        item_to_user = edges.flip(0)
        item_states = [items]
        for layer in range(self.config.layers):
            next_users = self.item_to_user[layer]((items, users), item_to_user)
            next_items = self.user_to_item[layer]((users, items), edges)
            if layer < self.config.layers - 1:
                next_users = next_users.relu()
                next_items = next_items.relu()
            users, items = next_users, next_items
            item_states.append(items)
        return users, item_states

    def embed_histories(
        self, histories: list[list[int]], item_states: list[torch.Tensor]
    ) -> torch.Tensor:
        """Embed users [len(histories), dim] from their item indices.

        Each user is a node whose edges are their history items, attached
        to a graph whose item states are `item_states` (from `encode`).
        The new users do not change those item states.
        """
        self._check_items(histories)
        lengths = torch.tensor(
            [len(set(items)) for items in histories], dtype=torch.int64
        )
        targets = torch.repeat_interleave(torch.arange(len(histories)), lengths)
        sources = torch.tensor(
            [item for items in histories for item in sorted(set(items))],
            dtype=torch.int64,
        )
        item_to_user = torch.stack([sources, targets])
        users = self.user_start.expand(len(histories), -1)
        for layer in range(self.config.layers):
            users = self.item_to_user[layer]((item_states[layer], users), item_to_user)
            if layer < self.config.layers - 1:
                users = users.relu()
        return users

    @torch.no_grad()
    def item_vectors(self) -> torch.Tensor:
        """Return the final item vectors [items, dim] of the training graph."""
        return self._cached_item_states()[-1]

    @torch.no_grad()
    def user_vectors(self, histories: list[list[int]]) -> torch.Tensor:
        """Return user vectors [len(histories), dim] from item histories."""
        return self.embed_histories(histories, self._cached_item_states())

    @torch.no_grad()
    def score(
        self, user_histories: list[list[int]], candidate_items: np.ndarray
    ) -> np.ndarray:
        """Score candidate items for each user, higher is better.

        Args:
            user_histories: per user, item indices into `item_ids` that the
                user interacted with (any order, repeats ignored). A user
                with an empty history gets the vector of a user with no
                items, which ranks items by a learned global preference.
            candidate_items: int item indices, either [candidates], shared
                by all users, or [users, candidates], one row per user.

        Returns:
            float32 [users, candidates].
        """
        candidates = np.asarray(candidate_items)
        if not np.issubdtype(candidates.dtype, np.integer):
            raise ValueError(
                f"candidate_items must hold integer item indices, got dtype "
                f"{candidates.dtype}."
            )
        if candidates.ndim == 2 and len(candidates) != len(user_histories):
            raise ValueError(
                f"candidate_items has {len(candidates)} rows for "
                f"{len(user_histories)} users; pass one row per user or a 1-D "
                "array shared by all users."
            )
        if candidates.ndim not in (1, 2):
            raise ValueError(
                f"candidate_items must be 1-D or 2-D, got {candidates.ndim} dimensions."
            )
        self._check_items([candidates.ravel().tolist()])

        users = self.user_vectors(user_histories)
        items = self.item_vectors()[torch.from_numpy(candidates.astype(np.int64))]
        if candidates.ndim == 1:
            scores = users @ items.T
        else:
            scores = torch.einsum("ud,ucd->uc", users, items)
        return scores.numpy().astype(np.float32)

    def clear_cache(self) -> None:
        """Forget cached item states, so the next inference recomputes them."""
        self._item_states = None

    def _cached_item_states(self) -> list[torch.Tensor]:
        if self._item_states is None:
            user_count = int(self.graph_edges[0].max()) + 1
            _, states = self.encode(self.graph_edges, user_count)
            self._item_states = [state.detach() for state in states]
        return self._item_states

    def _check_items(self, rows: list[list[int]]) -> None:
        for row in rows:
            for item in row:
                if not 0 <= int(item) < self.item_count:
                    raise ValueError(
                        f"Unknown item index {item}; the model knows item indices "
                        f"0 to {self.item_count - 1}. Map item ids with the "
                        "model's item_ids first."
                    )


def _mean_of_present(vectors: torch.Tensor, ids: torch.Tensor) -> torch.Tensor:
    """Average [items, width, dim] over the non-padding (id > 0) entries."""
    present = (ids > 0).unsqueeze(-1).to(vectors.dtype)
    return (vectors * present).sum(dim=1) / present.sum(dim=1).clamp(min=1.0)
