"""Offline evaluation of TailNet beside its ablation and popularity.

Both data sets are evaluated the way RecBole evaluates its sequential
models: each held-out interaction is predicted from the same user's
preceding items (at most 20), and every item of the catalog is ranked,
the history's items included.

- electronics: the Amazon Reviews 2023 Electronics kcore5 files, split
  globally by time into train, valid and test. A test interaction's
  history includes the user's earlier test interactions. The baseline is
  a recency-aware popularity that counts the last `recent_days` days of
  train + valid, with ties broken by all-time counts.
- beauty: the Amazon 2014 Beauty sequences, which have no timestamps.
  Each user's last item is the test target and the one before is the
  valid target. The baseline is all-time popularity of train + valid.

TailNet and the ablation train on the train examples only and keep the
epoch with the best validation score. With `refit`, each is then trained
again from scratch on train + valid for that many epochs, and both the
first and the refit model are tested. The head/tail split comes from the
training clicks and is the same for every model's metrics.

On electronics the models can add the time-aware item prior
(`recommender.ml.tailnet.prior`) to their scores. Every example's prior
counts the interactions of every part, test included, that happened
strictly before the example's own time and within `prior_days`. The
baseline "popularity (last N days before each example)" ranks by that
same count alone, so it uses the same counts as the prior. Beauty has no
timestamps, so the prior does not apply there.

Every row is measured on lists of `cutoff` items, 20 by default; early
stopping always selects on Recall@20. With a tail quota (`tail_slots`),
every TailNet and ablation row is also tested with that many of the
`cutoff` positions reserved for tail items. With `tail_slots="auto"`
the quota is chosen on the valid examples only, from the TailNet model
that early stopping kept: the largest quota from 0 to
`MAX_AUTO_TAIL_SLOTS` (at most `cutoff`) whose valid Recall@K is at
least `AUTO_RECALL_SHARE` of the valid Recall@K without a quota. The ablation
and the refit models of the same variant get the same quota.

With an `exposure_penalty` above 0 the reserved positions go to the tail
items that score best after a penalty for the earlier lists that showed
them (`top_items_spreading_exposure`), among each example's
`tail_depth` best tail items. The lists are formed in time order on
electronics and in file order on beauty, and the penalty counts the
earlier lists of the same example set. The popularity baselines get no
such rows: they rank every example alike, so their tail candidates are
the same `tail_depth` items for every list, and no penalty can show more.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Literal

import numpy as np
import torch

from recommender.ml.benchmark_files import read_benchmark_directory
from recommender.ml.popularity import interaction_counts, rank_scores, recent_counts
from recommender.ml.sessions import (
    PrefixExamples,
    leave_last_out_examples,
    read_user_sequences,
    time_split_examples,
)
from recommender.ml.tailnet.config import TailNetConfig
from recommender.ml.tailnet.model import TailNet, tail_item_mask
from recommender.ml.tailnet.prior import RecentItemPrior
from recommender.ml.tailnet.ranking import (
    CUTOFF,
    HeadTailCandidates,
    check_tail_slots,
    constant_score_function,
    model_score_function,
    next_item_metrics,
    prior_popularity_score_function,
    rank_candidates,
    rank_examples,
    top_items_spreading_exposure,
)
from recommender.ml.tailnet.training import TailNetTrainResult, train_tailnet

logger = logging.getLogger(__name__)

ELECTRONICS = "electronics"
BEAUTY = "beauty"
DATASETS = (ELECTRONICS, BEAUTY)
DATA_PATHS = {
    ELECTRONICS: Path("amazon2023/electronics/kcore5"),
    BEAUTY: Path("amazon2014/beauty/user_sequence.txt"),
}
TAILNET = "tailnet"
ABLATION = "gru-attention (no rectification)"
PRIOR_SUFFIX = " + item prior"
REFIT_SUFFIX = ", refit on train + valid"
# Window of the item prior; `TailNetConfig.prior_window_days` gives the
# valid figures that chose it.
PRIOR_DAYS = TailNetConfig().prior_window_days
# The automatic tail quota: the largest quota up to this many positions
# whose valid Recall@20 keeps this share of the quota-0 valid Recall@20.
MAX_AUTO_TAIL_SLOTS = 10
AUTO_RECALL_SHARE = 0.95
AUTO: Literal["auto"] = "auto"
TailSlots = int | Literal["auto"]
# Tail candidates kept per example for a quota with an exposure penalty.
TAIL_DEPTH = 500


def tail_quota_suffix(tail_slots: int, exposure_penalty: float = 0.0) -> str:
    if exposure_penalty:
        return f", {tail_slots} tail slots spread by exposure"
    return f", {tail_slots} tail slots"


@dataclass(frozen=True)
class RankingRule:
    """The length of the measured lists and how their tail quota picks.

    Args:
        cutoff: positions of every measured list, K of the metrics@K.
        slots: positions of the `cutoff` reserved for tail items, or
            "auto".
        exposure_penalty: 0 reserves each example's best tail items; above
            0, see `top_items_spreading_exposure`.
        tail_depth: tail candidates per example with a penalty.
    """

    slots: TailSlots = 0
    exposure_penalty: float = 0.0
    tail_depth: int = TAIL_DEPTH
    cutoff: int = CUTOFF

    def max_auto_slots(self) -> int:
        return min(MAX_AUTO_TAIL_SLOTS, self.cutoff)

    def candidate_depth(self) -> int | None:
        return self.tail_depth if self.slots != 0 and self.exposure_penalty else None

    def top_items(
        self,
        candidates: HeadTailCandidates,
        slots: int,
        examples: PrefixExamples,
        item_count: int,
    ) -> torch.Tensor:
        """Rank `examples` under `slots` reserved positions."""
        if not self.exposure_penalty or slots == 0:
            # Without reserved positions the penalty changes nothing.
            return candidates.top_items(slots)
        order = None
        if examples.timestamp_ms is not None:
            order = np.argsort(examples.timestamp_ms, kind="stable")
        return top_items_spreading_exposure(
            candidates, slots, self.exposure_penalty, item_count, order
        )


@dataclass
class TrainedRanking:
    """Candidates of the examples for one trained model and its refit.

    Args:
        valid: candidates of the valid examples, from the model that
            early stopping kept; the refit model saw valid, so it has none.
        test: candidates of the test examples, keyed by model name.
    """

    valid: HeadTailCandidates
    test: dict[str, HeadTailCandidates]


@dataclass
class EvaluationData:
    """Examples of one data set and the popularity baselines' scores.

    Args:
        click_counts: training clicks per item; they split head from tail.
        baselines: popularity scores per item, keyed by baseline name.
        notes: sentences that describe the protocol, for the report.
    """

    name: str
    item_ids: list[str]
    train: PrefixExamples
    valid: PrefixExamples
    test: PrefixExamples
    click_counts: np.ndarray
    baselines: dict[str, np.ndarray]
    notes: list[str]
    prior: RecentItemPrior | None = None


def load_electronics(
    directory: Path, recent_days: float, prior_days: float = PRIOR_DAYS
) -> EvaluationData:
    """Read the kcore5 benchmark files and build time-split examples."""
    data = read_benchmark_directory(directory)
    log = data.log
    train, valid, test = time_split_examples(
        log.user, log.item, log.timestamp_ms, data.split
    )
    known = log.subset(data.split <= 1)
    all_time = interaction_counts(known)
    recent = recent_counts(known, recent_days)
    baseline = f"popularity (last {recent_days:g} days)"
    return EvaluationData(
        name=ELECTRONICS,
        item_ids=log.item_ids,
        train=train,
        valid=valid,
        test=test,
        click_counts=interaction_counts(data.part("train")),
        baselines={
            baseline: rank_scores(recent, all_time),
            "popularity (all time)": rank_scores(all_time),
        },
        prior=RecentItemPrior(
            log.item, log.timestamp_ms, len(log.item_ids), prior_days
        ),
        notes=[
            f"{len(log)} rows of {len(log.user_ids)} users on "
            f"{len(log.item_ids)} items, global time split of the files.",
            "A user's first interaction has no history and is not predicted; "
            "a test interaction's history includes the user's earlier test "
            "interactions.",
            f"Popularity counts train + valid; {baseline} breaks ties by "
            "all-time counts.",
            f"The item prior and {prior_baseline_name(prior_days)} count the "
            f"interactions of the {prior_days:g} days strictly before each "
            "example's time, earlier test interactions included.",
        ],
    )


def load_beauty(path: Path) -> EvaluationData:
    """Read the Beauty sequences and build leave-last-out examples."""
    sequences = read_user_sequences(path)
    train, valid, test = leave_last_out_examples(sequences.sequences)
    item_count = len(sequences.item_ids)
    known = np.concatenate([sequence[:-1] for sequence in sequences.sequences])
    training = np.concatenate(
        [_train_part(sequence) for sequence in sequences.sequences]
    )
    all_time = np.bincount(known, minlength=item_count)
    return EvaluationData(
        name=BEAUTY,
        item_ids=sequences.item_ids,
        train=train,
        valid=valid,
        test=test,
        click_counts=np.bincount(training, minlength=item_count),
        baselines={"popularity (all time)": rank_scores(all_time)},
        notes=[
            f"{sum(len(s) for s in sequences.sequences)} interactions of "
            f"{len(sequences.user_ids)} users on {item_count} items, "
            "leave-last-out per user (last item test, the one before valid).",
            "The file has no timestamps, so popularity counts all of train + valid.",
        ],
    )


def _train_part(sequence: np.ndarray) -> np.ndarray:
    if len(sequence) >= 3:
        return sequence[:-2]
    return sequence[:-1]


def prior_baseline_name(prior_days: float) -> str:
    return f"popularity (last {prior_days:g} days before each example)"


def load_dataset(
    name: str, data_dir: Path, recent_days: float, prior_days: float = PRIOR_DAYS
) -> EvaluationData:
    """Load one of `DATASETS` from the shared data directory."""
    if name not in DATASETS:
        raise ValueError(
            f"Unknown data set {name!r}; use one of {', '.join(DATASETS)}."
        )
    path = data_dir / DATA_PATHS[name]
    if not path.exists():
        raise FileNotFoundError(
            f"{path} not found; pass the data directory that contains "
            f"{DATA_PATHS[name]} with --data-dir."
        )
    if name == ELECTRONICS:
        return load_electronics(path, recent_days, prior_days)
    return load_beauty(path)


def run_evaluation(
    name: str,
    data_dir: Path,
    config: TailNetConfig,
    recent_days: float = 30.0,
    *,
    prior_days: float = PRIOR_DAYS,
    variants: Sequence[bool] = (False,),
    refit: bool = False,
    tail_slots: TailSlots = 0,
    exposure_penalty: float = 0.0,
    tail_depth: int = TAIL_DEPTH,
    cutoff: int = CUTOFF,
) -> dict[str, Any]:
    """Train TailNet and its ablation on one data set; measure all models.

    Args:
        variants: for each entry, the ablation and TailNet are trained
            with the item prior (True) or without it (False). The prior
            needs timestamps, so True is rejected on beauty.
        refit: also train each model again on train + valid for its best
            epoch count and test that model too.
        tail_slots: positions of the `cutoff` reserved for tail items in extra
            rows of TailNet and the ablation, or "auto" to choose them on
            the valid examples. 0 adds no rows.
        exposure_penalty: above 0, the quota reserves tail items that
            earlier lists showed less often (see `RankingRule`).
        tail_depth: tail candidates per example for that penalty.
        cutoff: positions of every measured list (the K of Recall@K and
            the other metrics). Training still selects epochs on
            Recall@20.
    """
    check_tail_slots(0, cutoff)
    if tail_slots != AUTO:
        check_tail_slots(tail_slots, cutoff)
    if not 0 <= exposure_penalty < np.inf:
        raise ValueError(
            f"exposure_penalty must be a finite number of at least 0, got "
            f"{exposure_penalty!r}."
        )
    if (
        isinstance(tail_depth, bool)
        or not isinstance(tail_depth, int)
        or tail_depth < cutoff
    ):
        # The candidates keep at least `cutoff` tail items whatever the depth.
        raise ValueError(
            f"tail_depth must be a whole number of at least the cutoff, {cutoff}, "
            f"got {tail_depth!r}."
        )
    if exposure_penalty and tail_slots == 0:
        raise ValueError(
            f"exposure_penalty={exposure_penalty:g} spreads the positions of a "
            "tail quota; pass tail_slots (--tail-slots) as well."
        )
    quota = RankingRule(tail_slots, exposure_penalty, tail_depth, cutoff)
    started = time.perf_counter()
    data = load_dataset(name, data_dir, recent_days, prior_days)
    if any(variants) and data.prior is None:
        raise ValueError(
            f"The {name} data set has no timestamps, so the item prior does "
            "not apply; run it with --no-item-prior."
        )
    is_tail = tail_item_mask(data.click_counts, config.head_item_share)
    logger.info(
        "%s: %d train, %d valid, %d test examples",
        name,
        len(data.train),
        len(data.valid),
        len(data.test),
    )
    models: dict[str, dict[str, float]] = {}
    training: dict[str, dict[str, Any]] = {}
    quotas: dict[str, dict[str, Any]] = {}
    for baseline, scores in data.baselines.items():
        top = rank_examples(
            constant_score_function(scores), data.test, len(data.item_ids), cutoff
        )
        models[baseline] = next_item_metrics(top, data.test.targets, is_tail, cutoff)
    if data.prior is not None:
        top = rank_examples(
            prior_popularity_score_function(len(data.item_ids)),
            data.test,
            len(data.item_ids),
            cutoff,
            prior=data.prior,
        )
        baseline = prior_baseline_name(prior_days)
        models[baseline] = next_item_metrics(top, data.test.targets, is_tail, cutoff)
        _log_test(baseline, models[baseline], cutoff)
    for item_prior in variants:
        suffix = PRIOR_SUFFIX if item_prior else ""
        rankings = {}
        for model_name, rectification in ((ABLATION, False), (TAILNET, True)):
            model_config = replace(
                config,
                rectification=rectification,
                item_prior=item_prior,
                prior_window_days=prior_days,
            )
            rankings[model_name] = _train_and_test(
                data,
                model_config,
                model_name + suffix,
                refit,
                models,
                training,
                quota,
            )
        if tail_slots != 0:
            quotas[TAILNET + suffix] = _apply_tail_quota(
                data, rankings, is_tail, quota, models
            )
    head_clicks = data.click_counts[~is_tail].sum()
    return {
        "dataset": name,
        "data_dir": str(data_dir),
        "notes": data.notes,
        "examples": {
            "train": len(data.train),
            "valid": len(data.valid),
            "test": len(data.test),
        },
        "items": len(data.item_ids),
        "head_items": int((~is_tail).sum()),
        "head_click_share": float(head_clicks / max(data.click_counts.sum(), 1)),
        "config": config.to_state(),
        "cutoff": cutoff,
        "prior_days": prior_days if any(variants) else None,
        "models": models,
        "training": training,
        "tail_quotas": quotas,
        "seconds": time.perf_counter() - started,
    }


def tail_quota_curve(
    candidates: HeadTailCandidates,
    examples: PrefixExamples,
    is_tail: np.ndarray,
    max_tail_slots: int = MAX_AUTO_TAIL_SLOTS,
    quota: RankingRule | None = None,
) -> list[dict[str, float]]:
    """Measure the examples at every quota from 0 to `max_tail_slots`."""
    quota = quota or RankingRule(cutoff=candidates.k)
    curve = []
    for slots in range(max_tail_slots + 1):
        top = quota.top_items(candidates, slots, examples, len(is_tail))
        metrics = next_item_metrics(top, examples.targets, is_tail, candidates.k)
        curve.append({"tail_slots": slots, **metrics})
    return curve


def choose_tail_slots(
    curve: Sequence[dict[str, float]],
    recall_share: float = AUTO_RECALL_SHARE,
    cutoff: int = CUTOFF,
) -> int:
    """Return the largest quota with `recall_share` of quota 0's Recall@K.

    `curve` is the output of `tail_quota_curve` at cutoff K, quota 0 first.
    """
    if not curve or curve[0]["tail_slots"] != 0:
        raise ValueError(
            "The curve must start at quota 0; pass the output of tail_quota_curve."
        )
    floor = recall_share * curve[0][f"recall@{cutoff}"]
    return max(
        int(point["tail_slots"])
        for point in curve
        if point[f"recall@{cutoff}"] >= floor
    )


def _apply_tail_quota(
    data: EvaluationData,
    rankings: dict[str, TrainedRanking],
    is_tail: np.ndarray,
    quota: RankingRule,
    models: dict[str, dict[str, float]],
) -> dict[str, Any]:
    """Pick the quota on TailNet's valid curve and test every model with it."""
    tail_slots = quota.slots
    cutoff = quota.cutoff
    # A fixed quota above the automatic range extends the curve to it.
    highest = quota.max_auto_slots() if tail_slots == AUTO else tail_slots
    curve = tail_quota_curve(
        rankings[TAILNET].valid,
        data.valid,
        is_tail,
        max(quota.max_auto_slots(), highest),
        quota,
    )
    if tail_slots == AUTO:
        chosen = choose_tail_slots(curve, cutoff=cutoff)
    else:
        chosen = int(tail_slots)
    item_count = len(data.item_ids)
    # Quota 0 lists are the rows without a quota, already measured.
    test_rankings = rankings.values() if chosen else []
    for ranking in test_rankings:
        for model_name, candidates in ranking.test.items():
            name = model_name + tail_quota_suffix(chosen, quota.exposure_penalty)
            top = quota.top_items(candidates, chosen, data.test, item_count)
            models[name] = next_item_metrics(top, data.test.targets, is_tail, cutoff)
            _log_test(name, models[name], cutoff)
    return {
        "tail_slots": chosen,
        "chosen_on_valid": tail_slots == AUTO,
        "recall_share": AUTO_RECALL_SHARE,
        "exposure_penalty": quota.exposure_penalty,
        "tail_depth": quota.tail_depth if quota.exposure_penalty else None,
        "valid_curve": curve,
    }


def _train_and_test(
    data: EvaluationData,
    config: TailNetConfig,
    model_name: str,
    refit: bool,
    models: dict[str, dict[str, float]],
    training: dict[str, dict[str, Any]],
    quota: RankingRule,
) -> TrainedRanking:
    """Train one model with early stopping, test it, and optionally refit.

    Returns the candidates that a tail quota re-ranks, so that no model
    is scored twice on the same examples.
    """
    is_tail = tail_item_mask(data.click_counts, config.head_item_share)
    prior = data.prior if config.item_prior else None
    cutoff = quota.cutoff
    tail_depth = quota.candidate_depth()
    result = train_tailnet(
        data.train, data.item_ids, data.click_counts, config, data.valid, prior
    )
    ranking = TrainedRanking(
        valid=_candidates(result.model, data.valid, prior, is_tail, tail_depth, cutoff),
        test={
            model_name: _candidates(
                result.model, data.test, prior, is_tail, tail_depth, cutoff
            )
        },
    )
    top = ranking.test[model_name].top_items(0)
    models[model_name] = next_item_metrics(top, data.test.targets, is_tail, cutoff)
    training[model_name] = _training_record(result)
    _log_test(model_name, models[model_name], cutoff)
    if not refit or result.best_epoch < 1:
        return ranking
    both = PrefixExamples.concatenate([data.train, data.valid])
    refit_result = train_tailnet(
        both,
        data.item_ids,
        data.click_counts,
        replace(config, epochs=result.best_epoch),
        None,
        prior,
    )
    refit_name = model_name + REFIT_SUFFIX
    refit_candidates = _candidates(
        refit_result.model, data.test, prior, is_tail, tail_depth, cutoff
    )
    ranking.test[refit_name] = refit_candidates
    top = refit_candidates.top_items(0)
    models[refit_name] = next_item_metrics(top, data.test.targets, is_tail, cutoff)
    training[refit_name] = _training_record(refit_result)
    _log_test(refit_name, models[refit_name], cutoff)
    return ranking


def _candidates(
    model: TailNet,
    examples: PrefixExamples,
    prior: RecentItemPrior | None,
    is_tail: np.ndarray,
    tail_depth: int | None,
    cutoff: int,
) -> HeadTailCandidates:
    return rank_candidates(
        model_score_function(model),
        examples,
        is_tail,
        cutoff,
        prior=prior,
        tail_depth=tail_depth,
    )


def _training_record(result: TailNetTrainResult) -> dict[str, Any]:
    record: dict[str, Any] = {
        "best_epoch": result.best_epoch,
        "epochs_run": len(result.epoch_losses),
        "epoch_losses": result.epoch_losses,
        "valid_metrics": result.valid_metrics,
        "train_seconds": result.seconds,
    }
    if result.model.config.item_prior:
        record["prior_weight"] = float(result.model.prior_weight.detach())
    return record


def _log_test(model_name: str, metrics: dict[str, float], cutoff: int) -> None:
    logger.info(
        "%s: test recall@%d %.4f, mrr@%d %.4f, tail_coverage@%d %.4f",
        model_name,
        cutoff,
        metrics[f"recall@{cutoff}"],
        cutoff,
        metrics[f"mrr@{cutoff}"],
        cutoff,
        metrics[f"tail_coverage@{cutoff}"],
    )


def format_report(report: dict[str, Any]) -> str:
    """Render a report of `run_evaluation` as a Markdown table and notes."""
    k = int(report.get("cutoff", CUTOFF))
    columns = [
        f"recall@{k}",
        f"mrr@{k}",
        f"coverage@{k}",
        f"tail_coverage@{k}",
        f"tail_share@{k}",
    ]
    header = [
        "model",
        f"Recall@{k}",
        f"MRR@{k}",
        f"Coverage@{k}",
        f"Tail-Coverage@{k}",
        f"Tail share@{k}",
    ]

    lines = [
        "| " + " | ".join(header) + " |",
        "| " + " | ".join(["---"] + ["---:"] * (len(header) - 1)) + " |",
    ]
    for model, metrics in report["models"].items():
        cells = [model, *(f"{metrics[column]:.4f}" for column in columns)]
        lines.append("| " + " | ".join(cells) + " |")

    examples = report["examples"]
    config = report["config"]
    lines += [
        "",
        f"Data set {report['dataset']}: " + " ".join(report["notes"]),
        f"Examples: {examples['train']} train, {examples['valid']} valid, "
        f"{examples['test']} test; all {report['items']} items ranked.",
        f"Head items: the {report['head_items']} most clicked of "
        f"{report['items']} ({config['head_item_share']:.0%} of the items, "
        f"{report['head_click_share']:.1%} of the training clicks); the rest "
        "are tail.",
    ]
    for model, run in report["training"].items():
        line = (
            f"{model}: best epoch {run['best_epoch']} of {run['epochs_run']} "
            f"run (max {config['epochs']}), training {run['train_seconds']:.0f} s"
        )
        if "prior_weight" in run:
            line += f", prior weight {run['prior_weight']:.3f}"
        lines.append(line + ".")
    for model, quota in report.get("tail_quotas", {}).items():
        lines += ["", *_format_quota(model, quota, k)]
    lines.append(f"Wall time: {report['seconds']:.0f} s.")
    return "\n".join(lines)


def _format_quota(model: str, quota: dict[str, Any], k: int) -> list[str]:
    """Render the valid curve of one tail quota and how it was chosen."""
    slots = quota["tail_slots"]
    if quota["chosen_on_valid"]:
        reason = (
            f"the largest quota up to {len(quota['valid_curve']) - 1} whose "
            f"valid Recall@{k} is at least {quota['recall_share']:.0%} of "
            "quota 0's"
        )
    else:
        reason = "set on the command line"
    spread = ""
    if quota.get("exposure_penalty"):
        spread = (
            f" The reserved positions go to the best of each example's "
            f"{quota['tail_depth']} best tail items by score - "
            f"{quota['exposure_penalty']:g} * log(1 + earlier lists that "
            "showed the item)."
        )
    lines = [
        f"Tail quota of {model} and its ablation: {slots} of {k} "
        f"positions ({reason}).{spread} Valid examples, model before any "
        "refit:",
        "",
        f"| tail slots | Recall@{k} | MRR@{k} | Tail-Coverage@{k} | Tail share@{k} |",
        "| ---: | ---: | ---: | ---: | ---: |",
    ]
    for point in quota["valid_curve"]:
        cells = [
            str(point["tail_slots"]),
            f"{point[f'recall@{k}']:.4f}",
            f"{point[f'mrr@{k}']:.4f}",
            f"{point[f'tail_coverage@{k}']:.4f}",
            f"{point[f'tail_share@{k}']:.4f}",
        ]
        lines.append("| " + " | ".join(cells) + " |")
    return lines
