"""The user-item bipartite graph and the leakage rules of its training.

Edges are distinct (user, item) pairs of a training log, stored as an int64
tensor [2, edges]: row 0 contains user indices and row 1 item indices.
Category, store, title and price are item input features, not extra node
types, so the graph has two node types and one relation (see `model.py`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from recommender.ml.data import InteractionLog

# Rounds of redrawing negatives that hit a positive before giving up.
MAX_NEGATIVE_ROUNDS = 100


@dataclass
class EdgeSplit:
    """One training step's edges: two disjoint parts of the training graph.

    Args:
        message: int64 [2, m] edges the encoder passes messages over.
        supervision: int64 [2, s] edges scored as positives.
    """

    message: torch.Tensor
    supervision: torch.Tensor


def build_edges(log: InteractionLog) -> torch.Tensor:
    """Return the distinct (user, item) pairs of `log` as [2, edges]."""
    if len(log) == 0:
        raise ValueError(
            "The interaction log has no events, so the graph would have no "
            "edges; pass a log with at least one event."
        )
    pairs = np.unique(np.stack([log.user, log.item]), axis=1)
    return torch.from_numpy(pairs.astype(np.int64))


def edge_keys(edges: torch.Tensor, item_count: int) -> torch.Tensor:
    """Encode each (user, item) edge as one int64 key, user * items + item."""
    return edges[0] * item_count + edges[1]


def split_edges(
    edges: torch.Tensor, supervision_share: float, generator: torch.Generator
) -> EdgeSplit:
    """Split distinct edges at random into message and supervision parts.

    Both parts are non-empty when there are two or more edges. The parts
    are checked to share no (user, item) pair. That is true by construction
    when the edges are distinct, because each edge goes to exactly one part.
    """
    count = edges.shape[1]
    if count < 2:
        raise ValueError(
            f"The training graph has {count} edge(s); at least 2 are needed to "
            "keep message-passing and supervision edges apart."
        )
    supervision_count = min(max(round(count * supervision_share), 1), count - 1)
    order = torch.randperm(count, generator=generator)
    split = EdgeSplit(
        message=edges[:, order[supervision_count:]],
        supervision=edges[:, order[:supervision_count]],
    )
    item_count = int(edges[1].max()) + 1
    shared = torch.isin(
        edge_keys(split.message, item_count), edge_keys(split.supervision, item_count)
    )
    if bool(shared.any()):
        raise RuntimeError(
            "Message-passing and supervision edges overlap; the training edges "
            "contain duplicates. Build them with build_edges."
        )
    return split


def check_held_out_edges(
    graph_edges: torch.Tensor, held_out: InteractionLog, item_count: int
) -> None:
    """Raise if a held-out (user, item) pair is an edge of the graph.

    A pair that the user also has in the training log (a repeat event) is
    a legitimate edge of the graph. So pass only the pairs that are new in
    the held-out period, as `held_out_pairs` returns them.
    """
    if len(held_out) == 0:
        return
    held_out_keys = torch.from_numpy(held_out.user * item_count + held_out.item)
    leaked = torch.isin(edge_keys(graph_edges, item_count), held_out_keys)
    if bool(leaked.any()):
        first = graph_edges[:, leaked.nonzero()[0, 0]].tolist()
        raise RuntimeError(
            f"Held-out edge (user {first[0]}, item {first[1]}) is in the "
            "training graph; build the graph from the training log only."
        )


def held_out_pairs(train: InteractionLog, held_out: InteractionLog) -> InteractionLog:
    """Return the events of `held_out` whose (user, item) is not in `train`."""
    item_count = len(train.item_ids)
    train_keys = train.user * item_count + train.item
    held_out_keys = held_out.user * item_count + held_out.item
    return held_out.subset(~np.isin(held_out_keys, train_keys))


def sample_negatives(
    users: torch.Tensor,
    positive_keys: torch.Tensor,
    item_count: int,
    generator: torch.Generator,
) -> torch.Tensor:
    """Draw one item per entry of `users` that is not a known positive.

    Args:
        users: int64 [n] user index of each draw.
        positive_keys: int64 sorted keys (`edge_keys`) of every known
            positive edge: all training edges, message-passing and
            supervision alike.
        item_count: items to draw from, uniformly.
        generator: source of randomness, for seeded runs.

    Draws that hit a positive are redrawn; a user who has every item as
    a positive raises ValueError, because no negative exists for them.
    """
    negatives = torch.randint(item_count, users.shape, generator=generator)
    for _ in range(MAX_NEGATIVE_ROUNDS):
        hits = _is_positive(users, negatives, positive_keys, item_count)
        if not bool(hits.any()):
            return negatives
        redraw = torch.randint(item_count, (int(hits.sum()),), generator=generator)
        negatives[hits] = redraw
    hits = _is_positive(users, negatives, positive_keys, item_count)
    if bool(hits.any()):
        user = int(users[hits][0])
        raise ValueError(
            f"No negative item found for user {user} after "
            f"{MAX_NEGATIVE_ROUNDS} draws; the user has (nearly) every item as a "
            "positive. Drop such users from the training log."
        )
    return negatives


def _is_positive(
    users: torch.Tensor,
    items: torch.Tensor,
    positive_keys: torch.Tensor,
    item_count: int,
) -> torch.Tensor:
    keys = users * item_count + items
    position = torch.searchsorted(positive_keys, keys).clamp(
        max=max(len(positive_keys) - 1, 0)
    )
    return positive_keys[position] == keys
