"""Save and load a TailNet model as one file."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import torch

from recommender.ml.artifacts import read_artifact, write_artifact
from recommender.ml.tailnet.config import TailNetConfig
from recommender.ml.tailnet.model import TailNet

ARTIFACT_FORMAT = "tailnet"
ARTIFACT_VERSION = 1


def save_tailnet(model: TailNet, path: Path) -> None:
    """Write weights, click counts, config and item ids to `path`."""
    write_artifact(
        path,
        kind=ARTIFACT_FORMAT,
        version=ARTIFACT_VERSION,
        model=model,
        fields={"config": model.config.to_state(), "item_ids": list(model.item_ids)},
    )


def load_tailnet(path: Path) -> TailNet:
    """Load a model written by `save_tailnet`, on the CPU, in eval mode.

    The thread count of inference is the caller's `torch.set_num_threads`.
    Files written before the item prior existed have no `item_prior` in
    their config and no prior weight, and load as models without it.
    """
    payload = read_artifact(
        path,
        kind=ARTIFACT_FORMAT,
        version=ARTIFACT_VERSION,
        label="TailNet",
        writer="save_tailnet",
    )
    state = payload["state_dict"]
    config = TailNetConfig.from_state(payload["config"])
    if "item_prior" not in payload["config"]:
        config = replace(config, item_prior=False)
    model = TailNet(
        config,
        payload["item_ids"],
        torch.zeros_like(state["click_counts"]).numpy(),
    )
    model.load_state_dict(state)
    model.eval()
    return model
