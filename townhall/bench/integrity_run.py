"""Start a real server on 127.0.0.1 (SQLite in a temporary folder), run the integrity phases
against it and print one JSON document (`townhall integrity-bench`, `make integrity`)."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from townhall.bench import servers
from townhall.bench.integrity import IntegrityConfig, Target, run_phases
from townhall.settings import Settings


def add_arguments(parser: argparse.ArgumentParser) -> None:
    defaults = IntegrityConfig()
    parser.add_argument("--seconds", type=float, default=defaults.seconds)
    parser.add_argument("--attack-rate", type=float, default=defaults.attack_rate)
    parser.add_argument("--max-attempts", type=int, default=defaults.max_attempts)
    parser.add_argument("--honest", type=int, default=defaults.honest)
    parser.add_argument("--venue-people", type=int, default=defaults.venue_people)
    parser.add_argument("--venue-seconds", type=float, default=defaults.venue_seconds)
    parser.add_argument(
        "--database-url", default="sqlite", help="'sqlite' (a temporary file) or a URL"
    )


def _start(database_url: str, workdir: Path) -> servers.Server:
    port = servers.free_port()
    log = workdir / "server.log"
    env = servers.server_env(database_url, port, {"TOWNHALL_TRUSTED_PROXIES": "127.0.0.1"})
    process = servers._spawn(
        [sys.executable, "-m", "townhall", "serve", "--migrate", "--port", str(port)], env, log
    )
    base = f"http://127.0.0.1:{port}"
    servers._wait_for_http(f"{base}/healthz", process, log, 180.0)
    return servers.Server(base, f"ws://127.0.0.1:{port}", process, log)


def _demo_event(database_url: str) -> tuple[str, str]:
    from townhall.cli import demo_links_file

    demo = json.loads(demo_links_file(database_url).read_text())
    first = demo["events"][0]
    return str(first["slug"]), str(first["moderator_key"])


def _forget_demo_links(database_url: str) -> None:
    from townhall.cli import demo_links_file

    demo_links_file(database_url).unlink(missing_ok=True)  # its database is gone


def run(args: argparse.Namespace) -> int:
    config = IntegrityConfig(
        seconds=args.seconds,
        attack_rate=args.attack_rate,
        max_attempts=args.max_attempts,
        honest=args.honest,
        venue_people=args.venue_people,
        venue_seconds=args.venue_seconds,
    )
    with tempfile.TemporaryDirectory(prefix="townhall-integrity-") as folder:
        workdir = Path(folder)
        url = args.database_url
        if url == "sqlite":
            url = f"sqlite+aiosqlite:///{workdir / 'integrity.db'}"
        server = _start(url, workdir)
        try:
            slug, key = _demo_event(url)
            started = time.monotonic()
            results = asyncio.run(
                run_phases(Target(server.base_url, server.ws_url, slug, key), config)
            )
        finally:
            server.stop()
            _forget_demo_links(url)
    defaults = Settings()
    document: dict[str, Any] = {
        "command": "townhall integrity-bench " + " ".join(sys.argv[2:]),
        "database": "sqlite" if args.database_url == "sqlite" else "given",
        "settings": {
            "rate_new_identities": defaults.rate_new_identities,
            "rate_network_questions": defaults.rate_network_questions,
            "rate_network_supporters": defaults.rate_network_supporters,
            "venue_factor": defaults.venue_factor,
        },
        "config": config.__dict__,
        "seconds": round(time.monotonic() - started, 1),
        **results,
    }
    print(json.dumps(document, indent=2))
    return 0
