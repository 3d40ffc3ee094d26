"""Suggest the next items of a live session with a trained TailNet."""

from __future__ import annotations

import logging
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import torch

from recommender.ml.tailnet.model import TailNet
from recommender.ml.tailnet.prior import prior_from_counts
from recommender.ml.tailnet.ranking import top_k_with_tail_quota

logger = logging.getLogger(__name__)

TAILNET = "tailnet"
POPULARITY = "popularity"


@dataclass(frozen=True)
class Suggestion:
    """One suggested item.

    `score` is the item's softmax probability under TailNet, or its share
    of the training clicks when `source` is "popularity". `is_tail` is the
    model's head/tail split, from the click counts stored with it.
    """

    item_id: str
    score: float
    source: str
    is_tail: bool = False


@torch.no_grad()
def suggest(
    model: TailNet,
    session_item_ids: Sequence[str],
    *,
    count: int = 20,
    exclude: Collection[str] = (),
    recent_counts: Mapping[str, int] | None = None,
    tail_slots: int = 0,
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
        recent_counts: interactions per item id in the
            `config.prior_window_days` days before now, for a model
            trained with the item prior; unknown ids are ignored. None or
            an empty mapping gives every item a zero prior, so the session
            scores alone rank the items. Models without the prior ignore
            it.
        tail_slots: positions of the `count` reserved for the best tail
            items (`top_k_with_tail_quota`); more than `count` is read as
            `count`. Popularity rows ignore it, because the quota was
            chosen for TailNet's scores.

    A session without a known item gets the most clicked items instead,
    with `source` "popularity". Fewer than `count` items come back only
    when the exclusions leave fewer.
    """
    return suggest_many(
        model,
        [session_item_ids],
        count=count,
        exclude=[exclude],
        recent_counts=recent_counts,
        tail_slots=tail_slots,
    )[0]


@torch.no_grad()
def suggest_many(
    model: TailNet,
    sessions: Sequence[Sequence[str]],
    *,
    count: int = 20,
    exclude: Sequence[Collection[str]] | None = None,
    recent_counts: Mapping[str, int] | None = None,
    tail_slots: int = 0,
) -> list[list[Suggestion]]:
    """Return the suggestions of several sessions from one forward pass.

    Each session gets what `suggest` returns for it alone: the GRU reads
    every row from a zero state and padding never enters it, so a row's
    scores do not depend on the other rows. `exclude`, when given, has
    one collection of item ids per session. `recent_counts` is shared by
    all sessions, which are all scored as of now.
    """
    if count < 1:
        raise ValueError(f"count must be at least 1, got {count}.")
    whole_number = isinstance(tail_slots, int) and not isinstance(tail_slots, bool)
    if not whole_number or tail_slots < 0:
        raise ValueError(
            f"tail_slots must be a whole number of at least 0, got {tail_slots!r}."
        )
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

    # Model rows are ranked by log-probability, because a strong prior can
    # push a probability below float32's range, and items whose probability
    # underflows to 0 would lose their order. Popularity rows are ranked by
    # click share.
    log_probabilities = torch.empty(
        (len(sessions), model.item_count), dtype=torch.float64
    )
    rows = [row for row, known in enumerate(histories) if known]
    if rows:
        steps = max(len(histories[row]) for row in rows)
        history = torch.full((len(rows), steps), -1, dtype=torch.int64)
        for position, row in enumerate(rows):
            history[position, : len(histories[row])] = torch.tensor(histories[row])
        lengths = torch.tensor([len(histories[row]) for row in rows])
        prior = _serving_prior(model, recent_counts, len(rows))
        logits = model(history, lengths, prior)
        log_probabilities[rows] = torch.log_softmax(logits.to(torch.float64), dim=1)
    clicks = model.click_counts.to(torch.float64)
    popularity = clicks / clicks.sum().clamp(min=1.0)

    results: list[list[Suggestion]] = []
    for row, known in enumerate(histories):
        row_scores = log_probabilities[row] if known else popularity
        source = TAILNET if known else POPULARITY
        excluded = [index[item_id] for item_id in exclude[row] if item_id in index]
        allowed = torch.ones(model.item_count, dtype=torch.bool)
        allowed[excluded] = False
        available = int(allowed.sum())
        ranked = torch.where(allowed, row_scores, -torch.inf)
        width = min(count, available)
        slots = min(tail_slots, width) if known else 0
        if width == 0:
            items = torch.zeros(0, dtype=torch.int64)
        else:
            top = top_k_with_tail_quota(ranked[None, :], model.is_tail, width, slots)
            items = top[0]
        values = ranked[items].exp() if known else ranked[items]
        results.append(
            [
                Suggestion(
                    model.item_ids[item],
                    float(score),
                    source,
                    bool(model.is_tail[item]),
                )
                for score, item in zip(values.tolist(), items.tolist(), strict=True)
            ]
        )
    return results


def _serving_prior(
    model: TailNet, recent_counts: Mapping[str, int] | None, rows: int
) -> torch.Tensor | None:
    """Return the item prior of `rows` sessions scored now, or None.

    None, which the model reads as a zero prior, comes back when the model
    has no prior or the site has no recent interaction to count.
    """
    if not model.config.item_prior:
        return None
    if not recent_counts:
        logger.debug("TailNet suggest: no recent interactions, zero item prior")
        return None
    counts = np.zeros(model.item_count, dtype=np.int64)
    for item_id, value in recent_counts.items():
        position = model.item_index.get(item_id)
        if position is not None:
            counts[position] = value
    return prior_from_counts(counts[None, :]).expand(rows, -1)
