"""Pieces shared by the training loops: thread counts and early stopping."""

from __future__ import annotations

import math
from collections.abc import Iterator
from contextlib import contextmanager

import torch
from torch import nn


@contextmanager
def torch_threads(count: int) -> Iterator[None]:
    """Run the block with `count` torch intra-op threads, then restore."""
    previous = torch.get_num_threads()
    torch.set_num_threads(count)
    try:
        yield
    finally:
        torch.set_num_threads(previous)


class EarlyStopping:
    """Keep the weights of the best-scoring epoch and say when to stop.

    Training stops after `patience` scored epochs in a row without a
    strictly higher score than the best so far.
    """

    def __init__(self, patience: int) -> None:
        self.patience = patience
        self.best_score = -math.inf
        self.best_epoch = 0
        self.stale_epochs = 0
        self._best_state: dict[str, torch.Tensor] | None = None

    def update(self, model: nn.Module, epoch: int, score: float) -> bool:
        """Record the score of `epoch` and return whether to stop training."""
        if score > self.best_score:
            self.best_score, self.best_epoch, self.stale_epochs = score, epoch, 0
            self._best_state = {
                name: value.detach().clone()
                for name, value in model.state_dict().items()
            }
            return False
        self.stale_epochs += 1
        return self.stale_epochs >= self.patience

    def restore_best(self, model: nn.Module) -> None:
        """Load the best epoch's weights into `model`, if any were scored."""
        if self._best_state is not None:
            model.load_state_dict(self._best_state)
