"""Save and load a GNN scorer as one file."""

from __future__ import annotations

from pathlib import Path

import torch

from recommender.ml.artifacts import read_artifact, write_artifact
from recommender.ml.features import EncodedItems, FeatureVocabulary
from recommender.ml.gnn.config import GnnConfig
from recommender.ml.gnn.model import GnnModel

ARTIFACT_FORMAT = "gnn"
ARTIFACT_VERSION = 1


def save_gnn(model: GnnModel, path: Path) -> None:
    """Write weights, graph, config, item ids and vocabularies to `path`."""
    write_artifact(
        path,
        kind=ARTIFACT_FORMAT,
        version=ARTIFACT_VERSION,
        model=model,
        fields={
            "config": model.config.to_state(),
            "item_ids": list(model.item_ids),
            "vocabulary": model.vocabulary.to_state(),
        },
    )


def load_gnn(path: Path) -> GnnModel:
    """Load a model written by `save_gnn`, on the CPU, in eval mode.

    The thread count of inference is the caller's `torch.set_num_threads`.
    """
    payload = read_artifact(
        path,
        kind=ARTIFACT_FORMAT,
        version=ARTIFACT_VERSION,
        label="GNN",
        writer="save_gnn",
    )
    state = payload["state_dict"]
    items = EncodedItems(
        title=torch.zeros_like(state["title"]).numpy(),
        category=torch.zeros_like(state["category"]).numpy(),
        store=torch.zeros_like(state["store"]).numpy(),
        price=torch.zeros_like(state["price"]).numpy(),
    )
    model = GnnModel(
        GnnConfig.from_state(payload["config"]),
        payload["item_ids"],
        FeatureVocabulary.from_state(payload["vocabulary"]),
        items,
        torch.zeros_like(state["graph_edges"]),
    )
    model.load_state_dict(state)
    model.eval()
    return model
