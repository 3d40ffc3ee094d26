#!/usr/bin/env bash
# Run RecBole's BPR and LightGCN on a benchmark directory under the offline
# evaluation's protocol. It prints Recall, NDCG and MRR at 10, 20 and 50
# beside all-time popularity, computed by the project's own metric code
# (see bench/recbole_feed.py). So the figures are comparable with the
# tables of `python -m recommender.ml.evaluate` for the same files.
#
# Usage: bench/recbole_feed.sh DATA_DIR [SEEDS] [EPOCHS]
#   DATA_DIR: a directory with *.train.csv, *.valid.csv and *.test.csv.
#   SEEDS: seeds 0 to SEEDS - 1 (default 3).
#   EPOCHS: maximum epochs of each selection run (default 50).
#
# RecBole 1.2.1 lives in its own virtual environment under bench/out/,
# shared with bench/recbole_sessions.sh and created on the first run:
# torch 2.13.0 (the CPU build) first, so that nothing pulls a CUDA build,
# then RecBole with the pins it needs against current libraries
# (numpy<2, setuptools<81, scipy<1.13, pandas<3).
set -euo pipefail
cd "$(dirname "$0")/.."

data_dir=${1:?usage: bench/recbole_feed.sh DATA_DIR [SEEDS] [EPOCHS]}
seeds=${2:-3}
epochs=${3:-50}
out=bench/out/recbole
venv=$out/venv

if [ ! -x "$venv/bin/python" ]; then
    python3.11 -m venv "$venv"
    "$venv/bin/pip" install --quiet torch==2.13.0
    "$venv/bin/pip" install --quiet recbole==1.2.1 "numpy<2" "setuptools<81" \
        "scipy<1.13" "pandas<3"
fi

name=$(basename "$(ls "$data_dir"/*.train.csv* | head -n 1)")
name=${name%%.*}
rm -rf "$out/feed/$name"
.venv/bin/python bench/recbole_feed.py --data-dir "$data_dir" \
    --out "$out/feed/$name" --recbole-python "$venv/bin/python" \
    --seeds "$seeds" --epochs "$epochs"
