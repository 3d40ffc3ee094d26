"""Mean and 95% confidence interval of metrics over seeded runs."""

from __future__ import annotations

import math

# Two-sided 95% quantiles of Student's t distribution by degrees of
# freedom (standard tables), for intervals over a few seeds.
T_QUANTILES_95 = {
    1: 12.706,
    2: 4.303,
    3: 3.182,
    4: 2.776,
    5: 2.571,
    6: 2.447,
    7: 2.365,
    8: 2.306,
    9: 2.262,
    10: 2.228,
    11: 2.201,
    12: 2.179,
    13: 2.160,
    14: 2.145,
    15: 2.131,
    16: 2.120,
    17: 2.110,
    18: 2.101,
    19: 2.093,
}
MAX_RUNS = max(T_QUANTILES_95) + 1


def confidence_half_width(values: list[float]) -> float | None:
    """Return the half-width of the t-based 95% interval of the mean.

    None for a single value, because one run gives no spread.
    """
    count = len(values)
    if count < 2:
        return None
    if count > MAX_RUNS:
        raise ValueError(
            f"Confidence intervals are tabulated for at most {MAX_RUNS} runs, "
            f"got {count}; run fewer seeds."
        )
    mean = sum(values) / count
    variance = sum((value - mean) ** 2 for value in values) / (count - 1)
    return T_QUANTILES_95[count - 1] * math.sqrt(variance / count)


def summarize_runs(
    runs: list[dict[str, float]],
) -> tuple[dict[str, float], dict[str, float | None]]:
    """Average each metric over `runs` and give its 95% half-width."""
    if not runs:
        raise ValueError("No runs to summarize; evaluate at least one run.")
    means = {}
    half_widths = {}
    for name in runs[0]:
        values = [run[name] for run in runs]
        means[name] = sum(values) / len(values)
        half_widths[name] = confidence_half_width(values)
    return means, half_widths
