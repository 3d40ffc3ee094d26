"""TailNet: a GRU session encoder whose scores are rectified for the tail.

After Liu and Zheng, "Long-tail Session-based Recommendation" (RecSys
2020). A GRU reads the session's item embeddings and gives one state per
item. Attention over those states, keyed by the last state, forms a global
session vector. The global vector and the last item's state are joined
and projected to the item embedding space, and every item is scored by
its dot product with that session vector. The preference mechanism reads
the same states and outputs p in (0, 1), the session's preference for
tail items. Tail item scores are multiplied by R_tail = p and head item
scores by R_head = 1 - p. With `config.item_prior`, a learned weight times
the item prior log(1 + recent interactions) is added to the scores, before
rectification by default, and the single softmax is applied once.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import torch
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

from recommender.ml.tailnet.config import TailNetConfig


def tail_item_mask(click_counts: np.ndarray, head_item_share: float) -> np.ndarray:
    """Mark the items outside the `head_item_share` most clicked as tail.

    Items are ranked by falling click count, ties by lower index, and the
    first round(head_item_share * items) of them are head, at least one.
    Items without clicks are always tail.
    """
    if not 0.0 < head_item_share < 1.0:
        raise ValueError(f"head_item_share must be in (0, 1), got {head_item_share}.")
    counts = np.asarray(click_counts, dtype=np.int64)
    order = np.lexsort((np.arange(len(counts)), -counts))
    head_size = max(1, round(head_item_share * len(counts)))
    is_tail = np.ones(len(counts), dtype=bool)
    is_tail[order[:head_size]] = False
    is_tail[counts == 0] = True
    return is_tail


@dataclass
class SessionEncoding:
    """Encoder output for a batch of sessions.

    Args:
        session: float [batch, embedding_dim], scored against item
            embeddings.
        factors: float [batch, 2], the rectification factors R_head and
            R_tail; all ones when rectification is off.
    """

    session: torch.Tensor
    factors: torch.Tensor


class TailNet(nn.Module):
    """Next-item scorer over a fixed item vocabulary.

    Args:
        config: sizes and the head/tail split.
        item_ids: external ids of the items, in index order.
        click_counts: training clicks per item, aligned with `item_ids`;
            they decide which items are head and tail.
    """

    click_counts: torch.Tensor
    is_tail: torch.Tensor

    def __init__(
        self,
        config: TailNetConfig,
        item_ids: Sequence[str],
        click_counts: np.ndarray,
    ) -> None:
        super().__init__()
        if len(click_counts) != len(item_ids):
            raise ValueError(
                f"click_counts has {len(click_counts)} entries for "
                f"{len(item_ids)} item ids; they must be aligned."
            )
        if not item_ids:
            raise ValueError("TailNet needs at least one item id.")
        self.config = config
        self.item_ids = list(item_ids)
        self.item_index = {item_id: index for index, item_id in enumerate(item_ids)}
        if len(self.item_index) != len(self.item_ids):
            raise ValueError(
                f"item_ids has {len(self.item_ids) - len(self.item_index)} "
                "repeated ids; every item id must be unique."
            )

        hidden = config.hidden_dim
        # Row 0 is the padding item; item index i is row i + 1.
        self.item_embedding = nn.Embedding(
            len(item_ids) + 1, config.embedding_dim, padding_idx=0
        )
        self.gru = nn.GRU(config.embedding_dim, hidden, batch_first=True)
        self.attention_last = nn.Linear(hidden, hidden, bias=False)
        self.attention_item = nn.Linear(hidden, hidden, bias=False)
        self.attention_score = nn.Linear(hidden, 1, bias=False)
        self.session_projection = nn.Linear(2 * hidden, config.embedding_dim)
        self.preference = nn.Linear(2 * hidden, 1)
        self.dropout = nn.Dropout(config.dropout)
        if config.item_prior:
            self.prior_weight = nn.Parameter(torch.ones(()))

        counts = torch.as_tensor(np.asarray(click_counts, dtype=np.int64))
        self.register_buffer("click_counts", counts)
        self.register_buffer(
            "is_tail",
            torch.from_numpy(tail_item_mask(counts.numpy(), config.head_item_share)),
        )
        nn.init.normal_(self.item_embedding.weight, std=0.1)
        with torch.no_grad():
            self.item_embedding.weight[0].zero_()

    @property
    def item_count(self) -> int:
        return len(self.item_ids)

    def encode(self, history: torch.Tensor, lengths: torch.Tensor) -> SessionEncoding:
        """Encode sessions into a session vector and rectification factors.

        Args:
            history: int64 [batch, steps] item indices, oldest first,
                right-padded with -1.
            lengths: int64 [batch], real items per row, each at least 1.

        Each row is encoded from a zero GRU state, and padding never enters
        the GRU, so a row's output does not depend on the other rows.
        """
        if history.dim() != 2 or lengths.shape != history.shape[:1]:
            raise ValueError(
                f"history must be [batch, steps] and lengths [batch], got "
                f"{tuple(history.shape)} and {tuple(lengths.shape)}."
            )
        if len(lengths) and int(lengths.min()) < 1:
            raise ValueError("Every session needs at least one item.")
        steps = int(lengths.max()) if len(lengths) else 0
        history = history[:, :steps]
        mask = torch.arange(steps, device=history.device)[None, :] < lengths[:, None]
        inside = history[mask]
        if len(inside) and (
            int(inside.min()) < 0 or int(inside.max()) >= self.item_count
        ):
            bad = int(inside.min()) if int(inside.min()) < 0 else int(inside.max())
            raise ValueError(
                f"history has item index {bad} inside a session's length; "
                f"indices must be in [0, {self.item_count})."
            )
        embedded = self.dropout(self.item_embedding(history + 1))
        packed = pack_padded_sequence(
            embedded, lengths.cpu(), batch_first=True, enforce_sorted=False
        )
        output, _ = self.gru(packed)
        states, _ = pad_packed_sequence(output, batch_first=True, total_length=steps)
        rows = torch.arange(len(lengths), device=history.device)
        last = states[rows, lengths - 1]

        # Attention over every state, keyed by the last one, as in NARM.
        energy = self.attention_score(
            torch.sigmoid(
                self.attention_last(last)[:, None, :] + self.attention_item(states)
            )
        ).squeeze(-1)
        weights = torch.softmax(energy.masked_fill(~mask, -torch.inf), dim=1)
        global_vector = (weights[:, :, None] * states).sum(dim=1)
        session = self.session_projection(
            self.dropout(torch.cat([global_vector, last], dim=1))
        )

        if not self.config.rectification:
            return SessionEncoding(session, torch.ones(len(lengths), 2))
        mean_state = (states * mask[:, :, None]).sum(dim=1) / lengths[:, None]
        tail_preference = torch.sigmoid(
            self.preference(torch.cat([mean_state, last], dim=1))
        )
        factors = torch.cat([1.0 - tail_preference, tail_preference], dim=1)
        return SessionEncoding(session, factors)

    def forward(
        self,
        history: torch.Tensor,
        lengths: torch.Tensor,
        prior: torch.Tensor | None = None,
    ) -> torch.Tensor:
        """Score every item for each session; shape [batch, items].

        With `config.item_prior` the weighted prior is added to the
        dot-product scores either before rectification, so that the
        factors scale the prior too, or after it, unscaled
        (`config.prior_before_rectification`). The cross-entropy of the
        result is the training loss, so the softmax is applied once, to
        the final scores.

        Args:
            prior: float [batch, items], the item prior of each row, e.g.
                `RecentItemPrior.features`. Ignored without
                `config.item_prior`. None stands for a zero prior, which
                leaves the ranking to the session scores.
        """
        encoding = self.encode(history, lengths)
        scores = encoding.session @ self.item_embedding.weight[1:].T
        weighted_prior = None
        if self.config.item_prior and prior is not None:
            if prior.shape != scores.shape:
                raise ValueError(
                    f"prior has shape {tuple(prior.shape)}, expected "
                    f"{tuple(scores.shape)} (one row per session, one column "
                    "per item)."
                )
            weighted_prior = self.prior_weight * prior
        before = self.config.prior_before_rectification
        if weighted_prior is not None and before:
            scores = scores + weighted_prior
        if self.config.rectification:
            head_factor = encoding.factors[:, :1]
            tail_factor = encoding.factors[:, 1:]
            is_tail = self.is_tail[None, :]
            scores = scores * torch.where(is_tail, tail_factor, head_factor)
        if weighted_prior is not None and not before:
            scores = scores + weighted_prior
        return scores
