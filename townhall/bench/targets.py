"""The targets table: each target beside the figure measured for it."""

from __future__ import annotations

from typing import Any

from townhall.bench.config import BenchConfig


def targets_table(document: dict[str, Any], config: BenchConfig) -> list[dict[str, Any]]:
    """Each target beside the figure measured for it (reported, never asserted)."""
    rows: list[dict[str, Any]] = []

    def add(name: str, target: str, measured: Any, met: bool | None) -> None:
        rows.append({"target": name, "wanted": target, "measured": measured, "met": met})

    bare = document.get("bare_websockets", {}).get("server_cpu", {}).get("us_per_delivered_message")
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
        add(
            f"{label}: vote to another screen p99",
            "<= 500 ms",
            p99,
            None if p99 is None else p99 <= 500,
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
        add(
            f"{label}: durable votes/s (offered {config.votes_per_second:g}/s)",
            ">= 3000/s",
            votes,
            None if votes is None else votes >= 3000,
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
