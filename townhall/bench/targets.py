"""The targets table: each target beside the figure measured for it."""

from __future__ import annotations

from typing import Any

from townhall.bench.config import BenchConfig

SMALL_LOAD_CLIENTS = 300


def targets_table(document: dict[str, Any], config: BenchConfig) -> list[dict[str, Any]]:
    """Each target beside the figure measured for it (reported, never asserted). Ratios are to
    the bare websockets server measured in the same run, since the load generator shares the
    machine and absolute figures move from run to run."""
    rows: list[dict[str, Any]] = []

    def add(name: str, target: str, measured: Any, met: bool | None) -> None:
        rows.append({"target": name, "wanted": target, "measured": measured, "met": met})

    bare = document.get("bare_websockets", {})
    # `make bench-quick`'s shape: a town hall a small machine should hold.
    small_load = config.clients <= SMALL_LOAD_CLIENTS and config.votes_per_second <= 200
    ceiling = document.get("model", {}).get("questions_per_second")
    for label, run in document.get("runs", {}).items():
        connected = run.get("connect", {}).get("connected", 0)
        add(
            f"{label}: participants connected",
            f">= 5000 (asked for {config.clients})",
            connected,
            connected >= 5000,
        )
        rate = _figure(run, "updates", "per_socket_per_second_p5")
        add(
            f"{label}: queue updates per screen (5th percentile)",
            ">= 2/s",
            rate,
            _at_least(rate, 2),
        )
        p99 = _figure(run, "vote_to_screen", "p99_ms")
        p99_ratio = _vs(run, bare, "vote_to_screen", "p99_ms")
        add(
            f"{label}: vote to another screen p99",
            "<= 500 ms and <= 2x bare websockets' p99",
            {"ms": p99, "vs_bare": p99_ratio},
            None if p99 is None else p99 <= 500 and (p99_ratio is None or p99_ratio <= 2),
        )
        ratio = _vs(run, bare, "server_cpu", "us_per_delivered_message")
        add(
            f"{label}: server CPU per delivered update vs bare websockets",
            "<= 1.5x",
            ratio,
            _at_most(ratio, 1.5),
        )
        votes_ratio = _vs(run, bare, "drive", "votes_acked_per_second")
        add(
            f"{label}: durable votes/s vs bare websockets (offered {config.votes_per_second:g}/s)",
            ">= 0.8x",
            {"per_second": _figure(run, "drive", "votes_acked_per_second"), "vs_bare": votes_ratio},
            _at_least(votes_ratio, 0.8),
        )
        if small_load:
            cores = _figure(run, "server_cpu", "main_process_cores_busy")
            add(
                f"{label}: small load, server main process",
                "<= 0.3 cores",
                cores,
                _at_most(cores, 0.3),
            )
            vote_ratio = _vs(run, bare, "server_cpu", "us_per_vote")
            add(
                f"{label}: small load, server CPU per vote vs bare websockets",
                "<= 3x",
                vote_ratio,
                _at_most(vote_ratio, 3),
            )
        dratio = _ratio(_figure(run, "dedup_burst", "questions_per_second"), ceiling)
        add(
            f"{label}: dedup burst vs model batched encode",
            ">= 0.8x",
            dratio,
            _at_least(dratio, 0.8),
        )
        add(f"{label}: acknowledged but lost", "0", run.get("lost"), _at_most(run.get("lost"), 0))
        similar = _figure(run, "similar", "p95_ms")
        if similar is not None:
            add(
                f"{label}: similar lookup p95 ({run['similar']['questions']} questions)",
                "<= 150 ms",
                similar,
                similar <= 150,
            )
    big = document.get("big_event")
    if big:
        snap = big["snapshot_on_connect"].get("p95_ms")
        add(
            "big event: snapshot on connect p95",
            "< 1000 ms",
            snap,
            None if snap is None else snap < 1000,
        )
        sim = big["similar"].get("p95_ms")
        add("big event: similar lookup p95", "< 150 ms", sim, None if sim is None else sim < 150)
    return rows


def _figure(run: dict[str, Any], section: str, key: str) -> Any:
    return run.get(section, {}).get(key)


def _ratio(ours: float | None, theirs: float | None) -> float | None:
    return round(ours / theirs, 2) if ours and theirs else None


def _vs(run: dict[str, Any], bare: dict[str, Any], section: str, key: str) -> float | None:
    """The run's figure over the same run's bare server's."""
    return _ratio(_figure(run, section, key), _figure(bare, section, key))


def _at_most(value: float | None, limit: float) -> bool | None:
    return None if value is None else value <= limit


def _at_least(value: float | None, limit: float) -> bool | None:
    return None if value is None else value >= limit
