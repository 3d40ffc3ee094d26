import argparse
import logging
import math
import os
import shutil
import subprocess
import sys

import pytest
import torch
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError

from recommender.ml.evaluate import (
    PROGRAM,
    OptionError,
    add_evaluation_arguments,
    evaluate_from_arguments,
    main,
    parse_evaluation_options,
)
from recommender.ml.evaluation import (
    EvaluationSettings,
    run_evaluation,
)
from recommender.ml.two_tower import TwoTowerConfig

HEADER = "user_id,parent_asin,rating,timestamp\n"
CPU_COUNT = os.cpu_count() or 1
SEED_RANGE = "an integer from 0 to 18446744073709551615"
DAYS_RANGE = "a number of days above 0 and at most 1,000,000"
MODEL_NAMES = (
    "popularity, popularity-recent, item-knn, bpr, lightgcn, two-tower, gnn, pipeline"
)
THREADS_RANGE = f"an integer from 1 to {CPU_COUNT} (the CPU count)"
NO_EVENTS_ADVICE = "Pass a benchmark directory with train, valid and test events."


@pytest.fixture(autouse=True)
def single_thread():
    torch.set_num_threads(1)


def write_benchmark(directory, train, valid, test):
    directory.mkdir(parents=True, exist_ok=True)
    for name, rows in (("train", train), ("valid", valid), ("test", test)):
        (directory / f"Shop.{name}.csv").write_text(HEADER + "".join(rows))
    return directory


def write_trainable_benchmark(directory):
    """Six users with three train events each, then valid and test events."""
    train = [
        f"u{user},{'ABCDEF'[(user + step) % 6]},5.0,{100 * user + step}\n"
        for user in range(6)
        for step in range(3)
    ]
    valid = [
        f"u{user},{'ABCDEF'[(user + 3) % 6]},4.0,{1000 + user}\n" for user in (0, 1, 2)
    ]
    test = [
        f"u{user},{'ABCDEF'[(user + 4) % 6]},4.0,{2000 + user}\n" for user in (3, 4, 5)
    ]
    return write_benchmark(directory, train, valid, test)


def parse_arguments(argv):
    parser = argparse.ArgumentParser()
    add_evaluation_arguments(parser, default_data_dir=None)
    return parser.parse_args(argv)


def bad_case(name, tmp_path):
    """Return the argv and the expected error message of one bad case."""
    data_dir = write_trainable_benchmark(tmp_path / "shop")
    data = ["--data-dir", str(data_dir)]
    train_file = data_dir / "Shop.train.csv"

    if name == "output-is-directory":
        return [*data, "--output", str(tmp_path)], (
            f"invalid --output value {tmp_path}: it names a directory; pass a "
            f"file path such as {tmp_path / 'evaluation.json'}."
        )

    if name == "output-directory-missing":
        output = tmp_path / "missing" / "report.json"
        return [*data, "--output", str(output)], (
            f"invalid --output value {output}: directory {tmp_path / 'missing'} "
            "does not exist; create it or pass a path in an existing directory."
        )

    if name == "output-inside-file":
        output = train_file / "report.json"
        return [*data, "--output", str(output)], (
            f"invalid --output value {output}: {train_file} is not a directory; "
            "pass a path in an existing directory."
        )

    if name == "header-only-files":
        empty = write_benchmark(tmp_path / "empty", [], [], [])
        return ["--data-dir", str(empty)], (
            f"No train, valid or test events in {empty} for the time split: "
            "Shop.train.csv, Shop.valid.csv and Shop.test.csv have no rows after "
            f"the header. {NO_EVENTS_ADVICE}"
        )

    if name == "binary-csv":
        train_file.write_bytes(b"u\xf5\x00\x01\xff\xfe")
        return data, (
            f"{train_file}, line 1: invalid UTF-8 byte 0xf5 at byte 2 of the "
            "line; benchmark files must be UTF-8 text, plain or gzipped."
        )

    if name == "data-dir-is-file":
        return ["--data-dir", str(train_file)], (
            f"invalid --data-dir: Benchmark directory {train_file} is a file, not "
            f"a directory; pass the directory that contains it ({data_dir}) or "
            "another directory with the *.train.csv, *.valid.csv and *.test.csv "
            "files."
        )

    if name == "report-dir-missing":
        missing = tmp_path / "docs"
        return [*data, "--report-dir", str(missing)], (
            f"invalid --report-dir value {missing}: it is not an existing "
            "directory; create it or pass another one."
        )

    if name == "seeds-past-largest-seed":
        return [*data, "--seed", str(2**64 - 1), "--seeds", "2"], (
            f"invalid --seeds value 2: --seed {2**64 - 1} plus 2 seeds passes "
            f"{2**64 - 1}; pass a lower --seed."
        )

    if name == "data-dir-missing":
        missing = tmp_path / "missing"
        return ["--data-dir", str(missing)], (
            f"invalid --data-dir: Benchmark directory {missing} not found; pass "
            "the directory that contains the *.train.csv, *.valid.csv and "
            "*.test.csv files."
        )

    option, value = OPTION_CASES[name]
    return [*data, option, value], OPTION_MESSAGES[name]


OPTION_CASES = {
    "threads-too-many": ("--threads", "100000"),
    "threads-zero": ("--threads", "0"),
    "threads-text": ("--threads", "two"),
    "recent-days-nan": ("--recent-days", "nan"),
    "recent-days-negative": ("--recent-days", "-5"),
    "recent-days-zero": ("--recent-days", "0"),
    "recent-days-infinite": ("--recent-days", "inf"),
    "recent-days-too-long": ("--recent-days", "1000001"),
    "recent-days-text": ("--recent-days", "month"),
    "epochs-zero": ("--epochs", "0"),
    "epochs-fraction": ("--epochs", "1.5"),
    "seed-text": ("--seed", "abc"),
    "seed-negative": ("--seed", "-1"),
    "seed-too-large": ("--seed", str(2**64)),
    "seeds-zero": ("--seeds", "0"),
    "seeds-too-many": ("--seeds", "21"),
    "models-unknown": ("--models", "two-tower,ngcf"),
    "models-empty": ("--models", ","),
    "gnn-steps-zero": ("--gnn-steps", "0"),
}
OPTION_MESSAGES = {
    "threads-too-many": f"invalid --threads value '100000': pass {THREADS_RANGE}.",
    "threads-zero": f"invalid --threads value '0': pass {THREADS_RANGE}.",
    "threads-text": f"invalid --threads value 'two': pass {THREADS_RANGE}.",
    "recent-days-nan": f"invalid --recent-days value 'nan': pass {DAYS_RANGE}.",
    "recent-days-negative": f"invalid --recent-days value '-5': pass {DAYS_RANGE}.",
    "recent-days-zero": f"invalid --recent-days value '0': pass {DAYS_RANGE}.",
    "recent-days-infinite": f"invalid --recent-days value 'inf': pass {DAYS_RANGE}.",
    "recent-days-too-long": (
        f"invalid --recent-days value '1000001': pass {DAYS_RANGE}."
    ),
    "recent-days-text": f"invalid --recent-days value 'month': pass {DAYS_RANGE}.",
    "epochs-zero": "invalid --epochs value '0': pass an integer of at least 1.",
    "epochs-fraction": "invalid --epochs value '1.5': pass an integer of at least 1.",
    "seed-text": f"invalid --seed value 'abc': pass {SEED_RANGE}.",
    "seed-negative": f"invalid --seed value '-1': pass {SEED_RANGE}.",
    "seed-too-large": f"invalid --seed value '{2**64}': pass {SEED_RANGE}.",
    "seeds-zero": "invalid --seeds value '0': pass an integer from 1 to 20.",
    "seeds-too-many": "invalid --seeds value '21': pass an integer from 1 to 20.",
    "models-unknown": (
        "invalid --models value 'two-tower,ngcf': pass comma-separated names "
        f"from {MODEL_NAMES}."
    ),
    "models-empty": (
        f"invalid --models value ',': pass comma-separated names from {MODEL_NAMES}."
    ),
    "gnn-steps-zero": "invalid --gnn-steps value '0': pass an integer of at least 1.",
}
BAD_CASES = [
    "output-is-directory",
    "output-directory-missing",
    "output-inside-file",
    "header-only-files",
    "binary-csv",
    "data-dir-is-file",
    "data-dir-missing",
    "report-dir-missing",
    "seeds-past-largest-seed",
    *OPTION_CASES,
]


@pytest.mark.parametrize("name", BAD_CASES)
def test_evaluate_command_rejects_bad_case(name, tmp_path):
    argv, message = bad_case(name, tmp_path)

    with pytest.raises(CommandError) as raised:
        call_command("evaluate", *argv)

    assert str(raised.value) == message


@pytest.mark.parametrize("name", BAD_CASES)
def test_module_main_rejects_bad_case(name, tmp_path, capsys):
    argv, message = bad_case(name, tmp_path)

    status = main(argv)

    captured = capsys.readouterr()
    assert status == 2
    assert captured.err.splitlines()[-1] == f"{PROGRAM}: error: {message}"
    assert "Traceback" not in captured.err
    assert captured.out == ""


@pytest.mark.parametrize(
    "name", ["threads-too-many", "header-only-files", "output-is-directory"]
)
def test_module_process_exits_with_one_line(name, tmp_path):
    argv, message = bad_case(name, tmp_path)

    finished = subprocess.run(
        [sys.executable, "-m", "recommender.ml.evaluate", *argv],
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    assert finished.returncode == 2
    assert finished.stderr.splitlines()[-1] == f"{PROGRAM}: error: {message}"
    assert "Traceback" not in finished.stderr
    assert finished.stdout == ""


def test_module_process_option_error_is_only_line(tmp_path):
    argv, message = bad_case("recent-days-nan", tmp_path)

    finished = subprocess.run(
        [sys.executable, "-m", "recommender.ml.evaluate", *argv],
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    assert finished.stderr == f"{PROGRAM}: error: {message}\n"


KEYWORD_CASES = {
    "threads": (
        {"threads": 100_000},
        f"invalid --threads value 100000: pass {THREADS_RANGE}.",
    ),
    "recent-days": (
        {"recent_days": math.nan},
        f"invalid --recent-days value nan: pass {DAYS_RANGE}.",
    ),
    "recent-days-negative": (
        {"recent_days": -5.0},
        f"invalid --recent-days value -5.0: pass {DAYS_RANGE}.",
    ),
    "epochs": (
        {"epochs": 0},
        "invalid --epochs value 0: pass an integer of at least 1.",
    ),
    "epochs-boolean": (
        {"epochs": True},
        "invalid --epochs value True: pass an integer of at least 1.",
    ),
    "seed": ({"seed": 1.5}, f"invalid --seed value 1.5: pass {SEED_RANGE}."),
    "split": (
        {"split": "weekly"},
        "invalid --split value 'weekly': pass one of time, leave-last-out, "
        "files, both.",
    ),
    "no-retrain": (
        {"no_retrain": "yes"},
        "invalid --no-retrain value 'yes': pass True or False.",
    ),
}


@pytest.mark.parametrize("name", KEYWORD_CASES)
def test_evaluate_command_checks_keyword_options(name, tmp_path):
    data_dir = write_trainable_benchmark(tmp_path / "shop")
    options, message = KEYWORD_CASES[name]

    with pytest.raises(CommandError) as raised:
        call_command("evaluate", data_dir=str(data_dir), **options)

    assert str(raised.value) == message


def test_evaluate_command_checks_keyword_output(tmp_path):
    data_dir = write_trainable_benchmark(tmp_path / "shop")

    with pytest.raises(CommandError) as raised:
        call_command("evaluate", data_dir=str(data_dir), output=tmp_path)

    assert str(raised.value).startswith(
        f"invalid --output value {tmp_path}: it names a directory"
    )


def test_output_with_trailing_slash_is_directory(tmp_path):
    data_dir = write_trainable_benchmark(tmp_path / "shop")
    output = f"{tmp_path}/reports/"

    with pytest.raises(OptionError) as raised:
        parse_evaluation_options(
            parse_arguments(["--data-dir", str(data_dir), "--output", output])
        )

    assert str(raised.value) == (
        f"invalid --output value {output}: it names a directory; pass a file "
        f"path such as {tmp_path / 'reports' / 'evaluation.json'}."
    )


def test_output_directory_must_be_writable(tmp_path, monkeypatch):
    data_dir = write_trainable_benchmark(tmp_path / "shop")
    output = tmp_path / "report.json"
    # The tests may run as root, which may write anywhere, so the permission
    # check itself is replaced.
    monkeypatch.setattr(os, "access", lambda path, mode: False)

    with pytest.raises(OptionError) as raised:
        parse_evaluation_options(
            parse_arguments(["--data-dir", str(data_dir), "--output", str(output)])
        )

    assert str(raised.value) == (
        f"invalid --output value {output}: directory {tmp_path} is not "
        "writable; pass a path in a writable directory."
    )


def test_existing_output_file_must_be_writable(tmp_path, monkeypatch):
    data_dir = write_trainable_benchmark(tmp_path / "shop")
    output = tmp_path / "report.json"
    output.write_text("{}")
    monkeypatch.setattr(os, "access", lambda path, mode: False)

    with pytest.raises(OptionError) as raised:
        parse_evaluation_options(
            parse_arguments(["--data-dir", str(data_dir), "--output", str(output)])
        )

    assert str(raised.value) == (
        f"invalid --output value {output}: the file is not writable; change "
        "its permissions or pass another path."
    )


def test_parse_options_converts_values(tmp_path):
    data_dir = write_trainable_benchmark(tmp_path / "shop")
    argv = ["--data-dir", str(data_dir), "--epochs", "3", "--seed", "7"]
    argv += ["--threads", "1", "--recent-days", "7.5", "--split", "time"]
    argv += ["--no-retrain", "--output", str(tmp_path / "report.json")]
    argv += ["--seeds", "3", "--models", "bpr,pipeline,bpr", "--gnn-steps", "40"]
    argv += ["--report-dir", str(tmp_path)]

    checked = parse_evaluation_options(parse_arguments(argv))

    assert checked.data_dirs == [data_dir]
    assert checked.split_names == ("time",)
    assert checked.config == TwoTowerConfig(epochs=3, seed=7, threads=1)
    assert checked.settings == EvaluationSettings(
        recent_days=7.5,
        retrain=False,
        seeds=(7, 8, 9),
        models=("bpr", "pipeline"),
        gnn_steps=40,
    )
    assert checked.output == tmp_path / "report.json"
    assert checked.report_dir == tmp_path


def test_parse_options_takes_several_directories(tmp_path):
    first = write_trainable_benchmark(tmp_path / "first")
    second = write_trainable_benchmark(tmp_path / "second")
    argv = ["--data-dir", str(first), str(second), "--split", "files"]

    checked = parse_evaluation_options(parse_arguments(argv))

    assert checked.data_dirs == [first, second]
    assert checked.split_names == ("files",)


def test_parse_options_accepts_defaults(tmp_path):
    data_dir = write_trainable_benchmark(tmp_path / "shop")

    checked = parse_evaluation_options(parse_arguments(["--data-dir", str(data_dir)]))

    assert checked.split_names == ("time", "leave-last-out")
    assert checked.config.threads == min(2, CPU_COUNT)
    assert checked.settings.recent_days == 30.0
    assert checked.output is None


def test_module_main_reports_unknown_split_in_one_line(tmp_path, capsys):
    data_dir = write_trainable_benchmark(tmp_path / "shop")

    with pytest.raises(SystemExit) as exited:
        main(["--data-dir", str(data_dir), "--split", "weekly"])

    assert exited.value.code == 2
    assert capsys.readouterr().err == (
        f"{PROGRAM}: error: argument --split: invalid choice: 'weekly' (choose "
        "from 'time', 'leave-last-out', 'files', 'both'); see --help.\n"
    )


def test_module_main_requires_data_dir(capsys):
    with pytest.raises(SystemExit) as exited:
        main([])

    assert exited.value.code == 2
    assert capsys.readouterr().err == (
        f"{PROGRAM}: error: the following arguments are required: --data-dir; "
        "see --help.\n"
    )


def test_help_states_option_ranges(capsys):
    with pytest.raises(SystemExit):
        main(["--help"])

    help_text = " ".join(capsys.readouterr().out.split())
    assert "from 1 to the CPU count" in help_text
    assert "an integer from 0 to 2**64 - 1" in help_text
    assert "above 0 and at most 1,000,000" in help_text
    assert "its directory must exist" in help_text


def test_time_split_without_valid_events(tmp_path):
    data_dir = write_benchmark(
        tmp_path, ["u1,A,5.0,1\n", "u1,B,5.0,2\n"], [], ["u1,C,5.0,3\n"]
    )

    with pytest.raises(ValueError) as raised:
        run_evaluation(
            data_dir, ("time",), TwoTowerConfig(threads=1), EvaluationSettings()
        )

    assert str(raised.value) == (
        f"No valid events in {data_dir} for the time split: Shop.valid.csv has "
        f"no rows after the header. {NO_EVENTS_ADVICE}"
    )


def test_leave_last_out_needs_two_distinct_events(tmp_path):
    # u1's two rows are exact copies, which the split counts once.
    data_dir = write_benchmark(
        tmp_path, ["u1,A,5.0,1\n", "u2,B,5.0,2\n"], ["u1,A,5.0,1\n"], ["u3,C,5.0,3\n"]
    )

    with pytest.raises(ValueError) as raised:
        run_evaluation(
            data_dir,
            ("leave-last-out",),
            TwoTowerConfig(threads=1),
            EvaluationSettings(),
        )

    assert str(raised.value) == (
        f"No valid or test events in {data_dir} for the leave-last-out split: "
        f"no user has two or more distinct events. {NO_EVENTS_ADVICE}"
    )


def test_leave_last_out_needs_three_distinct_events(tmp_path):
    data_dir = write_benchmark(
        tmp_path, ["u1,A,5.0,1\n", "u2,B,5.0,2\n"], ["u1,B,5.0,3\n"], ["u2,A,5.0,4\n"]
    )

    with pytest.raises(ValueError) as raised:
        run_evaluation(
            data_dir,
            ("leave-last-out",),
            TwoTowerConfig(threads=1),
            EvaluationSettings(),
        )

    assert str(raised.value) == (
        f"No valid events in {data_dir} for the leave-last-out split: no user "
        f"has three or more distinct events. {NO_EVENTS_ADVICE}"
    )


def test_every_split_is_checked_before_training(tmp_path, caplog):
    # The time split has events in each file, but every user has one event,
    # so the leave-last-out split has no test events.
    data_dir = write_benchmark(
        tmp_path, ["u1,A,5.0,1\n"], ["u2,B,5.0,2\n"], ["u3,C,5.0,3\n"]
    )
    caplog.set_level(logging.INFO)

    with pytest.raises(ValueError, match="for the leave-last-out split"):
        run_evaluation(
            data_dir,
            ("time", "leave-last-out"),
            TwoTowerConfig(threads=1),
            EvaluationSettings(),
        )

    assert not any("Training Two-Tower" in record.message for record in caplog.records)


@pytest.mark.parametrize(
    ("settings_options", "message"),
    [
        (
            {"recent_days": math.nan},
            "EvaluationSettings.recent_days must be a number of days above 0 and "
            "at most 1,000,000, got nan.",
        ),
        (
            {"recent_days": -5.0},
            "EvaluationSettings.recent_days must be a number of days above 0 and "
            "at most 1,000,000, got -5.0.",
        ),
        (
            {"head_share": 0.0},
            "EvaluationSettings.head_share must be in (0, 1], got 0.0.",
        ),
        (
            {"seeds": ()},
            "EvaluationSettings.seeds must name at least one seed.",
        ),
        (
            {"models": ("two-tower", "ngcf")},
            "EvaluationSettings.models has unknown or no model names "
            f"['ngcf']; use names from {MODEL_NAMES}.",
        ),
        (
            {"models": ()},
            "EvaluationSettings.models has unknown or no model names []; use "
            f"names from {MODEL_NAMES}.",
        ),
        (
            {"gnn_steps": 0},
            "EvaluationSettings.gnn_steps must be at least 1, got 0.",
        ),
    ],
)
def test_evaluation_settings_reject_invalid_values(settings_options, message):
    with pytest.raises(ValueError) as raised:
        EvaluationSettings(**settings_options)

    assert str(raised.value) == message


@pytest.mark.slow
def test_table_is_shown_before_report_is_written(tmp_path):
    data_dir = write_trainable_benchmark(tmp_path / "shop")
    output = tmp_path / "report.json"
    report_existed = []
    options = parse_arguments(
        [
            *("--data-dir", str(data_dir), "--split", "time", "--epochs", "1"),
            *("--threads", "1", "--output", str(output)),
        ]
    )

    evaluate_from_arguments(
        options, show=lambda table: report_existed.append(output.exists())
    )

    assert report_existed == [False]
    assert output.exists()


@pytest.mark.slow
def test_failed_report_write_keeps_table(tmp_path):
    data_dir = write_trainable_benchmark(tmp_path / "shop")
    output = tmp_path / "reports" / "report.json"
    output.parent.mkdir()
    tables = []

    def show_then_remove_directory(table):
        tables.append(table)
        shutil.rmtree(output.parent)

    options = parse_arguments(
        [
            *("--data-dir", str(data_dir), "--split", "time", "--epochs", "1"),
            *("--threads", "1", "--output", str(output)),
        ]
    )

    with pytest.raises(OptionError) as raised:
        evaluate_from_arguments(options, show=show_then_remove_directory)

    assert str(raised.value) == (
        f"failed to write --output {output} (No such file or directory); the table "
        "above is complete, so pass a writable --output path to keep the JSON "
        "report next time."
    )
    assert len(tables) == 1
    assert "two-tower" in tables[0]
