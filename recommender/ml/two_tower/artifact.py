"""Save and load a Two-Tower model as one file."""

from __future__ import annotations

from pathlib import Path

import torch

from recommender.ml.features import EncodedItems, FeatureVocabulary
from recommender.ml.two_tower.config import TwoTowerConfig
from recommender.ml.two_tower.model import TwoTowerModel

ARTIFACT_FORMAT = "two-tower"
ARTIFACT_VERSION = 1


def save_two_tower(model: TwoTowerModel, path: Path) -> None:
    """Write weights, config, item ids and feature vocabularies to `path`."""
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


def load_two_tower(path: Path) -> TwoTowerModel:
    """Load a model written by `save_two_tower`, on the CPU, in eval mode.

    The file is read with `weights_only=True`, so it cannot run code. The
    thread count of inference is the caller's `torch.set_num_threads`.
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(
            f"Two-Tower artifact {path} not found; train a model first."
        )
    payload = torch.load(path, map_location="cpu", weights_only=True)
    if payload.get("format") != ARTIFACT_FORMAT:
        raise ValueError(
            f"{path} is not a Two-Tower artifact (format "
            f"{payload.get('format')!r}); pass a file written by save_two_tower."
        )
    if payload.get("version") != ARTIFACT_VERSION:
        raise ValueError(
            f"{path} has Two-Tower artifact version {payload.get('version')!r}, "
            f"expected {ARTIFACT_VERSION}; retrain the model."
        )
    state = payload["state_dict"]
    known_items = EncodedItems(
        title=torch.zeros_like(state["known_title"]).numpy(),
        category=torch.zeros_like(state["known_category"]).numpy(),
        store=torch.zeros_like(state["known_store"]).numpy(),
        price=torch.zeros_like(state["known_price"]).numpy(),
    )
    model = TwoTowerModel(
        TwoTowerConfig.from_state(payload["config"]),
        payload["item_ids"],
        FeatureVocabulary.from_state(payload["vocabulary"]),
        known_items,
    )
    model.load_state_dict(state)
    model.eval()
    return model
