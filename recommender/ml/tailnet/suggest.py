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
    return suggest_many(model, [session_item_ids], count=count, exclude=[exclude])[0]


@torch.no_grad()
def suggest_many(
    model: TailNet,
    sessions: Sequence[Sequence[str]],
    *,
    count: int = 20,
    exclude: Sequence[Collection[str]] | None = None,
) -> list[list[Suggestion]]:
    """Return the suggestions of several sessions from one forward pass.

    Each session gets what `suggest` returns for it alone: the GRU reads
    every row from a zero state and padding never enters it, so a row's
    scores do not depend on the other rows. `exclude`, when given, has
    one collection of item ids per session.
    """
    if count < 1:
        raise ValueError(f"count must be at least 1, got {count}.")
    if exclude is None:
        exclude = [()] * len(sessions)
    if len(exclude) != len(sessions):
        raise ValueError(
            f"exclude has {len(exclude)} entries for {len(sessions)} sessions; "
            "pass one collection of item ids per session."
        )
    index = model.item_index
    histories: list[list[int]] = []
    for session_item_ids in sessions:
        known = [index[item_id] for item_id in session_item_ids if item_id in index]
        skipped = len(session_item_ids) - len(known)
        if skipped:
            logger.debug("TailNet suggest: %d session items not in the model", skipped)
        histories.append(known[-model.config.max_length :])

    scores = torch.empty((len(sessions), model.item_count), dtype=torch.float64)
    rows = [row for row, known in enumerate(histories) if known]
    if rows:
        steps = max(len(histories[row]) for row in rows)
        history = torch.full((len(rows), steps), -1, dtype=torch.int64)
        for position, row in enumerate(rows):
            history[position, : len(histories[row])] = torch.tensor(histories[row])
        lengths = torch.tensor([len(histories[row]) for row in rows])
        logits = model(history, lengths)
        scores[rows] = torch.softmax(logits, dim=1).to(torch.float64)
    clicks = model.click_counts.to(torch.float64)
    popularity = clicks / clicks.sum().clamp(min=1.0)

    results: list[list[Suggestion]] = []
    for row, known in enumerate(histories):
        row_scores = scores[row] if known else popularity
        source = TAILNET if known else POPULARITY
        excluded = [index[item_id] for item_id in exclude[row] if item_id in index]
        allowed = torch.ones(model.item_count, dtype=torch.bool)
        allowed[excluded] = False
        available = int(allowed.sum())
        ranked = torch.where(allowed, row_scores, -torch.inf)
        top = torch.topk(ranked, min(count, available))
        results.append(
            [
                Suggestion(model.item_ids[int(item)], float(score), source)
                for score, item in zip(
                    top.values.tolist(), top.indices.tolist(), strict=True
                )
            ]
        )
    return results
