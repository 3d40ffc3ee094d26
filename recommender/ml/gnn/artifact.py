"""Save and load a GNN scorer as one file."""

from __future__ import annotations

from pathlib import Path

import torch

from recommender.ml.features import EncodedItems, FeatureVocabulary
from recommender.ml.gnn.config import GnnConfig
from recommender.ml.gnn.model import GnnModel

ARTIFACT_FORMAT = "gnn"
ARTIFACT_VERSION = 1


def save_gnn(model: GnnModel, path: Path) -> None:
    """Write weights, graph, config, item ids and vocabularies to `path`."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    payload = {
        "format": ARTIFACT_FORMAT,
        "version": ARTIFACT_VERSION,
        "config": model.config.to_state(),
        "item_ids": list(model.item_ids),
        "vocabulary": model.vocabulary.to_state(),
        "state_dict": {
            name: value.detach().cpu() for name, value in model.state_dict().items()
        },
    }
    temporary = path.with_name(path.name + ".tmp")
    torch.save(payload, temporary)
    temporary.replace(path)


def load_gnn(path: Path) -> GnnModel:
    """Load a model written by `save_gnn`, on the CPU, in eval mode.

    The file is read with `weights_only=True`, so it cannot run code. The
    thread count of inference is the caller's `torch.set_num_threads`.
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"GNN artifact {path} not found; train a model first.")
    payload = torch.load(path, map_location="cpu", weights_only=True)
    if payload.get("format") != ARTIFACT_FORMAT:
        raise ValueError(
            f"{path} is not a GNN artifact (format {payload.get('format')!r}); "
            "pass a file written by save_gnn."
        )
    if payload.get("version") != ARTIFACT_VERSION:
        raise ValueError(
            f"{path} has GNN artifact version {payload.get('version')!r}, "
            f"expected {ARTIFACT_VERSION}; retrain the model."
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
