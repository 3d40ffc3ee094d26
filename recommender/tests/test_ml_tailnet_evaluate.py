import json

import numpy as np
import pytest

from recommender.ml.tailnet import TailNetConfig
from recommender.ml.tailnet.evaluate import main
from recommender.ml.tailnet.evaluation import (
    ABLATION,
    PRIOR_SUFFIX,
    REFIT_SUFFIX,
    TAILNET,
    run_evaluation,
)

DAY_MS = 86_400_000
MODEL_COLUMNS = {
    "recall@20",
    "mrr@20",
    "coverage@20",
    "tail_coverage@20",
    "tail_share@20",
}


def write_beauty(root, lines):
    directory = root / "amazon2014" / "beauty"
    directory.mkdir(parents=True)
    (directory / "user_sequence.txt").write_text("\n".join(lines) + "\n")


def write_electronics(root):
    """Write a small kcore5 split: 12 users, 8 items, 40 days."""
    directory = root / "amazon2023" / "electronics" / "kcore5"
    directory.mkdir(parents=True)
    rng = np.random.default_rng(5)
    rows = []
    for user in range(12):
        days = np.sort(rng.choice(40, size=6, replace=False))
        items = rng.integers(8, size=6)
        for day, item in zip(days, items, strict=True):
            rows.append((int(day), f"U{user}", f"P{item}"))
    rows.sort()
    parts = {"train": [], "valid": [], "test": []}
    for day, user, item in rows:
        if day < 28:
            part = "train"
        elif day < 34:
            part = "valid"
        else:
            part = "test"
        parts[part].append(f"{user},{item},5.0,{1_600_000_000_000 + day * DAY_MS}")
    for part, lines in parts.items():
        text = "user_id,parent_asin,rating,timestamp\n" + "\n".join(lines) + "\n"
        (directory / f"Electronics.{part}.csv").write_text(text)


def run(capsys, *arguments):
    code = main(list(arguments))
    return code, capsys.readouterr()


def test_evaluate_beauty_end_to_end(tmp_path, capsys):
    lines = [
        f"U{user} " + " ".join(f"I{(user + step) % 9}" for step in range(5))
        for user in range(30)
    ]
    write_beauty(tmp_path, lines)
    output = tmp_path / "report.json"
    code, captured = run(
        capsys,
        "--dataset=beauty",
        f"--data-dir={tmp_path}",
        "--epochs=2",
        "--embedding-dim=8",
        f"--output={output}",
    )
    assert code == 0
    report = json.loads(output.read_text())
    assert report["examples"] == {"train": 60, "valid": 30, "test": 30}
    assert list(report["models"]) == ["popularity (all time)", ABLATION, TAILNET]
    for metrics in report["models"].values():
        assert set(metrics) == MODEL_COLUMNS
    assert report["training"][TAILNET]["epochs_run"] == 2
    assert "| popularity (all time) |" in captured.out
    assert "Head items: the 2 most clicked of 9 (20% of the items" in captured.out


def test_evaluate_electronics_end_to_end(tmp_path, capsys):
    write_electronics(tmp_path)
    output = tmp_path / "report.json"
    code, captured = run(
        capsys,
        "--dataset=electronics",
        f"--data-dir={tmp_path}",
        "--epochs=1",
        "--embedding-dim=8",
        "--recent-days=7",
        "--head-item-share=0.5",
        f"--output={output}",
    )
    assert code == 0
    report = json.loads(output.read_text())
    assert list(report["models"]) == [
        "popularity (last 7 days)",
        "popularity (all time)",
        "popularity (last 90 days before each example)",
        ABLATION + PRIOR_SUFFIX,
        TAILNET + PRIOR_SUFFIX,
    ]
    assert report["config"]["head_item_share"] == 0.5
    assert report["prior_days"] == 90
    assert "(50% of the items" in captured.out
    assert f"{TAILNET + PRIOR_SUFFIX}: best epoch 1 of 1 run" in captured.out
    assert ", prior weight " in captured.out


def test_evaluate_electronics_refit_and_without_prior(tmp_path, capsys):
    write_electronics(tmp_path)
    output = tmp_path / "report.json"
    code, _ = run(
        capsys,
        "--dataset=electronics",
        f"--data-dir={tmp_path}",
        "--epochs=2",
        "--embedding-dim=8",
        "--prior-days=5",
        "--without-prior-too",
        "--refit",
        f"--output={output}",
    )
    assert code == 0
    report = json.loads(output.read_text())
    trained = [
        ABLATION + PRIOR_SUFFIX,
        TAILNET + PRIOR_SUFFIX,
        ABLATION,
        TAILNET,
    ]
    expected = []
    for name in trained:
        expected += [name, name + REFIT_SUFFIX]
    assert list(report["training"]) == expected
    assert "popularity (last 5 days before each example)" in report["models"]
    for name in trained:
        first = report["training"][name]
        refit = report["training"][name + REFIT_SUFFIX]
        assert refit["epochs_run"] == first["best_epoch"]
        assert refit["valid_metrics"] == []
        assert set(report["models"][name + REFIT_SUFFIX]) == MODEL_COLUMNS
    assert "prior_weight" in report["training"][TAILNET + PRIOR_SUFFIX]
    assert "prior_weight" not in report["training"][TAILNET]


def test_evaluate_beauty_rejects_item_prior(tmp_path, capsys):
    write_beauty(tmp_path, ["U1 A B C D", "U2 B C D A"])
    code, captured = run(
        capsys, "--dataset=beauty", f"--data-dir={tmp_path}", "--item-prior"
    )
    assert code == 2
    assert "has no timestamps, so the item prior does not apply" in captured.err


def test_evaluate_missing_data(tmp_path, capsys):
    code, captured = run(capsys, "--dataset=beauty", f"--data-dir={tmp_path}")
    assert code == 2
    assert "user_sequence.txt not found" in captured.err
    assert "--data-dir" in captured.err


def test_evaluate_malformed_data(tmp_path, capsys):
    write_beauty(tmp_path, ["U1 A B C", "U2"])
    code, captured = run(capsys, "--dataset=beauty", f"--data-dir={tmp_path}")
    assert code == 2
    assert "user_sequence.txt, line 2: expected a user id" in captured.err


@pytest.mark.parametrize(
    ("option", "message"),
    [
        ("--epochs=0", "invalid value '0'; expected a whole number of epochs"),
        ("--epochs=two", "invalid value 'two'"),
        ("--head-item-share=1", "expected a share of the items from 0.001"),
        ("--recent-days=-3", "expected a number of days"),
        ("--dataset=movies", "invalid choice: 'movies'"),
    ],
)
def test_evaluate_rejects_invalid_options(capsys, option, message):
    with pytest.raises(SystemExit) as exit_info:
        main(["--dataset=beauty", option])
    assert exit_info.value.code == 2
    assert message in capsys.readouterr().err


def test_evaluate_tail_quota_chosen_on_valid(tmp_path, capsys):
    write_electronics(tmp_path)
    output = tmp_path / "report.json"
    code, captured = run(
        capsys,
        "--dataset=electronics",
        f"--data-dir={tmp_path}",
        "--epochs=1",
        "--embedding-dim=8",
        "--head-item-share=0.5",
        "--refit",
        "--tail-slots=auto",
        f"--output={output}",
    )
    assert code == 0
    report = json.loads(output.read_text())
    quota = report["tail_quotas"][TAILNET + PRIOR_SUFFIX]
    curve = quota["valid_curve"]
    assert [point["tail_slots"] for point in curve] == list(range(11))
    assert quota["chosen_on_valid"] is True
    slots = quota["tail_slots"]
    floor = 0.95 * curve[0]["recall@20"]
    assert curve[slots]["recall@20"] >= floor
    assert all(point["recall@20"] < floor for point in curve[slots + 1 :])
    suffix = f", {slots} tail slots"
    for name in (ABLATION + PRIOR_SUFFIX, TAILNET + PRIOR_SUFFIX):
        assert set(report["models"][name + suffix]) == MODEL_COLUMNS
        assert name + REFIT_SUFFIX + suffix in report["models"]
    assert f"Tail quota of {TAILNET + PRIOR_SUFFIX} and its ablation" in captured.out
    assert "| tail slots | Recall@20 |" in captured.out


def test_evaluate_fixed_tail_quota(tmp_path, capsys):
    lines = [
        f"U{user} " + " ".join(f"I{(user * 3 + step) % 11}" for step in range(5))
        for user in range(30)
    ]
    write_beauty(tmp_path, lines)
    output = tmp_path / "report.json"
    code, _ = run(
        capsys,
        "--dataset=beauty",
        f"--data-dir={tmp_path}",
        "--epochs=1",
        "--embedding-dim=8",
        "--tail-slots=20",
        f"--output={output}",
    )
    assert code == 0
    report = json.loads(output.read_text())
    assert report["tail_quotas"][TAILNET]["tail_slots"] == 20
    assert report["tail_quotas"][TAILNET]["chosen_on_valid"] is False
    curve = report["tail_quotas"][TAILNET]["valid_curve"]
    assert [point["tail_slots"] for point in curve] == list(range(21))
    # 20 tail slots of 11 items: all 9 tail items are in every list, so
    # every tail item is shown.
    assert report["models"][TAILNET + ", 20 tail slots"]["tail_coverage@20"] == 1.0
    assert report["models"][ABLATION + ", 20 tail slots"]["tail_share@20"] == 9 / 11


@pytest.mark.parametrize("value", ["-1", "21", "some", "2.5"])
def test_evaluate_rejects_invalid_tail_slots(capsys, value):
    with pytest.raises(SystemExit) as exit_info:
        main(["--dataset=beauty", f"--tail-slots={value}"])
    assert exit_info.value.code == 2
    assert (
        f"invalid value '{value}'; expected auto or a whole number of positions "
        "from 0 to 20" in capsys.readouterr().err
    )


def test_evaluate_help_describes_tail_slots(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["--help"])

    help_text = " ".join(capsys.readouterr().out.split())
    assert exit_info.value.code == 0
    assert "--tail-slots auto|N" in help_text
    assert "keeps 95% of the Recall@K without a quota" in help_text


def test_evaluate_tail_quota_spread_by_exposure(tmp_path, capsys):
    # 40 items, each in 3 or 4 of the 30 sequences.
    lines = [
        f"U{user} " + " ".join(f"I{(user * 4 + step) % 40}" for step in range(4))
        for user in range(30)
    ]
    write_beauty(tmp_path, lines)
    output = tmp_path / "report.json"
    code, captured = run(
        capsys,
        "--dataset=beauty",
        f"--data-dir={tmp_path}",
        "--epochs=1",
        "--embedding-dim=8",
        "--tail-slots=2",
        "--exposure-penalty=50",
        "--tail-depth=40",
        f"--output={output}",
    )

    assert code == 0
    report = json.loads(output.read_text())
    quota = report["tail_quotas"][TAILNET]
    assert quota["exposure_penalty"] == 50.0
    assert quota["tail_depth"] == 40
    assert report["items"] == 40
    assert report["head_items"] == 8

    suffix = ", 2 tail slots spread by exposure"
    for name in (TAILNET, ABLATION):
        assert set(report["models"][name + suffix]) == MODEL_COLUMNS
        # The 30 test lists reserve 60 positions for the 32 tail items, and
        # the penalty of 50 nats passes every score gap of this tiny model,
        # so the reserved positions rotate through all of them.
        assert report["models"][name + suffix]["tail_coverage@20"] == 1.0
    assert "popularity (all time)" + suffix not in report["models"]
    assert "log(1 + earlier lists that showed the item)" in captured.out


def test_evaluate_rejects_exposure_penalty_without_quota(tmp_path, capsys):
    write_beauty(tmp_path, ["U1 I1 I2 I3"])
    code, captured = run(
        capsys,
        "--dataset=beauty",
        f"--data-dir={tmp_path}",
        "--exposure-penalty=0.5",
    )
    assert code == 2
    assert captured.err == (
        "python -m recommender.ml.tailnet.evaluate: error: exposure_penalty=0.5 "
        "spreads the positions of a tail quota; pass tail_slots (--tail-slots) "
        "as well.\n"
    )


@pytest.mark.parametrize(
    ("option", "message"),
    [
        ("--exposure-penalty=-0.1", "invalid value '-0.1'; expected a number"),
        ("--exposure-penalty=nan", "invalid value 'nan'; expected a number"),
        ("--tail-depth=0", "invalid value '0'; expected a whole number"),
        # Candidates always keep 20 tail items, so a smaller depth would not
        # be the one the report names.
        ("--tail-depth=19", "invalid value '19'; expected a whole number from 20"),
    ],
)
def test_evaluate_rejects_invalid_spread_options(capsys, option, message):
    with pytest.raises(SystemExit) as exit_info:
        main(["--dataset=beauty", "--tail-slots=2", option])
    assert exit_info.value.code == 2
    assert message in capsys.readouterr().err


def test_evaluate_at_shorter_cutoff(tmp_path, capsys):
    lines = [
        f"U{user} " + " ".join(f"I{(user * 4 + step) % 40}" for step in range(4))
        for user in range(30)
    ]
    write_beauty(tmp_path, lines)
    output = tmp_path / "report.json"
    code, captured = run(
        capsys,
        "--dataset=beauty",
        f"--data-dir={tmp_path}",
        "--epochs=1",
        "--embedding-dim=8",
        "--cutoff=5",
        "--tail-slots=auto",
        f"--output={output}",
    )
    assert code == 0
    report = json.loads(output.read_text())
    assert report["cutoff"] == 5
    columns = {name.replace("@20", "@5") for name in MODEL_COLUMNS}
    assert set(report["models"]["popularity (all time)"]) == columns
    assert set(report["models"][TAILNET]) == columns
    # The automatic range stops at the list length.
    curve = report["tail_quotas"][TAILNET]["valid_curve"]
    assert [point["tail_slots"] for point in curve] == [0, 1, 2, 3, 4, 5]
    assert "| model | Recall@5 | MRR@5 | Coverage@5 |" in captured.out
    assert "| tail slots | Recall@5 | MRR@5 |" in captured.out


def test_evaluate_rejects_quota_above_cutoff(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["--dataset=beauty", "--cutoff=4", "--tail-slots=5"])
    assert exit_info.value.code == 2
    assert (
        "argument --tail-slots: invalid value 5; expected at most the --cutoff "
        "of 4 positions" in capsys.readouterr().err
    )


@pytest.mark.parametrize("value", ["0", "21", "2.5"])
def test_evaluate_rejects_invalid_cutoff(capsys, value):
    with pytest.raises(SystemExit) as exit_info:
        main(["--dataset=beauty", f"--cutoff={value}"])
    assert exit_info.value.code == 2
    assert (
        f"invalid value '{value}'; expected a whole number of positions from 1 to 20"
        in capsys.readouterr().err
    )


@pytest.mark.parametrize("depth", [0, 19, True, 20.0])
def test_run_evaluation_rejects_tail_depth_below_cutoff(tmp_path, depth):
    with pytest.raises(ValueError) as error:
        run_evaluation(
            "beauty",
            tmp_path,
            TailNetConfig(),
            tail_slots=1,
            exposure_penalty=0.5,
            tail_depth=depth,
        )
    assert str(error.value) == (
        f"tail_depth must be a whole number of at least the cutoff, 20, got {depth!r}."
    )


def test_evaluate_quota_zero_adds_no_rows(tmp_path, capsys, monkeypatch):
    from recommender.ml.tailnet import evaluation

    monkeypatch.setattr(evaluation, "choose_tail_slots", lambda curve, **_: 0)
    lines = [
        f"U{user} " + " ".join(f"I{(user * 3 + step) % 11}" for step in range(5))
        for user in range(30)
    ]
    write_beauty(tmp_path, lines)
    output = tmp_path / "report.json"
    code, _ = run(
        capsys,
        "--dataset=beauty",
        f"--data-dir={tmp_path}",
        "--epochs=1",
        "--embedding-dim=8",
        "--tail-slots=auto",
        f"--output={output}",
    )
    assert code == 0
    report = json.loads(output.read_text())
    assert report["tail_quotas"][TAILNET]["tail_slots"] == 0
    assert sorted(report["models"]) == sorted(
        ["popularity (all time)", ABLATION, TAILNET]
    )
