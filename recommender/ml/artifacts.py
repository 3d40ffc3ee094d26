"""Model artifacts: one file with a tagged payload and the weights."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import torch
from torch import nn


def write_artifact(
    path: Path,
    *,
    kind: str,
    version: int,
    model: nn.Module,
    fields: dict[str, Any],
) -> None:
    """Write `fields` and the model's weights to `path`, atomically.

    The payload is written to a temporary file first and renamed, so a
    process loading `path` meanwhile reads the old file or the new one.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    payload = {
        "format": kind,
        "version": version,
        **fields,
        "state_dict": {
            name: value.detach().cpu() for name, value in model.state_dict().items()
        },
    }
    temporary = path.with_name(path.name + ".tmp")
    torch.save(payload, temporary)
    temporary.replace(path)


def read_artifact(
    path: Path, *, kind: str, version: int, label: str, writer: str
) -> dict[str, Any]:
    """Read a payload written by `write_artifact` and check its tag.

    The file is read with `weights_only=True`, so it cannot run code.

    Args:
        label: the model's name in error messages, e.g. "Two-Tower".
        writer: the save function to name in error messages.
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(
            f"{label} artifact {path} not found; train a model first."
        )
    payload: dict[str, Any] = torch.load(path, map_location="cpu", weights_only=True)
    if payload.get("format") != kind:
        raise ValueError(
            f"{path} is not a {label} artifact (format {payload.get('format')!r}); "
            f"pass a file written by {writer}."
        )
    if payload.get("version") != version:
        raise ValueError(
            f"{path} has {label} artifact version {payload.get('version')!r}, "
            f"expected {version}; retrain the model."
        )
    return payload
