"""Small statistics helpers (no numpy needed in the client processes)."""

from __future__ import annotations

import math
from collections.abc import Sequence


def percentile(values: Sequence[float], q: float) -> float | None:
    """The q-th percentile (0-100) by the nearest-rank method; None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, math.ceil(q / 100 * len(ordered)))
    return ordered[rank - 1]


def summary_ms(values_ns: Sequence[int | float]) -> dict[str, float | int | None]:
    """count, p50, p95, p99 and max of nanosecond durations, in milliseconds."""
    ms = [value / 1e6 for value in values_ns]

    def r(value: float | None) -> float | None:
        return None if value is None else round(value, 2)

    return {
        "count": len(ms),
        "p50_ms": r(percentile(ms, 50)),
        "p95_ms": r(percentile(ms, 95)),
        "p99_ms": r(percentile(ms, 99)),
        "max_ms": r(max(ms) if ms else None),
    }
