"""Start a real server on 127.0.0.1 (SQLite in a temporary folder) that mails through an SMTP
server in this process (aiosmtpd), run the integrity phases against it and print one JSON
document (`townhall integrity-bench`, `make integrity`)."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import tempfile
import time
from dataclasses import asdict
from pathlib import Path
from typing import Any

from townhall.bench import servers
from townhall.bench.integrity import IntegrityConfig, Target, run_phases
from townhall.bench.mail_inbox import Inbox, running_inbox
from townhall.bench.verified import VerifiedConfig, VerifiedSetup
from townhall.settings import Settings


def add_arguments(parser: argparse.ArgumentParser) -> None:
    defaults = IntegrityConfig()
    parser.add_argument("--seconds", type=float, default=defaults.seconds)
    parser.add_argument("--attack-rate", type=float, default=defaults.attack_rate)
    parser.add_argument("--max-attempts", type=int, default=defaults.max_attempts)
    parser.add_argument("--honest", type=int, default=defaults.honest)
    parser.add_argument("--venue-people", type=int, default=defaults.venue_people)
    parser.add_argument("--venue-seconds", type=float, default=defaults.venue_seconds)
    verified = defaults.verified
    parser.add_argument(
        "--verified-seconds",
        type=float,
        default=verified.seconds,
        help="how long the attacker tries the verified event",
    )
    parser.add_argument("--verified-rate", type=float, default=verified.rate)
    parser.add_argument("--verified-bursts", type=int, default=verified.bursts)
    parser.add_argument("--verified-burst-size", type=int, default=verified.burst_size)
    parser.add_argument("--verified-people", type=int, default=verified.people)
    parser.add_argument(
        "--database-url", default="sqlite", help="'sqlite' (a temporary file) or a URL"
    )


def _start(database_url: str, workdir: Path, inbox: Inbox) -> servers.Server:
    port = servers.free_port()
    log = workdir / "server.log"
    extra = {
        "TOWNHALL_TRUSTED_PROXIES": "127.0.0.1",
        "TOWNHALL_SMTP_URL": inbox.smtp_url,
        "TOWNHALL_MAIL_FROM": "Town hall bench <bench@example.org>",
    }
    env = servers.server_env(database_url, port, extra)
    process = servers._spawn(
        [sys.executable, "-m", "townhall", "serve", "--migrate", "--port", str(port)], env, log
    )
    base = f"http://127.0.0.1:{port}"
    servers._wait_for_http(f"{base}/healthz", process, log, 180.0)
    return servers.Server(base, f"ws://127.0.0.1:{port}", process, log)


def _demo_events(database_url: str) -> tuple[tuple[str, str], tuple[str, str]]:
    """(slug, moderator key) of the demo's open event and of its verified-e-mail event."""
    from townhall.cli import demo_links_file
    from townhall.store.demo import VERIFIED_SLUG

    demo = json.loads(demo_links_file(database_url).read_text())
    first = demo["events"][0]
    (checked,) = [e for e in demo["events"] if e["slug"] == VERIFIED_SLUG]
    return (
        (str(first["slug"]), str(first["moderator_key"])),
        (str(checked["slug"]), str(checked["moderator_key"])),
    )


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
        verified=VerifiedConfig(
            seconds=args.verified_seconds,
            rate=args.verified_rate,
            bursts=args.verified_bursts,
            burst_size=args.verified_burst_size,
            people=args.verified_people,
        ),
    )
    with (
        tempfile.TemporaryDirectory(prefix="townhall-integrity-") as folder,
        running_inbox() as inbox,
    ):
        workdir = Path(folder)
        url = args.database_url
        if url == "sqlite":
            url = f"sqlite+aiosqlite:///{workdir / 'integrity.db'}"
        server = _start(url, workdir, inbox)
        try:
            (slug, key), (checked_slug, checked_key) = _demo_events(url)
            checked = Target(server.base_url, server.ws_url, checked_slug, checked_key)
            started = time.monotonic()
            results = asyncio.run(
                run_phases(
                    Target(server.base_url, server.ws_url, slug, key),
                    config,
                    verified=VerifiedSetup(checked, url, inbox),
                )
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
        "config": asdict(config),
        "seconds": round(time.monotonic() - started, 1),
        **results,
    }
    print(json.dumps(document, indent=2))
    return 0
