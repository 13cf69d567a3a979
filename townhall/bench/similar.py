"""The similar-question lookups, and the big event (snapshot on connect and lookups)."""

from __future__ import annotations

import asyncio
import json
import time
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any

from townhall.bench import servers
from townhall.bench.config import BenchConfig, log
from townhall.bench.cookie import fetch_cookie
from townhall.bench.procstat import rss_bytes
from townhall.bench.stats import summary_ms


def similar_lookups(base_url: str, slug: str, texts: list[str]) -> dict[str, Any]:
    def get(text: str) -> tuple[int, int]:
        query = urllib.parse.urlencode({"text": text})
        started = time.monotonic_ns()
        with urllib.request.urlopen(
            f"{base_url}/api/events/{slug}/similar?{query}", timeout=60
        ) as response:
            found = len(json.loads(response.read())["similar"])
        return time.monotonic_ns() - started, found

    first, _ = get(texts[0])
    timings, found = [], 0
    for text in texts[1:]:
        took, hits = get(text)
        timings.append(took)
        found += hits
    return {
        "first_ms": round(first / 1e6, 1),
        **summary_ms(timings),
        "mean_results": round(found / max(1, len(timings)), 2),
    }


async def snapshot_times(server: servers.Server, slug: str, connects: int) -> dict[str, Any]:
    from websockets.asyncio.client import connect

    timings, sizes = [], []
    for _ in range(connects):
        cookie = await fetch_cookie(server.base_url, slug)
        async with connect(
            f"{server.ws_url}/ws/events/{slug}",
            additional_headers={"Cookie": f"townhall_participant={cookie}"},
            max_size=2**24,
        ) as ws:
            started = time.monotonic_ns()
            await ws.send('{"type":"hello"}')
            while True:
                raw = await asyncio.wait_for(ws.recv(), 60)
                if isinstance(raw, str) and raw.startswith('{"type":"snapshot"'):
                    timings.append(time.monotonic_ns() - started)
                    sizes.append(len(raw.encode()))
                    break
    return {**summary_ms(timings), "snapshot_bytes": max(sizes) if sizes else None}


def big_run(
    config: BenchConfig, workdir: Path, texts: list[str], vectors: Any, similar_texts: list[str]
) -> dict[str, Any]:
    from townhall.bench.fill import fill_event

    path = workdir / "big.db"
    database_url = servers.sqlite_url(path)
    servers.prepare_database(database_url, workdir)
    log(f"big: writing {config.big_questions} questions and ~{config.big_votes} votes")
    filled = fill_event(
        path,
        config.slug,
        texts[: len(vectors)],
        vectors,
        questions=config.big_questions,
        participants=config.big_participants,
        votes=config.big_votes,
    )
    log(f"big: filled in {filled.seconds:.0f}s; starting townhall")
    server = servers.start_townhall(database_url, workdir, "server-big")
    try:
        snapshot = asyncio.run(snapshot_times(server, config.slug, config.big_connects))
        log("big: similar-question lookups")
        similar = similar_lookups(server.base_url, config.slug, similar_texts)
        rss = rss_bytes(server.pid) if server.pid else 0
    finally:
        server.stop()
    return {
        "questions": filled.questions,
        "votes": filled.votes,
        "participants": filled.participants,
        "distinct_embeddings": len(vectors),
        "fill_seconds": round(filled.seconds, 1),
        "database_mb": round(path.stat().st_size / 2**20, 1) if path.exists() else None,
        "snapshot_on_connect": snapshot,
        "similar": similar,
        "server_rss_mb": round(rss / 2**20, 1),
    }
