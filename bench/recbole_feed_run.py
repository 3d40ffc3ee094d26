"""Train one RecBole general model on exported feed files; save top-50s.

Run with the RecBole virtual environment that `bench/recbole_feed.sh`
creates, never with the project's (it imports nothing from the project).
The model trains on `<dataset>.train.inter`. By default it stops early on
RecBole's NDCG@20 of `<dataset>.valid.inter` and keeps the best epoch.
With `--epochs-fixed` (the refit on train + valid) it trains exactly
`--epochs` epochs and never evaluates the valid file. Every user of
`--rank-file` then gets all items ranked, with internal padding and the
items the user has in the train file left out, and the top 50 item ids
are written to `--out` as JSON with the valid score of each epoch.
Usage:

    python bench/recbole_feed_run.py --model BPR --dataset NAME \
        --data-path DIR --rank-file FILE --out FILE [--epochs N] \
        [--epochs-fixed] [--seed S] [--set KEY=VALUE ...]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
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
from recbole.data.interaction import Interaction
from recbole.utils import get_model, get_trainer, init_seed

CUTOFF = 50


def parse_setting(text: str) -> tuple[str, object]:
    """Parse KEY=VALUE into a config entry, reading the value as JSON."""
    key, separator, value = text.partition("=")
    if not separator or not key:
        raise argparse.ArgumentTypeError(
            f"Invalid setting {text!r}; write KEY=VALUE, e.g. reg_weight=1e-4."
        )
    try:
        return key, json.loads(value)
    except json.JSONDecodeError:
        return key, value


def build_config(options: argparse.Namespace) -> Config:
    settings = {
        "data_path": str(options.data_path),
        "checkpoint_dir": str(Path(options.out).parent / "saved"),
        "USER_ID_FIELD": "user_id",
        "ITEM_ID_FIELD": "item_id",
        "load_col": {"inter": ["user_id", "item_id"]},
        "benchmark_filename": ["train", "valid", "test"],
        "epochs": options.epochs,
        "stopping_step": options.stopping_step,
        "train_batch_size": 2048,
        "eval_batch_size": 4096,
        "embedding_size": 64,
        "eval_args": {"group_by": "user", "order": "RO", "mode": "full"},
        "metrics": ["NDCG"],
        "topk": [20],
        "valid_metric": "NDCG@20",
        "device": "cpu",
        "use_gpu": False,
        "seed": options.seed,
        "show_progress": False,
    }
    settings.update(dict(options.settings))
    return Config(model=options.model, dataset=options.dataset, config_dict=settings)


@torch.no_grad()
def top_items(model, train_dataset, user_tokens: list[str]) -> list[list[str]]:
    """Rank every item for each user; return the top item ids.

    Items the user has in the train part score -inf, as does internal item
    id 0, which is RecBole's padding.
    """
    model.eval()
    users = torch.as_tensor(train_dataset.token2id("user_id", user_tokens))
    feat = train_dataset.inter_feat
    seen_users, seen_items = feat["user_id"], feat["item_id"]
    row_of_user = torch.full((train_dataset.user_num,), -1, dtype=torch.int64)
    tops: list[list[str]] = []
    for start in range(0, len(users), 1024):
        batch = users[start : start + 1024]
        interaction = Interaction({"user_id": batch})
        scores = model.full_sort_predict(interaction).view(len(batch), -1)
        scores[:, 0] = -torch.inf
        row_of_user[batch] = torch.arange(len(batch))
        in_batch = row_of_user[seen_users] >= 0
        scores[row_of_user[seen_users[in_batch]], seen_items[in_batch]] = -torch.inf
        row_of_user[batch] = -1
        top = torch.topk(scores, CUTOFF, dim=1).indices
        tops += [list(train_dataset.id2token("item_id", row)) for row in top]
    return tops


def read_users(path: Path) -> list[str]:
    """Return the distinct user ids of an atomic `.inter` file, in order."""
    with path.open(encoding="utf-8") as handle:
        next(handle)
        users = [line.split("\t", 1)[0] for line in handle if line.strip()]
    return list(dict.fromkeys(users))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", required=True, help="BPR or LightGCN.")
    parser.add_argument("--dataset", required=True)
    parser.add_argument("--data-path", type=Path, required=True)
    parser.add_argument(
        "--rank-file",
        type=Path,
        required=True,
        help="Atomic .inter file whose users are ranked.",
    )
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--epochs", type=int, default=100)
    parser.add_argument("--stopping-step", type=int, default=10)
    parser.add_argument(
        "--epochs-fixed",
        action="store_true",
        help="Train exactly --epochs epochs and skip validation (the refit).",
    )
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument(
        "--set",
        dest="settings",
        type=parse_setting,
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="RecBole config entry, e.g. learning_rate=0.005.",
    )
    options = parser.parse_args()
    torch.set_num_threads(options.threads)

    started = time.perf_counter()
    config = build_config(options)
    init_seed(config["seed"], config["reproducibility"])
    dataset = create_dataset(config)
    train_data, valid_data, _ = data_preparation(config, dataset)
    model = get_model(config["model"])(config, train_data._dataset)
    trainer = get_trainer(config["MODEL_TYPE"], config["model"])(config, model)
    valid_scores: list[float] = []
    if options.epochs_fixed:
        trainer.fit(train_data, None, verbose=False, saved=False)
        best_epoch = options.epochs
    else:
        trainer.fit(
            train_data,
            valid_data,
            verbose=False,
            saved=True,
            callback_fn=lambda epoch, score: valid_scores.append(float(score)),
        )
        # The first epoch with the best score, as RecBole's early stopping
        # keeps it; the checkpoint contains that epoch's weights.
        best_epoch = int(np.argmax(valid_scores)) + 1
        checkpoint = torch.load(trainer.saved_model_file, map_location="cpu")
        model.load_state_dict(checkpoint["state_dict"])
        model.load_other_parameter(checkpoint.get("other_parameter"))
        Path(trainer.saved_model_file).unlink()
    train_seconds = time.perf_counter() - started

    users = read_users(options.rank_file)
    tops = top_items(model, train_data._dataset, users)
    options.out.parent.mkdir(parents=True, exist_ok=True)
    report = {
        "model": options.model,
        "seed": options.seed,
        "settings": dict(options.settings),
        "best_epoch": best_epoch,
        "recbole_valid_ndcg@20": valid_scores,
        "seconds": time.perf_counter() - started,
        "train_seconds": train_seconds,
        "user_ids": users,
        "top_items": [[str(item) for item in row] for row in tops],
    }
    options.out.write_text(json.dumps(report))
    print(
        f"{options.model} seed {options.seed} {dict(options.settings)}: "
        f"best epoch {best_epoch}, {report['seconds']:.0f} s"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
