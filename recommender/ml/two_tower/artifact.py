"""Save and load a Two-Tower model as one file."""

from __future__ import annotations

from pathlib import Path

import torch

from recommender.ml.artifacts import read_artifact, write_artifact
from recommender.ml.features import EncodedItems, FeatureVocabulary
from recommender.ml.two_tower.config import TwoTowerConfig
from recommender.ml.two_tower.model import TwoTowerModel

ARTIFACT_FORMAT = "two-tower"
ARTIFACT_VERSION = 1


def save_two_tower(model: TwoTowerModel, path: Path) -> None:
    """Write weights, config, item ids and feature vocabularies to `path`."""
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


def load_two_tower(path: Path) -> TwoTowerModel:
    """Load a model written by `save_two_tower`, on the CPU, in eval mode.

    The thread count of inference is the caller's `torch.set_num_threads`.
    """
    payload = read_artifact(
        path,
        kind=ARTIFACT_FORMAT,
        version=ARTIFACT_VERSION,
        label="Two-Tower",
        writer="save_two_tower",
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
