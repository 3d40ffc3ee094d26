import csv
import json
from pathlib import Path

import pytest
import torch
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError

from recommender.ml.evaluate import main

KCORE5 = Path(str(settings.MARKETPLACE_DATA_DIR)) / "amazon2023/electronics/kcore5"
SLICE_USERS = 300
ALL_ROWS = {
    "popularity",
    "popularity-recent",
    "popularity-30d",
    "item-knn",
    "bpr",
    "lightgcn",
    "two-tower",
    "gnn",
    "pipeline",
}
SEEDED = {"bpr", "lightgcn", "two-tower", "gnn", "pipeline"}
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(autouse=True)
def single_thread():
    torch.set_num_threads(1)


@pytest.fixture(scope="module")
def data_slice(tmp_path_factory):
    """All rows of the first 300 train users, with their items' metadata."""
    directory = tmp_path_factory.mktemp("kcore5_slice")
    with (KCORE5 / "Electronics.train.csv").open(newline="") as handle:
        users = []
        for row in csv.DictReader(handle):
            if row["user_id"] not in users:
                users.append(row["user_id"])
            if len(users) == SLICE_USERS:
                break
    kept_users = set(users)
    items = set()
    for name in ("train", "valid", "test"):
        source = KCORE5 / f"Electronics.{name}.csv"
        with source.open(newline="") as handle:
            lines = handle.readlines()
        kept = [lines[0]]
        for line in lines[1:]:
            user_id, item_id = line.split(",", 2)[:2]
            if user_id in kept_users:
                kept.append(line)
                items.add(item_id)
        (directory / source.name).write_text("".join(kept))
    with (KCORE5 / "meta_Electronics.jsonl").open() as handle:
        metadata = [line for line in handle if json.loads(line)["parent_asin"] in items]
    (directory / "meta_Electronics.jsonl").write_text("".join(metadata))
    return directory


@pytest.mark.slow
def test_evaluate_command_end_to_end(data_slice, tmp_path, capsys):
    output = tmp_path / "report.json"
    docs = tmp_path / "docs"
    docs.mkdir()

    call_command(
        "evaluate",
        "--data-dir",
        str(data_slice),
        "--epochs",
        "2",
        "--gnn-steps",
        "10",
        "--seeds",
        "2",
        "--threads",
        "1",
        "--output",
        str(output),
        "--report-dir",
        str(docs),
    )

    report = json.loads(output.read_text())
    printed = capsys.readouterr().out
    assert [result["split"] for result in report["splits"]] == [
        "time",
        "leave-last-out",
    ]
    for result in report["splits"]:
        assert set(result["models"]) == ALL_ROWS
        for name, metrics in result["models"].items():
            assert 0.0 <= metrics["recall@20"] <= 1.0
            assert 0.0 <= metrics["ndcg@20"] <= 1.0
            assert len(result["runs"][name]) == (2 if name in SEEDED else 1)
            half_width = result["intervals"][name]["recall@20"]
            assert (half_width is not None) == (name in SEEDED)
        assert [run["seed"] for run in result["selection"]["two-tower"]] == [0, 1]
    assert report["splits"][1]["test_users"] == SLICE_USERS
    assert "| recall@20 |" in " ".join(printed.split())
    assert "pipeline" in printed
    table = (docs / "evaluation-results.md").read_text()
    assert "| Electronics | time | pipeline | 2 |" in table
    for name in (
        "evaluation-accuracy.png",
        "evaluation-recall-cutoffs.png",
        "evaluation-coverage-popularity.png",
    ):
        assert (docs / name).read_bytes()[:8] == PNG_SIGNATURE


@pytest.mark.slow
def test_module_command_line_time_split(data_slice, tmp_path, capsys):
    output = tmp_path / "report.json"

    status = main(
        [
            "--data-dir",
            str(data_slice),
            "--split",
            "time",
            "--epochs",
            "1",
            "--seed",
            "3",
            "--threads",
            "1",
            "--no-retrain",
            "--models",
            "popularity-recent,two-tower",
            "--output",
            str(output),
        ]
    )

    report = json.loads(output.read_text())
    assert status == 0
    assert [result["split"] for result in report["splits"]] == ["time"]
    assert report["config"]["seed"] == 3
    assert report["settings"]["retrain"] is False
    result = report["splits"][0]
    assert set(result["models"]) == {"popularity-recent", "popularity-30d", "two-tower"}
    assert result["selection"]["two-tower"][0]["seed"] == 3
    assert "popularity-recent" in capsys.readouterr().out


def test_module_command_line_reports_missing_directory(tmp_path, capsys):
    status = main(["--data-dir", str(tmp_path / "missing")])

    assert status == 2
    assert "not found" in capsys.readouterr().err


def test_evaluate_command_rejects_missing_directory(tmp_path):
    with pytest.raises(CommandError, match="not found"):
        call_command("evaluate", "--data-dir", str(tmp_path / "missing"))


def test_evaluate_command_rejects_zero_epochs(data_slice):
    with pytest.raises(CommandError) as raised:
        call_command("evaluate", "--data-dir", str(data_slice), "--epochs", "0")

    assert str(raised.value) == (
        "invalid --epochs value '0': pass an integer of at least 1."
    )


def test_evaluate_help_states_units(capsys):
    with pytest.raises(SystemExit):
        main(["--help"])

    help_text = " ".join(capsys.readouterr().out.split())
    assert "in days before the prediction moment" in help_text
    assert "Maximum Two-Tower training epochs" in help_text
    assert "Torch CPU threads for training and ranking" in help_text
