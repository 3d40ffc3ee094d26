"""Write an evaluation report as a Markdown table file and PNG plots."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt

from recommender.ml.ranking import CUTOFFS

TABLE_FILE = "evaluation-results.md"
ACCURACY_PLOT = "evaluation-accuracy.png"
CUTOFF_PLOT = "evaluation-recall-cutoffs.png"
POPULARITY_PLOT = "evaluation-coverage-popularity.png"
DPI = 110


def write_report_files(report: dict[str, Any], directory: Path) -> list[Path]:
    """Write the tables and three plots of `report` into `directory`.

    Returns the written paths. Existing files of the same names are
    replaced.
    """
    from recommender.ml.evaluation import format_report

    written = [directory / TABLE_FILE]
    written[0].write_text(
        "# Evaluation results\n\n"
        "Written by the evaluation command; see evaluation.md for the "
        "protocol.\n\n" + format_report(report) + "\n"
    )
    for name, draw in (
        (ACCURACY_PLOT, _draw_accuracy),
        (CUTOFF_PLOT, _draw_cutoffs),
        (POPULARITY_PLOT, _draw_popularity),
    ):
        path = directory / name
        figure = draw(report["splits"])
        try:
            figure.savefig(path, dpi=DPI)
        finally:
            plt.close(figure)
        written.append(path)
    return written


def _split_title(result: dict[str, Any]) -> str:
    return f"{result['dataset']}, {result['split']} split"


def _draw_accuracy(results: list[dict[str, Any]]) -> Any:
    """Bars of Recall@20 and NDCG@20 per model, with 95% intervals."""
    figure, axes = plt.subplots(
        1, len(results), figsize=(6 * len(results), 4.5), squeeze=False
    )
    for axis, result in zip(axes[0], results, strict=True):
        models = list(result["models"])
        positions = range(len(models))
        for offset, metric in ((-0.2, "recall@20"), (0.2, "ndcg@20")):
            values = [result["models"][model][metric] for model in models]
            errors = [result["intervals"][model][metric] or 0.0 for model in models]
            axis.barh(
                [position + offset for position in positions],
                values,
                height=0.4,
                xerr=errors,
                label=metric,
                capsize=3,
            )
        axis.set_yticks(list(positions), models)
        axis.invert_yaxis()
        axis.set_title(_split_title(result))
        axis.set_xlabel("test value (error bar: 95% interval over seeds)")
        axis.legend(loc="lower right")
    figure.tight_layout()
    return figure


def _draw_cutoffs(results: list[dict[str, Any]]) -> Any:
    """Recall at each cutoff, one line per model."""
    figure, axes = plt.subplots(
        1, len(results), figsize=(6 * len(results), 4.5), squeeze=False
    )
    for axis, result in zip(axes[0], results, strict=True):
        for model, metrics in result["models"].items():
            axis.plot(
                CUTOFFS,
                [metrics[f"recall@{cutoff}"] for cutoff in CUTOFFS],
                marker="o",
                label=model,
            )
        axis.set_xticks(CUTOFFS)
        axis.set_xlabel("cutoff K")
        axis.set_ylabel("Recall@K")
        axis.set_title(_split_title(result))
        axis.legend(fontsize="small")
    figure.tight_layout()
    return figure


def _draw_popularity(results: list[dict[str, Any]]) -> Any:
    """Item coverage against the average popularity of the top 20."""
    figure, axes = plt.subplots(
        1, len(results), figsize=(6 * len(results), 4.5), squeeze=False
    )
    for axis, result in zip(axes[0], results, strict=True):
        for model, metrics in result["models"].items():
            axis.scatter(
                metrics["average_popularity@20"], metrics["coverage@20"], label=model
            )
        axis.set_xlabel("average popularity of the top 20 (train + valid events)")
        axis.set_ylabel("item coverage@20")
        axis.set_title(_split_title(result))
        axis.legend(fontsize="small")
    figure.tight_layout()
    return figure
