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

    bare_run = document.get("bare_websockets", {})
    bare = bare_run.get("server_cpu", {}).get("us_per_delivered_message")
    bare_per_vote = bare_run.get("server_cpu", {}).get("us_per_vote")
    bare_votes = bare_run.get("drive", {}).get("votes_acked_per_second")
    bare_p99 = bare_run.get("vote_to_screen", {}).get("p99_ms")
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
        rate = run.get("updates", {}).get("per_socket_per_second_p5")
        add(
            f"{label}: queue updates per screen (5th percentile)",
            ">= 2/s",
            rate,
            None if rate is None else rate >= 2,
        )
        p99 = run.get("vote_to_screen", {}).get("p99_ms")
        p99_ratio = round(p99 / bare_p99, 2) if p99 and bare_p99 else None
        add(
            f"{label}: vote to another screen p99",
            "<= 500 ms and <= 2x bare websockets' p99",
            {"ms": p99, "vs_bare": p99_ratio},
            None if p99 is None else p99 <= 500 and (p99_ratio is None or p99_ratio <= 2),
        )
        ours = run.get("server_cpu", {}).get("us_per_delivered_message")
        ratio = round(ours / bare, 2) if ours and bare else None
        add(
            f"{label}: server CPU per delivered update vs bare websockets",
            "<= 1.5x",
            ratio,
            None if ratio is None else ratio <= 1.5,
        )
        votes = run.get("drive", {}).get("votes_acked_per_second")
        votes_ratio = round(votes / bare_votes, 2) if votes and bare_votes else None
        add(
            f"{label}: durable votes/s vs bare websockets (offered {config.votes_per_second:g}/s)",
            ">= 0.8x",
            {"per_second": votes, "vs_bare": votes_ratio},
            None if votes_ratio is None else votes_ratio >= 0.8,
        )
        if small_load:
            cores = run.get("server_cpu", {}).get("main_process_cores_busy")
            add(
                f"{label}: small load, server main process",
                "<= 0.3 cores",
                cores,
                None if cores is None else cores <= 0.3,
            )
            per_vote = run.get("server_cpu", {}).get("us_per_vote")
            vote_ratio = round(per_vote / bare_per_vote, 2) if per_vote and bare_per_vote else None
            add(
                f"{label}: small load, server CPU per vote vs bare websockets",
                "<= 3x",
                vote_ratio,
                None if vote_ratio is None else vote_ratio <= 3,
            )
        dedup = run.get("dedup_burst", {}).get("questions_per_second")
        dratio = round(dedup / ceiling, 2) if dedup and ceiling else None
        add(
            f"{label}: dedup burst vs model batched encode",
            ">= 0.8x",
            dratio,
            None if dratio is None else dratio >= 0.8,
        )
        add(
            f"{label}: acknowledged but lost",
            "0",
            run.get("lost"),
            None if run.get("lost") is None else run.get("lost") == 0,
        )
        similar = run.get("similar", {}).get("p95_ms")
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
