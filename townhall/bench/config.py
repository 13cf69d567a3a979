"""What one bench run is asked to do, and its progress log (stderr)."""

from __future__ import annotations

import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from townhall.settings import PROJECT_ROOT

CACHE = PROJECT_ROOT / "var" / "bench-cache"


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


@dataclass
class BenchConfig:
    clients: int = 300
    processes: int = 2
    votes_per_second: float = 200.0
    questions_per_second: float = 5.0
    seconds: float = 10.0
    unvote_ratio: float = 0.1
    burst: int = 200
    seed_questions: int = 100
    similar_questions: int = 2000
    similar_requests: int = 100
    big: bool = False
    big_questions: int = 100_000
    big_votes: int = 3_600_000
    big_participants: int = 90_000
    big_connects: int = 20
    databases: list[str] = field(default_factory=lambda: ["sqlite"])
    # Worker processes per server (each count a run of its own; above 1: PostgreSQL only).
    workers: list[int] = field(default_factory=lambda: [1])
    redis_url: str = "redis://127.0.0.1:6379/0"
    url: str | None = None
    server_pid: int | None = None
    texts: Path | None = None
    slug: str = "dialogue-diallo"
    similar_slug: str = "dialogue-herrera"
    compression: str = "deflate"
    bare: bool = True
    ceiling: bool = True
    seed: int = 1
    max_inflight: int = 4
    connect_timeout: float = 120.0
    max_asked: int = 4
    drain_seconds: float = 20.0
    dedup_timeout: float = 180.0
    profile_dir: Path | None = None
