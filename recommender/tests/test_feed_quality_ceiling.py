import subprocess
import sys
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[2] / "bench" / "feed_quality_ceiling.py"
DAY_MS = 86_400_000
HEADER = "user_id,parent_asin,rating,timestamp\n"


def write_split(directory: Path, parts: dict[str, list[tuple[str, str, int]]]) -> None:
    for name, rows in parts.items():
        lines = [f"{user},{item},5.0,{day * DAY_MS}\n" for user, item, day in rows]
        (directory / f"Tiny.{name}.csv").write_text(HEADER + "".join(lines))


def run_script(directory: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(SCRIPT), str(directory)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_future_popularity_beats_recent_window(tmp_path):
    # Items 0-19 carry the recent events, and 23 and 24 only one old event
    # each. Both test users rate 23 and 24, so the 30-day top 20 misses
    # them and the test period's own popularity finds them. Every top 50
    # contains both, because the catalog has 25 items.
    train = [("filler", f"I{item}", 1 + item) for item in range(25)]
    train += [("recent", f"I{item}", 30) for item in range(20)]
    valid = [("late", "I0", 31)]
    test = [(user, item, 40) for user in ("u1", "u2") for item in ("I23", "I24")]
    write_split(tmp_path, {"train": train, "valid": valid, "test": test})

    result = run_script(tmp_path)

    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert (
        "| popularity of the last 30 days | 0.0000 | 0.0000 | 1.0000 | n/a, n/a |"
        in lines
    )
    assert (
        "| future popularity (test events per product) | 1.0000 | 1.0000 | 1.0000 "
        "| n/a, n/a |" in lines
    )
    assert (
        "| future popularity, products with an earlier event only | 1.0000 | "
        "1.0000 | 1.0000 | n/a, n/a |" in lines
    )
    assert lines[0] == f"time split of {tmp_path}: 2 test users"


def test_leave_last_out_split_rejected(tmp_path):
    # The valid event precedes a train event, so the files are not a global
    # time split.
    train = [("a", "I0", 1), ("a", "I1", 10), ("b", "I1", 2)]
    valid = [("a", "I2", 5)]
    test = [("a", "I3", 20)]
    write_split(tmp_path, {"train": train, "valid": valid, "test": test})

    result = run_script(tmp_path)

    assert result.returncode == 2
    assert result.stdout == ""
    assert (
        f"{tmp_path} holds a leave-last-out split; the test period's popularity "
        "is defined only on a global time split." in result.stderr
    )


def test_goal_must_be_positive(tmp_path):
    result = subprocess.run(
        [sys.executable, str(SCRIPT), str(tmp_path), "--goal", "0"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    assert result.returncode == 2
    assert "--goal must be a number above 0, got 0.0." in result.stderr


def test_missing_directory_reported(tmp_path):
    missing = tmp_path / "absent"

    result = run_script(missing)

    assert result.returncode == 2
    assert f"Benchmark directory {missing} not found" in result.stderr


def test_empty_test_file_reported(tmp_path):
    train = [("a", "I0", 1), ("b", "I1", 2)]
    valid = [("a", "I1", 3)]
    write_split(tmp_path, {"train": train, "valid": valid, "test": []})

    result = run_script(tmp_path)

    assert result.returncode == 2
    assert f"The test file in {tmp_path} has no events" in result.stderr
