"""Top-K ranking metrics over full rankings, computed per user.

Every accuracy function takes `hits`, a bool tensor [users, K_max]. Entry
(u, r) is true when the item at rank r (0-based) of user u's list is
relevant. Each function returns one value per user, and callers average
them.
"""

from __future__ import annotations

import numpy as np
import torch


def hit_matrix(
    top_items: torch.Tensor,
    relevant_indptr: np.ndarray,
    relevant_indices: np.ndarray,
    item_count: int,
) -> torch.Tensor:
    """Mark which recommended items are relevant.

    Args:
        top_items: int64 [users, K] item indices, best first.
        relevant_indptr: CSR row pointers [users + 1] into
            `relevant_indices`.
        relevant_indices: relevant item indices of all users, concatenated.
        item_count: number of items, the width of the dense mask.
    """
    users = top_items.shape[0]
    relevant = torch.zeros((users, item_count), dtype=torch.bool)
    lengths = np.diff(relevant_indptr)
    rows = torch.from_numpy(np.repeat(np.arange(users), lengths))
    relevant[rows, torch.from_numpy(relevant_indices.astype(np.int64))] = True
    return torch.gather(relevant, 1, top_items)


def recall_at_k(
    hits: torch.Tensor, relevant_counts: torch.Tensor, k: int
) -> torch.Tensor:
    """Share of each user's relevant items found in the top k (0 if none)."""
    found = hits[:, :k].sum(dim=1).to(torch.float64)
    return found / relevant_counts.clamp(min=1).to(torch.float64)


def ndcg_at_k(
    hits: torch.Tensor, relevant_counts: torch.Tensor, k: int
) -> torch.Tensor:
    """Binary-relevance NDCG@k with log2 discounts.

    The ideal list puts min(relevant, k) relevant items first; a user with
    no relevant item scores 0.
    """
    discounts = 1.0 / torch.log2(torch.arange(k, dtype=torch.float64) + 2.0)
    window = hits[:, :k].to(torch.float64)
    gains = (window * discounts[: window.shape[1]]).sum(dim=1)
    ideal_cumulative = torch.cat(
        [torch.zeros(1, dtype=torch.float64), torch.cumsum(discounts, 0)]
    )
    ideal = ideal_cumulative[relevant_counts.clamp(max=k)]
    return torch.where(ideal > 0, gains / ideal.clamp(min=1e-12), 0.0)


def mrr_at_k(hits: torch.Tensor, k: int) -> torch.Tensor:
    """Reciprocal rank of the first relevant item in the top k, else 0."""
    window = hits[:, :k]
    first = torch.argmax(window.to(torch.int8), dim=1)
    found = window.any(dim=1)
    return torch.where(found, 1.0 / (first.to(torch.float64) + 1.0), 0.0)


def item_coverage(top_items: torch.Tensor, k: int, item_count: int) -> float:
    """Share of all items that appear in at least one user's top k."""
    if item_count == 0:
        return 0.0
    return torch.unique(top_items[:, :k]).numel() / item_count


def tail_share(top_items: torch.Tensor, k: int, is_tail: np.ndarray) -> float:
    """Share of all recommended slots in the top k that contain tail items."""
    slots = top_items[:, :k]
    if slots.numel() == 0:
        return 0.0
    tail = torch.from_numpy(is_tail)[slots]
    return float(tail.to(torch.float64).mean())


def average_popularity(
    top_items: torch.Tensor, k: int, interaction_counts: np.ndarray
) -> float:
    """Mean interaction count of the items in all top-k slots."""
    slots = top_items[:, :k]
    if slots.numel() == 0:
        return 0.0
    counts = torch.from_numpy(interaction_counts.astype(np.float64))[slots]
    return float(counts.mean())


def head_item_mask(interaction_counts: np.ndarray, head_share: float) -> np.ndarray:
    """Mark the most popular items that together have `head_share` of events.

    Items are taken in order of falling count (ties by index) until their
    cumulative count reaches `head_share` of all events. The item that
    crosses the threshold is head, and every other item is tail.
    """
    if not 0.0 < head_share <= 1.0:
        raise ValueError(f"head_share must be in (0, 1], got {head_share}.")
    order = np.lexsort((np.arange(len(interaction_counts)), -interaction_counts))
    cumulative = np.cumsum(interaction_counts[order])
    total = cumulative[-1] if len(cumulative) else 0
    is_head = np.zeros(len(interaction_counts), dtype=bool)
    if total == 0:
        return is_head
    head_size = int(np.searchsorted(cumulative, head_share * total, side="left")) + 1
    is_head[order[:head_size]] = True
    return is_head
