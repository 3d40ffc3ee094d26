"""Time-aware item prior: recent interactions per item before a moment.

The prior of item i for an example at time t is log(1 + c_i), where c_i
counts the interactions with i in the window [t - window, t). Only
interactions strictly before t count, so an interaction at or after the
example's own time never changes its prior.
"""

from __future__ import annotations

import numpy as np
import torch

MILLISECONDS_PER_DAY = 86_400_000


class RecentItemPrior:
    """Interaction times per item, for window counts as of any moment.

    Args:
        item: int64 item index per interaction, in [0, item_count).
        timestamp_ms: Unix milliseconds per interaction, aligned with
            `item`; the order does not matter.
        item_count: size of the item vocabulary.
        window_days: length of the counting window, in days; None counts
            every interaction before the moment.
    """

    def __init__(
        self,
        item: np.ndarray,
        timestamp_ms: np.ndarray,
        item_count: int,
        window_days: float | None,
    ) -> None:
        item = np.asarray(item, dtype=np.int64)
        timestamp_ms = np.asarray(timestamp_ms, dtype=np.int64)
        if item.shape != timestamp_ms.shape or item.ndim != 1:
            raise ValueError(
                f"item and timestamp_ms must be 1-D and aligned, got shapes "
                f"{item.shape} and {timestamp_ms.shape}."
            )
        if item_count < 1:
            raise ValueError(f"item_count must be at least 1, got {item_count}.")
        if len(item) and (int(item.min()) < 0 or int(item.max()) >= item_count):
            raise ValueError(
                f"item indices must be in [0, {item_count}), got "
                f"{int(item.min())} to {int(item.max())}."
            )
        if window_days is not None and not window_days > 0:
            raise ValueError(f"window_days must be positive, got {window_days!r}.")
        order = np.argsort(timestamp_ms, kind="stable")
        self.item = item[order]
        self.timestamp_ms = timestamp_ms[order]
        self.item_count = item_count
        self.window_days = window_days

    def counts(self, at_ms: np.ndarray) -> np.ndarray:
        """Count interactions per item in the window before each moment.

        Returns int64 [len(at_ms), item_count]. Row r counts the
        interactions with timestamps in [at_ms[r] - window, at_ms[r]).
        """
        at_ms = np.asarray(at_ms, dtype=np.int64)
        end = np.searchsorted(self.timestamp_ms, at_ms, side="left")
        if self.window_days is None:
            start = np.zeros_like(end)
        else:
            window_ms = int(self.window_days * MILLISECONDS_PER_DAY)
            start = np.searchsorted(self.timestamp_ms, at_ms - window_ms, side="left")
        sizes = end - start
        rows = np.repeat(np.arange(len(at_ms)), sizes)
        # Position of every counted interaction: start of its row's window
        # plus its offset inside that window.
        offsets = np.arange(int(sizes.sum())) - np.repeat(
            np.cumsum(sizes) - sizes, sizes
        )
        positions = np.repeat(start, sizes) + offsets
        flat = rows * self.item_count + self.item[positions]
        counts = np.bincount(flat, minlength=len(at_ms) * self.item_count)
        return counts.reshape(len(at_ms), self.item_count).astype(np.int64)

    def features(self, at_ms: np.ndarray) -> torch.Tensor:
        """Return log(1 + count), float32 [len(at_ms), item_count]."""
        return torch.from_numpy(np.log1p(self.counts(at_ms)).astype(np.float32))


def prior_from_counts(counts: np.ndarray) -> torch.Tensor:
    """Turn window counts [batch, items] into the prior log(1 + count)."""
    counts = np.asarray(counts)
    if counts.ndim != 2:
        raise ValueError(f"counts must be [batch, items], got shape {counts.shape}.")
    if len(counts) and counts.min() < 0:
        raise ValueError("counts must not be negative.")
    return torch.from_numpy(np.log1p(counts.astype(np.float64)).astype(np.float32))
