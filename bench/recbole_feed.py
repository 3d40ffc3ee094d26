"""Run RecBole's BPR and LightGCN under the offline evaluation's protocol.

Run with the project's virtual environment; `bench/recbole_feed.sh` calls
it. For one benchmark directory it writes the split files as RecBole
atomic files and, per model and seed:

1. trains one run per setting of the model's grid on train
   (`bench/recbole_feed_run.py`, in the RecBole environment). Each run
   stops early on RecBole's NDCG@20 of the valid file. Its top-50 lists of
   the valid users are scored with `EvaluationContext.valid_score`, the
   function that the project's harness selects settings with;
2. refits the best setting on train + valid for the chosen number of
   epochs and scores its top-50 lists of the test users with
   `EvaluationContext.measure`.

Users without a train (or, for test, train + valid) event get the
all-time popularity ranking, as every learned model of the harness does.
Usage:

    .venv/bin/python bench/recbole_feed.py --data-dir DIR --out DIR \
        --recbole-python PYTHON [--models BPR,LightGCN] [--seeds N]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from recommender.ml.benchmark_files import (
    find_benchmark_files,
    read_benchmark_directory,
)
from recommender.ml.data import InteractionLog
from recommender.ml.evaluation_models import EvaluationContext
from recommender.ml.ranking import CUTOFFS, EvaluationUsers, ScoreFunction
from recommender.ml.splits import files_split
from recommender.ml.statistics import summarize_runs

RUNNER = Path(__file__).resolve().parent / "recbole_feed_run.py"
HEADER = "user_id:token\titem_id:token\n"
# Settings tried on valid for each model; RecBole 1.2.1's defaults
# otherwise (Adam, batch 2,048, one uniform negative per positive, 64
# dimensions; LightGCN with 2 layers and L2 weight 1e-5).
GRIDS: dict[str, tuple[dict[str, float], ...]] = {
    "BPR": ({"learning_rate": 0.001}, {"learning_rate": 0.005}),
    "LightGCN": ({"learning_rate": 0.001}, {"learning_rate": 0.005}),
}
METRICS = [
    f"{name}@{cutoff}" for name in ("recall", "ndcg", "mrr") for cutoff in CUTOFFS
]


def write_atomic(path: Path, logs: list[InteractionLog]) -> None:
    """Write the events of `logs` (one vocabulary) as a RecBole .inter file."""
    with path.open("w", encoding="utf-8") as handle:
        handle.write(HEADER)
        for log in logs:
            for user, item in zip(log.user.tolist(), log.item.tolist(), strict=True):
                handle.write(f"{log.user_ids[user]}\t{log.item_ids[item]}\n")


def export(context: EvaluationContext, out: Path, name: str) -> dict[str, Path]:
    """Write the selection and the refit data sets; return their directories.

    Selection: train, valid, valid. Refit: train + valid, valid, test. The
    refit never evaluates its valid part; the test part is there so that
    the test users and items have RecBole ids.
    """
    split = context.split
    parts = {
        "select": (
            [split.train],
            [split.valid],
            [split.valid],
        ),
        "refit": ([split.train, split.valid], [split.valid], [split.test]),
    }
    directories = {}
    for stage, logs in parts.items():
        dataset = f"{name}-{stage}"
        directory = out / dataset
        directory.mkdir(parents=True, exist_ok=True)
        for part, part_logs in zip(("train", "valid", "test"), logs, strict=True):
            write_atomic(directory / f"{dataset}.{part}.inter", part_logs)
        directories[stage] = directory
    return directories


def list_score_function(
    result: dict[str, Any], users: EvaluationUsers, log: InteractionLog
) -> ScoreFunction:
    """Score each user's exported top-50 items 50 down to 1, the rest -1e9.

    The harness's ranking then keeps the exported order; excluded items
    score -inf there, so they stay last.
    """
    item_index = {item_id: index for index, item_id in enumerate(log.item_ids)}
    user_row = {user_id: row for row, user_id in enumerate(result["user_ids"])}
    lists = np.asarray(
        [
            [
                item_index[item]
                for item in result["top_items"][user_row[log.user_ids[user]]]
            ]
            for user in users.users.tolist()
        ],
        dtype=np.int64,
    )
    width = lists.shape[1]
    ranks = torch.arange(width, 0, -1, dtype=torch.float32)

    def score(positions: np.ndarray) -> torch.Tensor:
        scores = torch.full((len(positions), users.item_count), -1e9)
        rows = torch.arange(len(positions)).unsqueeze(1).expand(-1, width)
        scores[rows, torch.from_numpy(lists[positions])] = ranks
        return scores

    return score


def run_recbole(
    options: argparse.Namespace,
    model: str,
    directory: Path,
    rank_file: Path,
    out: Path,
    seed: int,
    setting: dict[str, float],
    fixed_epochs: int | None = None,
) -> dict[str, Any]:
    """Train one RecBole run in its own environment; return its report."""
    command = [
        str(options.recbole_python.absolute()),
        str(RUNNER),
        "--model",
        model,
        "--dataset",
        directory.name,
        "--data-path",
        str(directory.parent.resolve()),
        "--rank-file",
        str(rank_file.resolve()),
        "--out",
        str(out.resolve()),
        "--seed",
        str(seed),
        "--threads",
        str(options.threads),
        "--epochs",
        str(fixed_epochs or options.epochs),
        "--stopping-step",
        str(options.stopping_step),
    ]
    if fixed_epochs is not None:
        command.append("--epochs-fixed")
    for key, value in setting.items():
        command += ["--set", f"{key}={value}"]
    # RecBole writes log/ and log_tensorboard/ into the working directory;
    # its warnings go to a log file beside the report.
    with out.with_suffix(".log").open("w", encoding="utf-8") as log:
        subprocess.run(
            command, check=True, cwd=options.out, stdout=log, stderr=subprocess.STDOUT
        )
    return json.loads(out.read_text())


def evaluate_model(
    options: argparse.Namespace,
    context: EvaluationContext,
    directories: dict[str, Path],
    model: str,
    seed: int,
) -> tuple[dict[str, float], dict[str, Any]]:
    """Select a setting on valid, refit on train + valid, measure test."""
    select_dir = directories["select"]
    best: tuple[float, dict[str, float], dict[str, Any]] | None = None
    tried = []
    for setting in GRIDS[model]:
        tag = "-".join(f"{key}{value:g}" for key, value in setting.items())
        result = run_recbole(
            options,
            model,
            select_dir,
            select_dir / f"{select_dir.name}.valid.inter",
            select_dir / f"{model}-seed{seed}-{tag}.json",
            seed,
            setting,
        )
        score = list_score_function(result, context.valid_users, context.split.train)
        valid_ndcg = context.valid_score(score)
        tried.append(
            {
                "setting": setting,
                "best_epoch": result["best_epoch"],
                "valid_ndcg@20": valid_ndcg,
                "recbole_valid_ndcg@20": result["recbole_valid_ndcg@20"],
                "seconds": result["seconds"],
            }
        )
        print(
            f"{model} seed {seed} {setting}: valid ndcg@20 {valid_ndcg:.4f}",
            flush=True,
        )
        if best is None or valid_ndcg > best[0]:
            best = (valid_ndcg, setting, result)
    assert best is not None
    valid_ndcg, setting, chosen = best

    refit_dir = directories["refit"]
    refit = run_recbole(
        options,
        model,
        refit_dir,
        refit_dir / f"{refit_dir.name}.test.inter",
        refit_dir / f"{model}-seed{seed}.json",
        seed,
        setting,
        fixed_epochs=chosen["best_epoch"],
    )
    score = list_score_function(refit, context.users, context.known)
    metrics = context.measure(context.rank(score))
    summary = {
        "seed": seed,
        "setting": setting,
        "best_epoch": chosen["best_epoch"],
        "valid_ndcg@20": valid_ndcg,
        "tried": tried,
        "refit_seconds": refit["seconds"],
    }
    return metrics, summary


def format_row(name: str, runs: list[dict[str, float]]) -> str:
    means, half_widths = summarize_runs(runs)
    cells = []
    for metric in [*METRICS, "coverage@20", "tail_share@20"]:
        text = f"{means[metric]:.4f}"
        if half_widths[metric] is not None:
            text += f" ± {half_widths[metric]:.4f}"
        cells.append(text)
    return f"| {name} | {len(runs)} | " + " | ".join(cells) + " |"


def format_report(name: str, report: dict[str, Any]) -> str:
    """Render the test figures and the choices on valid as Markdown."""
    header = ["model", "runs", *METRICS, "coverage@20", "tail_share@20"]
    lines = [
        f"{name}, {report['split']} split, {report['test_users']} test users",
        "",
        "| " + " | ".join(header) + " |",
        "| --- | --- | " + " | ".join("---:" for _ in header[2:]) + " |",
    ]
    lines += [format_row(model, runs) for model, runs in report["runs"].items()]
    lines.append("")
    for model, summaries in report["selection"].items():
        chosen = "; ".join(
            f"seed {run['seed']}: {run['setting']}, {run['best_epoch']} epochs, "
            f"valid ndcg@20 {run['valid_ndcg@20']:.4f}"
            for run in summaries
        )
        lines.append(f"- {model}: {chosen}; {report['seconds'][model]:.0f} s")
    lines.append(f"\nWall time so far: {report['wall_seconds']:.0f} s.")
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, required=True)
    parser.add_argument("--out", type=Path, required=True, metavar="DIR")
    parser.add_argument("--recbole-python", type=Path, required=True)
    parser.add_argument("--models", default="BPR,LightGCN")
    parser.add_argument("--seeds", type=int, default=1, help="Number of seeds.")
    parser.add_argument(
        "--first-seed",
        type=int,
        default=0,
        help="First seed; runs with different first seeds can run side by "
        "side and be joined by bench/recbole_feed_merge.py.",
    )
    parser.add_argument(
        "--epochs", type=int, default=50, help="Maximum epochs per selection run."
    )
    parser.add_argument(
        "--stopping-step",
        type=int,
        default=5,
        help="Epochs without a better valid NDCG@20 before a run stops.",
    )
    parser.add_argument("--threads", type=int, default=1)
    options = parser.parse_args()
    models = options.models.split(",")
    unknown = [model for model in models if model not in GRIDS]
    if unknown:
        parser.error(f"unknown models {unknown}; use names from {', '.join(GRIDS)}")
    torch.set_num_threads(options.threads)

    started = time.perf_counter()
    files, _ = find_benchmark_files(options.data_dir)
    name = files["train"].name.split(".")[0]
    split = files_split(read_benchmark_directory(options.data_dir))
    context = EvaluationContext.build(split, head_share=0.8)
    options.out.mkdir(parents=True, exist_ok=True)
    directories = export(context, options.out, name)

    popularity = context.measure(
        context.rank_as_is(
            lambda positions: context.fallback.expand(len(positions), -1)
        )
    )
    runs: dict[str, list[dict[str, float]]] = {"popularity": [popularity]}
    selection: dict[str, list[dict[str, Any]]] = {}
    seconds = dict.fromkeys(models, 0.0)
    # Seeds run in the outer loop and the report is rewritten after each,
    # so a run stopped early still leaves every finished seed's figures.
    for seed in range(options.first_seed, options.first_seed + options.seeds):
        for model in models:
            model_started = time.perf_counter()
            metrics, summary = evaluate_model(
                options, context, directories, model, seed
            )
            seconds[model] += time.perf_counter() - model_started
            runs.setdefault(model, []).append(metrics)
            selection.setdefault(model, []).append(summary)
            print(
                f"{model} seed {seed}: {summary['setting']}, epochs "
                f"{summary['best_epoch']}, test ndcg@20 {metrics['ndcg@20']:.4f}",
                flush=True,
            )
        report = {
            "data_dir": str(options.data_dir),
            "split": split.name,
            "test_users": len(context.users),
            "grids": {model: list(GRIDS[model]) for model in models},
            "stopping_step": options.stopping_step,
            "max_epochs": options.epochs,
            "runs": runs,
            "selection": selection,
            "seconds": seconds,
            "wall_seconds": time.perf_counter() - started,
        }
        (options.out / f"{name}.report.json").write_text(json.dumps(report, indent=1))
        print(format_report(name, report), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
