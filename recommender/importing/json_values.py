"""Find what a JSON column cannot store in a decoded JSON value.

No Django imports here.
"""

from __future__ import annotations

import math
from typing import Any

# A fixed limit, far below the recursion limit (1,000 frames by default)
# that json.dumps runs into when the writers serialize a value.
MAX_JSON_DEPTH = 100

JsonContainer = list[Any] | dict[str, Any]


def find_unstorable_json(value: JsonContainer) -> str | None:
    """Return why JSON columns cannot store a value, or None when they can.

    Python's json module decodes NaN, Infinity and -Infinity, and turns a
    number beyond the float range (1e400) into Infinity. JSON has no such
    values, so PostgreSQL and SQLite reject them. The walk uses an explicit
    stack, because json.loads accepts nesting up to the recursion limit.
    """
    stack: list[tuple[JsonContainer, int]] = [(value, 1)]
    while stack:
        container, depth = stack.pop()
        if depth > MAX_JSON_DEPTH:
            return f"is nested more than {MAX_JSON_DEPTH} levels deep"
        children = container.values() if isinstance(container, dict) else container
        for child in children:
            if isinstance(child, str):
                continue
            if isinstance(child, float) and not math.isfinite(child):
                return (
                    f"contains {_name_non_finite(child)}, which JSON columns "
                    "cannot store"
                )
            if isinstance(child, list | dict):
                stack.append((child, depth + 1))
    return None


def _name_non_finite(number: float) -> str:
    if math.isnan(number):
        return "NaN"
    sign = "-" if number < 0 else ""
    return f"{sign}Infinity or a number too large for a float"
