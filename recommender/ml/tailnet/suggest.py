"""Suggest the next items of a live session with a trained TailNet."""

from __future__ import annotations

import logging
from collections.abc import Collection, Sequence
from dataclasses import dataclass

import torch

from recommender.ml.tailnet.model import TailNet

logger = logging.getLogger(__name__)

TAILNET = "tailnet"
POPULARITY = "popularity"


@dataclass(frozen=True)
class Suggestion:
    """One suggested item.

    `score` is the item's softmax probability under TailNet, or its share
    of the training clicks when `source` is "popularity".
    """

    item_id: str
    score: float
    source: str


@torch.no_grad()
def suggest(
    model: TailNet,
    session_item_ids: Sequence[str],
    *,
    count: int = 20,
    exclude: Collection[str] = (),
) -> list[Suggestion]:
    """Return up to `count` items to show next, best first.

    Args:
        model: a trained model in eval mode, e.g. from `load_tailnet`.
        session_item_ids: the session's viewed item ids, oldest first.
            Ids the model does not know are skipped, and only the last
            `config.max_length` known items are read.
        count: the maximum number of suggestions, at least 1.
        exclude: item ids never to suggest (sold, the viewer's own, or
            already in the session); unknown ids are ignored.

    A session without a known item gets the most clicked items instead,
    with `source` "popularity". Fewer than `count` items come back only
    when the exclusions leave fewer.
    """
    if count < 1:
        raise ValueError(f"count must be at least 1, got {count}.")
    index = model.item_index
    known = [index[item_id] for item_id in session_item_ids if item_id in index]
    known = known[-model.config.max_length :]
    skipped = len(session_item_ids) - len(known)
    if skipped:
        logger.debug("TailNet suggest: %d session items not in the model", skipped)

    if known:
        history = torch.tensor([known], dtype=torch.int64)
        lengths = torch.tensor([len(known)], dtype=torch.int64)
        scores = torch.softmax(model(history, lengths)[0], dim=0)
        source = TAILNET
    else:
        clicks = model.click_counts.to(torch.float64)
        scores = clicks / clicks.sum().clamp(min=1.0)
        source = POPULARITY

    excluded = [index[item_id] for item_id in exclude if item_id in index]
    allowed = torch.ones(model.item_count, dtype=torch.bool)
    allowed[excluded] = False
    available = int(allowed.sum())
    ranked = torch.where(allowed, scores.to(torch.float64), -torch.inf)
    top = torch.topk(ranked, min(count, available))
    return [
        Suggestion(model.item_ids[int(item)], float(score), source)
        for score, item in zip(top.values, top.indices, strict=True)
    ]
