#!/usr/bin/env bash
# Run RecBole's GRU4Rec, NARM and SR-GNN on the TailNet evaluation examples
# and print Recall@20, MRR@20, Coverage@20 and Tail-Coverage@20 of each,
# computed as `python -m recommender.ml.tailnet.evaluate` computes them, so
# the figures sit beside that command's table for the same data set.
#
# Usage: bench/recbole_sessions.sh electronics|beauty [EPOCHS] [LIMIT]
#   EPOCHS: maximum epochs per model (default 20).
#   LIMIT: export only the first LIMIT examples of each part, for a quick
#          check of the pipeline; figures from a limited run mean nothing.
#
# RecBole 1.2.1 lives in its own virtual environment under bench/out/,
# created on the first run: torch 2.13.0 (the CPU build) first, so that
# nothing pulls a CUDA build, then RecBole with the pins it needs against
# current libraries (numpy<2, setuptools<81, scipy<1.13, pandas<3).
set -euo pipefail
cd "$(dirname "$0")/.."

dataset=${1:?usage: bench/recbole_sessions.sh electronics|beauty [EPOCHS] [LIMIT]}
epochs=${2:-20}
limit=${3:-}
out=bench/out/recbole
venv=$out/venv

if [ ! -x "$venv/bin/python" ]; then
    python3.11 -m venv "$venv"
    "$venv/bin/pip" install --quiet torch==2.13.0
    "$venv/bin/pip" install --quiet recbole==1.2.1 "numpy<2" "setuptools<81" \
        "scipy<1.13" "pandas<3"
fi

rm -rf "$out/data/$dataset"
.venv/bin/python bench/recbole_sessions.py export --dataset "$dataset" \
    --out "$out/data" ${limit:+--limit "$limit"}
root=$(pwd)
for model in GRU4Rec NARM SRGNN; do
    # RecBole writes log/ and log_tensorboard/ into the working directory.
    (cd "$out" && "$root/$venv/bin/python" "$root/bench/recbole_run.py" \
        --model "$model" --dataset "$dataset" --data-path "$root/$out/data" \
        --epochs "$epochs" --out "$root/$out/data/$dataset/$model.topk.json")
done
.venv/bin/python bench/recbole_sessions.py score --dataset "$dataset" --out "$out/data"
