"""Two-Tower retrieval: configuration, model, training and artifacts."""

from recommender.ml.two_tower.artifact import load_two_tower, save_two_tower
from recommender.ml.two_tower.config import TwoTowerConfig
from recommender.ml.two_tower.model import TwoTowerModel
from recommender.ml.two_tower.training import TrainResult, train_two_tower

__all__ = [
    "TrainResult",
    "TwoTowerConfig",
    "TwoTowerModel",
    "load_two_tower",
    "save_two_tower",
    "train_two_tower",
]
