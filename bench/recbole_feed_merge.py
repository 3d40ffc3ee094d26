"""Join the reports of `bench/recbole_feed.py` runs over different seeds.

Runs started with different `--first-seed` values on the same data write
one report each. This script prints the table of all their seeds
together, with the 95% intervals over them. Usage:

    .venv/bin/python bench/recbole_feed_merge.py REPORT.json [REPORT.json ...]
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from recbole_feed import format_report


def merge_reports(reports: list[dict[str, Any]]) -> dict[str, Any]:
    """Concatenate the seeded runs of `reports`; keep one popularity run."""
    merged: dict[str, Any] = {
        "data_dir": reports[0]["data_dir"],
        "split": reports[0]["split"],
        "test_users": reports[0]["test_users"],
        "runs": {"popularity": reports[0]["runs"]["popularity"]},
        "selection": {},
        "seconds": {},
        "wall_seconds": max(report["wall_seconds"] for report in reports),
    }
    for report in reports:
        if report["data_dir"] != merged["data_dir"]:
            raise ValueError(
                f"Reports come from different data directories: "
                f"{report['data_dir']} and {merged['data_dir']}. Merge the "
                "reports of one directory only."
            )
        for model, summaries in report["selection"].items():
            merged["runs"].setdefault(model, []).extend(report["runs"][model])
            merged["selection"].setdefault(model, []).extend(summaries)
            merged["seconds"][model] = (
                merged["seconds"].get(model, 0.0) + report["seconds"][model]
            )
    seeds = [run["seed"] for runs in merged["selection"].values() for run in runs]
    if len(seeds) != len(set(seeds)) * len(merged["selection"]):
        raise ValueError(f"Reports repeat a seed: {sorted(seeds)}.")
    return merged


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("reports", type=Path, nargs="+")
    options = parser.parse_args()
    reports = [json.loads(path.read_text()) for path in options.reports]
    try:
        merged = merge_reports(reports)
    except ValueError as error:
        parser.exit(2, f"{parser.prog}: error: {error}\n")
    print(format_report(Path(merged["data_dir"]).name, merged))
    print("(Wall time: the longest of the merged runs, which ran side by side.)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
