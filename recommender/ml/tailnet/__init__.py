"""TailNet: session-based next-item suggestions that keep the tail in view."""

from recommender.ml.tailnet.artifact import load_tailnet, save_tailnet
from recommender.ml.tailnet.config import TailNetConfig
from recommender.ml.tailnet.model import TailNet, tail_item_mask
from recommender.ml.tailnet.suggest import Suggestion, suggest, suggest_many
from recommender.ml.tailnet.training import TailNetTrainResult, train_tailnet

__all__ = [
    "Suggestion",
    "TailNet",
    "TailNetConfig",
    "TailNetTrainResult",
    "load_tailnet",
    "save_tailnet",
    "suggest",
    "suggest_many",
    "tail_item_mask",
    "train_tailnet",
]
