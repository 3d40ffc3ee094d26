"""Train one RecBole sequential model on exported examples; save top-20s.

Run with the RecBole virtual environment that `bench/recbole_sessions.sh`
creates, never with the project's (it imports nothing from the project).
The model trains on `<dataset>.train.inter`, stops early on Recall@20 of
the valid file, and ranks every item for each test row. The top 20 item
ids of each row are written to `--out` as JSON, beside RecBole's own test
figures. Usage:

    python bench/recbole_run.py --model GRU4Rec --dataset beauty \
        --data-path DIR --out FILE [--epochs N] [--seed S] [--threads T]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

import numpy as np

# RecBole 1.2.1 still uses names that NumPy 2 removed.
if not hasattr(np, "float_"):
    np.float_ = np.float64
if not hasattr(np, "bool8"):
    np.bool8 = np.bool_
# torch 2.6 and later load checkpoints with weights_only=True by default,
# which RecBole 1.2.1's own checkpoints do not pass.
os.environ.setdefault("TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD", "1")

import torch
from recbole.config import Config
from recbole.data import create_dataset, data_preparation
from recbole.utils import get_model, get_trainer, init_seed

CUTOFF = 20


def build_config(options: argparse.Namespace) -> Config:
    settings = {
        "data_path": str(options.data_path),
        "checkpoint_dir": str(Path(options.out).parent / "saved"),
        "USER_ID_FIELD": "user_id",
        "ITEM_ID_FIELD": "item_id",
        "load_col": {"inter": ["user_id", "item_id_list", "item_id"]},
        "benchmark_filename": ["train", "valid", "test"],
        # Without the alias, RecBole numbers history ids apart from the
        # target ids and the figures are silently wrong.
        "alias_of_item_id": ["item_id_list"],
        "MAX_ITEM_LIST_LENGTH": 20,
        "train_neg_sample_args": None,
        "loss_type": "CE",
        "epochs": options.epochs,
        "stopping_step": 3,
        "train_batch_size": 256,
        "eval_batch_size": 1024,
        "embedding_size": 64,
        "hidden_size": 64,
        "eval_args": {"order": "TO", "mode": "full"},
        "metrics": ["Recall", "MRR"],
        "topk": [CUTOFF],
        "valid_metric": f"Recall@{CUTOFF}",
        "device": "cpu",
        "use_gpu": False,
        "seed": options.seed,
        "show_progress": False,
    }
    return Config(model=options.model, dataset=options.dataset, config_dict=settings)


@torch.no_grad()
def top_items(model, dataset, test_data) -> tuple[list[str], list[list[str]]]:
    """Rank every item for each test row; return row ids and top item ids."""
    model.eval()
    example_ids: list[str] = []
    tops: list[list[str]] = []
    for batch in test_data:
        interaction = batch[0]
        scores = model.full_sort_predict(interaction).view(len(interaction), -1)
        # Internal id 0 is RecBole's padding item.
        scores[:, 0] = -torch.inf
        top = torch.topk(scores, CUTOFF, dim=1).indices
        example_ids += list(dataset.id2token("user_id", interaction["user_id"]))
        tops += [list(dataset.id2token("item_id", row)) for row in top]
    return example_ids, tops


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", required=True, help="GRU4Rec, NARM or SRGNN.")
    parser.add_argument("--dataset", required=True)
    parser.add_argument("--data-path", type=Path, required=True)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--epochs", type=int, default=20)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--threads",
        type=int,
        default=1,
        help="torch CPU threads; more than one slows these small models "
        "down on a machine that other processes share.",
    )
    options = parser.parse_args()
    torch.set_num_threads(options.threads)

    config = build_config(options)
    init_seed(config["seed"], config["reproducibility"])
    dataset = create_dataset(config)
    train_data, valid_data, test_data = data_preparation(config, dataset)
    model = get_model(config["model"])(config, train_data._dataset)
    trainer = get_trainer(config["MODEL_TYPE"], config["model"])(config, model)
    best_valid, _ = trainer.fit(train_data, valid_data, show_progress=False)
    test_result = trainer.evaluate(test_data, load_best_model=True)
    example_ids, tops = top_items(model, dataset, test_data)

    options.out.parent.mkdir(parents=True, exist_ok=True)
    report = {
        "model": options.model,
        "epochs": options.epochs,
        "best_valid_recall": float(best_valid),
        "recbole_test": {name: float(value) for name, value in test_result.items()},
        "example_ids": [str(name) for name in example_ids],
        "top_items": [[str(item) for item in row] for row in tops],
    }
    options.out.write_text(json.dumps(report))
    print(options.model, report["recbole_test"])
    return 0


if __name__ == "__main__":
    sys.exit(main())
