"""The server's own counters over a phase: /metrics read before and after, and the difference
summarised per batch, per group commit and per tick (docs/performance.md, "Where the time
goes"). Percentiles come from histogram buckets, so a p99 is the bucket bound it falls under.
"""

from __future__ import annotations

import math
import urllib.request
from typing import Any

from prometheus_client.parser import text_string_to_metric_families

Samples = dict[tuple[str, tuple[tuple[str, str], ...]], float]


def scrape(base_url: str) -> Samples | None:
    """Every sample of the server's /metrics, or None when it cannot be read."""
    try:
        with urllib.request.urlopen(f"{base_url}/metrics", timeout=10) as response:
            text = response.read().decode()
    except OSError:
        return None
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def _delta(before: Samples, after: Samples, name: str, **labels: str) -> float:
    key = (name, tuple(sorted(labels.items())))
    return after.get(key, 0.0) - before.get(key, 0.0)


def _histogram(
    before: Samples, after: Samples, name: str, scale: float = 1.0, **labels: str
) -> dict[str, Any]:
    count = _delta(before, after, f"{name}_count", **labels)
    total = _delta(before, after, f"{name}_sum", **labels)
    bounds = sorted(
        (float(le), le)
        for (sample, sample_labels) in after
        if sample == f"{name}_bucket"
        for le in [dict(sample_labels).get("le", "")]
        if {k: v for k, v in sample_labels if k != "le"} == labels
    )
    p99 = None
    for bound, le in bounds:
        cumulative = _delta(before, after, f"{name}_bucket", **labels, le=le)
        if count and cumulative >= 0.99 * count:
            p99 = None if math.isinf(bound) else round(bound * scale, 3)
            break
    return {
        "count": int(count),
        "mean": round(total / count * scale, 3) if count else None,
        "p99_at_most": p99,
    }


def summarise(before: Samples | None, after: Samples | None) -> dict[str, Any] | None:
    """Per vote batch, per group commit and per tick, over the phase (times in ms)."""
    if before is None or after is None:
        return None
    ms = 1000.0
    commits = _histogram(before, after, "townhall_commit_statements")
    count = commits["count"] or 1
    ticks = _histogram(before, after, "townhall_tick_render_seconds", ms)
    tick_count = ticks["count"] or 1
    return {
        "vote_batches": {
            "votes_per_batch": _histogram(before, after, "townhall_batch_size", kind="votes"),
            "batch_ms": _histogram(before, after, "townhall_batch_seconds", ms, kind="votes"),
            "votes_accepted": int(_delta(before, after, "townhall_accepted_total", kind="votes")),
        },
        "group_commits": {
            "count": commits["count"],
            "actions": _histogram(before, after, "townhall_commit_actions"),
            "statements": commits,
            "round_trips_mean": round(
                _delta(before, after, "townhall_commit_round_trips_total") / count, 2
            ),
            "wall_ms": _histogram(before, after, "townhall_commit_seconds", ms),
            "db_wait_ms": _histogram(before, after, "townhall_commit_db_wait_seconds", ms),
            "python_cpu_ms": _histogram(before, after, "townhall_commit_cpu_seconds", ms),
        },
        "ticks": {
            "count": ticks["count"],
            "render_ms": ticks,
            "fan_out_ms": _histogram(before, after, "townhall_tick_fan_out_seconds", ms),
            "sockets_written_per_tick": round(
                _delta(before, after, "townhall_tick_sockets_written_total") / tick_count, 1
            ),
            "sockets_resumed_per_tick": round(
                _delta(before, after, "townhall_tick_sockets_resumed_total") / tick_count, 1
            ),
            "queue_reads_full": int(
                _delta(before, after, "townhall_queue_reads_total", kind="full")
            ),
            "queue_rereads": int(
                _delta(before, after, "townhall_queue_reads_total", kind="reread")
            ),
            "resyncs": int(_delta(before, after, "townhall_resyncs_total")),
            "outbox_drops": int(_delta(before, after, "townhall_outbox_drops_total")),
        },
    }
