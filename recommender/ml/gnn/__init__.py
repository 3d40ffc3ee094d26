"""GNN link prediction: bipartite graph, GraphSAGE encoder, training."""

from recommender.ml.gnn.artifact import load_gnn, save_gnn
from recommender.ml.gnn.config import GnnConfig
from recommender.ml.gnn.model import GnnModel
from recommender.ml.gnn.training import GnnTrainResult, train_gnn

__all__ = [
    "GnnConfig",
    "GnnModel",
    "GnnTrainResult",
    "load_gnn",
    "save_gnn",
    "train_gnn",
]
