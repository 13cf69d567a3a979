"""Questions asked in bulk: the seeds voted on, and the burst that measures dedup."""

from __future__ import annotations

import time
from typing import Any

from townhall.bench import verify
from townhall.bench.config import BenchConfig, log
from townhall.bench.pool import Clients, merge_counts, profile, split


def seed_questions(
    config: BenchConfig, clients: Clients, texts: list[str], database_url: str | None, slug: str
) -> dict[str, Any]:
    """Questions to vote on, asked through the app before the drive; waits for their dedup."""
    count = min(config.seed_questions, config.clients)
    seed_texts = [f"{text} (seed)" for text in texts[:count]] or ["Seed question for voting?"]
    shares = split(seed_texts, len(clients.pipes))
    counts = [
        count // len(shares) + (1 if i < count % len(shares) else 0) for i in range(len(shares))
    ]
    for pipe, share, n in zip(clients.pipes, shares, counts, strict=True):
        pipe.send(
            (
                "burst",
                {
                    "count": n,
                    "texts": share or seed_texts,
                    "max_asked": config.max_asked,
                    "drain_seconds": config.drain_seconds,
                },
            )
        )
    answers = [pipe.recv() for pipe in clients.pipes]
    if database_url is not None:
        event = verify.event_id(database_url, slug)
        deadline = time.monotonic() + config.dedup_timeout
        while time.monotonic() < deadline and verify.dedup_states(database_url, event).get(
            "pending", 0
        ):
            time.sleep(0.25)
    else:
        time.sleep(3.0)
    return merge_counts(a["offered"] for a in answers)


def burst_phase(
    config: BenchConfig,
    clients: Clients,
    texts: list[str],
    database_url: str,
    event: int,
    name: str,
    pid: int | None,
) -> dict[str, Any]:
    before = verify.dedup_states(database_url, event)
    log(f"{name}: burst of {config.burst} questions (dedup states before: {before})")
    started = time.monotonic()
    spy = profile(config, pid, f"{name}-burst", 10)
    shares = split(texts, len(clients.pipes))
    counts = [
        config.burst // len(shares) + (1 if i < config.burst % len(shares) else 0)
        for i in range(len(shares))
    ]
    for pipe, share, count in zip(clients.pipes, shares, counts, strict=True):
        pipe.send(
            (
                "burst",
                {
                    "count": count,
                    "texts": share or ["A question?"],
                    "max_asked": config.max_asked,
                    "drain_seconds": config.drain_seconds,
                },
            )
        )
    answers = [pipe.recv() for pipe in clients.pipes]
    acked_seconds = time.monotonic() - started
    states = before
    while time.monotonic() - started < config.dedup_timeout:
        states = verify.dedup_states(database_url, event)
        if states.get("pending", 0) == 0:
            break
        # Finely: the drain of a 1,000-question burst takes seconds, and each poll's wait is
        # counted in its rate.
        time.sleep(0.05)
    drained = time.monotonic() - started
    if spy is not None:
        spy.wait(60)
    decided = states.get("done", 0) - before.get("done", 0)
    return {
        "offered": merge_counts(a["offered"] for a in answers),
        "acked_within_seconds": round(acked_seconds, 2),
        "decided": decided,
        "still_pending": states.get("pending", 0),
        "seconds_to_drain": round(drained, 2),
        "questions_per_second": round(decided / drained, 1) if drained else None,
    }
