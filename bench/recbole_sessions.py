"""Export the TailNet evaluation examples for RecBole, and score its output.

Run with the project's virtual environment. `export` writes the same
train, valid and test examples that `recommender.ml.tailnet.evaluate`
uses as RecBole atomic files, one example per row: a unique example id
in the user column, the history in `item_id_list` and the target in
`item_id`. `score` reads the top-20 lists that `bench/recbole_run.py`
wrote and prints the TailNet metrics, with the same head/tail split.
Usage:

    .venv/bin/python bench/recbole_sessions.py export --dataset NAME --out DIR
    .venv/bin/python bench/recbole_sessions.py score --dataset NAME --out DIR
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from recommender.ml.sessions import PrefixExamples
from recommender.ml.tailnet.evaluate import default_data_dir
from recommender.ml.tailnet.evaluation import DATASETS, load_dataset
from recommender.ml.tailnet.model import tail_item_mask
from recommender.ml.tailnet.ranking import CUTOFF, next_item_metrics

HEADER = "user_id:token\titem_id_list:token_seq\titem_id:token\n"
PARTS = ("train", "valid", "test")


def write_part(
    path: Path, examples: PrefixExamples, item_ids: list[str], prefix: str
) -> None:
    with path.open("w", encoding="utf-8") as handle:
        handle.write(HEADER)
        for row in range(len(examples)):
            history = examples.history[row, : examples.lengths[row]]
            tokens = " ".join(item_ids[item] for item in history.tolist())
            target = item_ids[int(examples.targets[row])]
            handle.write(f"{prefix}{row}\t{tokens}\t{target}\n")


def export(dataset: str, data_dir: Path, out: Path, limit: int | None) -> None:
    """Write `<out>/<dataset>/<dataset>.{train,valid,test}.inter`."""
    data = load_dataset(dataset, data_dir, 30.0)
    directory = out / dataset
    directory.mkdir(parents=True, exist_ok=True)
    for part in PARTS:
        examples: PrefixExamples = getattr(data, part)
        if limit is not None:
            examples = examples.subset(np.arange(min(limit, len(examples))))
        write_part(directory / f"{dataset}.{part}.inter", examples, data.item_ids, part)
        print(f"{part}: {len(examples)} examples")


def score(dataset: str, data_dir: Path, out: Path, head_item_share: float) -> None:
    """Print the metrics of each `<model>.topk.json` in `<out>/<dataset>`."""
    data = load_dataset(dataset, data_dir, 30.0)
    index = {item_id: position for position, item_id in enumerate(data.item_ids)}
    is_tail = tail_item_mask(data.click_counts, head_item_share)
    for path in sorted((out / dataset).glob("*.topk.json")):
        result = json.loads(path.read_text())
        rows = [int(name.removeprefix("test")) for name in result["example_ids"]]
        top = torch.tensor(
            [[index[item] for item in items] for items in result["top_items"]]
        )
        targets = data.test.targets[np.asarray(rows, dtype=np.int64)]
        metrics = next_item_metrics(top, targets, is_tail, CUTOFF)
        figures = ", ".join(f"{name} {value:.4f}" for name, value in metrics.items())
        print(f"{result['model']} ({len(rows)} test examples): {figures}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("action", choices=("export", "score"))
    parser.add_argument("--dataset", choices=DATASETS, required=True)
    parser.add_argument("--data-dir", type=Path, default=default_data_dir())
    parser.add_argument("--out", type=Path, required=True, metavar="DIR")
    parser.add_argument(
        "--limit",
        type=int,
        metavar="N",
        help="Export only the first N examples of each part (a quick check).",
    )
    parser.add_argument("--head-item-share", type=float, default=0.2)
    options = parser.parse_args()
    if options.action == "export":
        export(options.dataset, options.data_dir, options.out, options.limit)
    else:
        score(options.dataset, options.data_dir, options.out, options.head_item_share)
    return 0


if __name__ == "__main__":
    sys.exit(main())
