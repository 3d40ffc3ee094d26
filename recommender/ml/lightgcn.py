"""PyG's LightGCN, trained with its BPR recommendation loss (a peer).

Users and items are the nodes of one graph: user u is node u and item i
is node users + i, joined by an undirected edge for every distinct
(user, item) pair of the training log. `torch_geometric.nn.models.LightGCN`
propagates the node embeddings over that graph without weights or
non-linearities and averages the layers. A pair's score is the dot product
of the two nodes' outputs. Each step pairs a batch of the training edges
with one uniformly drawn item per edge that the user never rated, and
minimizes `LightGCN.recommendation_loss`: -log sigmoid(positive -
negative) plus an L2 penalty on the embeddings of the batch's nodes.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
import torch
from torch_geometric.nn.models import LightGCN

from recommender.ml.data import InteractionLog
from recommender.ml.gnn.graph import build_edges
from recommender.ml.pairwise_training import PairwiseTrainResult, fit_pairwise
from recommender.ml.ranking import ScoreFunction
from recommender.ml.training_support import torch_threads


@dataclass(frozen=True)
class LightGcnConfig:
    """Settings of one LightGCN training run.

    Args:
        embedding_dim: size of the node embeddings.
        layers: propagation layers; the output averages the embedding and
            every layer's result.
        learning_rate: Adam step size.
        regularization: `lambda_reg` of PyG's recommendation loss, the L2
            weight on the embeddings of each batch's nodes.
        batch_size: positive edges per step; every step propagates over
            the whole training graph.
        epochs: maximum passes over the positive edges.
        patience: validations without a better score before training
            stops; only used when a validation log is given.
        seed: seed of the weights, the edge order and the negatives.
        threads: torch intra-op threads used while training.
        selection_metric: validation metric that picks the best epoch.
    """

    embedding_dim: int = 64
    layers: int = 2
    learning_rate: float = 0.005
    regularization: float = 1e-4
    batch_size: int = 4096
    epochs: int = 60
    patience: int = 3
    seed: int = 0
    threads: int = 1
    selection_metric: str = "ndcg@20"

    def __post_init__(self) -> None:
        for name in (
            "embedding_dim",
            "layers",
            "learning_rate",
            "batch_size",
            "threads",
        ):
            if getattr(self, name) <= 0:
                raise ValueError(
                    f"LightGcnConfig.{name} must be positive, got "
                    f"{getattr(self, name)!r}."
                )
        if self.epochs < 0:
            raise ValueError(
                f"LightGcnConfig.epochs must be 0 or more, got {self.epochs}."
            )
        if not self.regularization >= 0.0:
            raise ValueError(
                "LightGcnConfig.regularization must be 0 or more, got "
                f"{self.regularization!r}."
            )
        if self.patience < 1:
            raise ValueError(
                f"LightGcnConfig.patience must be positive, got {self.patience}."
            )


@dataclass
class LightGcnModel:
    """A trained LightGCN with the graph it propagates over.

    Args:
        network: the PyG module; nodes 0 to `user_count` - 1 are users,
            the rest items.
        graph: int64 [2, 2 * pairs] edges in both directions.
    """

    network: LightGCN
    graph: torch.Tensor
    user_count: int
    item_count: int

    @torch.no_grad()
    def embeddings(self) -> tuple[torch.Tensor, torch.Tensor]:
        """Return the propagated user and item embeddings.

        Shapes: [users, dim] and [items, dim].
        """
        self.network.eval()
        nodes = self.network.get_embedding(self.graph)
        return nodes[: self.user_count], nodes[self.user_count :]


LightGcnTrainResult = PairwiseTrainResult[LightGcnModel]


def build_graph(edges: torch.Tensor, user_count: int) -> torch.Tensor:
    """Turn (user, item) edges [2, n] into node edges in both directions."""
    users, items = edges[0], edges[1] + user_count
    return torch.cat([torch.stack([users, items]), torch.stack([items, users])], 1)


def train_lightgcn(
    train: InteractionLog, config: LightGcnConfig, valid: InteractionLog | None = None
) -> LightGcnTrainResult:
    """Train on `train`, choosing the epoch by full ranking of `valid`.

    Only `train` pairs enter the graph. Validation users are scored from
    their `train` embeddings, and those with no `train` event get the
    all-time popularity of `train`, as in the evaluation.
    """
    started = time.perf_counter()
    edges = build_edges(train)
    user_count, item_count = len(train.user_ids), len(train.item_ids)
    with torch_threads(config.threads), torch.random.fork_rng():
        torch.manual_seed(config.seed)
        network = LightGCN(
            num_nodes=user_count + item_count,
            embedding_dim=config.embedding_dim,
            num_layers=config.layers,
        )
        model = LightGcnModel(
            network=network,
            graph=build_graph(edges, user_count),
            user_count=user_count,
            item_count=item_count,
        )

        def step_loss(
            users: torch.Tensor, positives: torch.Tensor, negatives: torch.Tensor
        ) -> torch.Tensor:
            return _step_loss(model, users, positives, negatives, config)

        result = fit_pairwise(
            model,
            model.network,
            step_loss,
            edges,
            train,
            valid,
            lambda users: lightgcn_score_function(model, users),
            config,
            "LightGCN",
        )
    result.seconds = time.perf_counter() - started
    return result


def lightgcn_score_function(
    model: LightGcnModel, user_indices: np.ndarray
) -> ScoreFunction:
    """Score the users at `user_indices` (log user indices), by position."""
    user_vectors, item_vectors = model.embeddings()
    users = torch.from_numpy(np.asarray(user_indices, dtype=np.int64))

    def score(positions: np.ndarray) -> torch.Tensor:
        return user_vectors[users[torch.from_numpy(positions)]] @ item_vectors.T

    return score


def _step_loss(
    model: LightGcnModel,
    users: torch.Tensor,
    positives: torch.Tensor,
    negatives: torch.Tensor,
    config: LightGcnConfig,
) -> torch.Tensor:
    """Score positive and negative pairs in one propagation; PyG's BPR loss."""
    offset = model.user_count
    pairs = torch.stack(
        [torch.cat([users, users]), torch.cat([positives, negatives]) + offset]
    )
    ranks = model.network(model.graph, pairs)
    positive_ranks, negative_ranks = ranks.split(len(users))
    nodes = torch.cat([users, positives + offset, negatives + offset])
    return model.network.recommendation_loss(
        positive_ranks, negative_ranks, node_id=nodes, lambda_reg=config.regularization
    )
