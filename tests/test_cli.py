"""The command line: migrate, seed the demo, create an organiser."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest


def _run(tmp_path: Path, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "TOWNHALL_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'cli.db'}",
        "TOWNHALL_SECRET_KEY": "cli-test-secret-0123456789",
        "TOWNHALL_PUBLIC_ORIGIN": "http://127.0.0.1:8123",
    }
    return subprocess.run(
        [sys.executable, "-m", "townhall", *args],
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_cli_seed_prints_every_link_once_seeded(tmp_path: Path) -> None:
    migrated = _run(tmp_path, "migrate")
    first = _run(tmp_path, "seed")
    again = _run(tmp_path, "seed")

    assert migrated.returncode == first.returncode == again.returncode == 0
    assert "seeded the demo series" in first.stdout
    assert "seeded" not in again.stdout
    for text in (
        "participant: http://127.0.0.1:8123/e/dialogue-diallo",
        "participant: http://127.0.0.1:8123/e/town-hall-verified",
        "moderator:   http://127.0.0.1:8123/e/dialogue-diallo/moderate#key=",
        # The projector's link carries the stage key, so its QR code grants the hall's network.
        "stage:       http://127.0.0.1:8123/e/dialogue-diallo/stage#stage=",
        # An organisation's delegate link (demo_organisations.py).
        "delegate:    http://127.0.0.1:8123/e/dialogue-diallo#invite=",
        # The ended dialogue's public record, and the series' (demo_series.py, demo_record.py).
        "record:      http://127.0.0.1:8123/e/dialogue-earlier/record",
        "series record: http://127.0.0.1:8123/s/sg-dialogues/record",
        "organiser:     http://127.0.0.1:8123/organise",
        "sign in as organiser@demo.townhall / ",
    ):
        assert text in first.stdout
        assert text in again.stdout


def test_cli_create_organiser_refuses_short_password(tmp_path: Path) -> None:
    _run(tmp_path, "migrate")

    short = _run(
        tmp_path, "create-organiser", "--email", "a@b.org", "--password-stdin", stdin="short\n"
    )
    good = _run(
        tmp_path,
        "create-organiser",
        "--email",
        "a@b.org",
        "--password-stdin",
        stdin="a long enough pass\n",
    )

    assert (short.returncode, good.returncode) == (2, 0)
    assert "at least 12 characters" in short.stderr
    assert "a@b.org can sign in" in good.stdout


def test_cli_serve_leaves_forwarded_headers_to_townhall(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """uvicorn's own proxy headers would believe X-Forwarded-For from 127.0.0.1 even with
    TOWNHALL_TRUSTED_PROXIES empty (docs/integrity.md)."""
    import uvicorn

    from townhall import cli

    seen: dict[str, object] = {}
    monkeypatch.setattr(uvicorn, "run", lambda *args, **options: seen.update(options))
    monkeypatch.setenv("TOWNHALL_SECRET_KEY", "cli-test-secret-0123456789")
    monkeypatch.setenv("TOWNHALL_DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 'cli.db'}")

    code = cli.main(["serve", "--port", "8124"])

    assert (code, seen["proxy_headers"]) == (0, False)


def test_serve_with_workers_needs_redis(tmp_path: Path) -> None:
    env = {**os.environ, "TOWNHALL_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path}/t.db"}
    env.pop("TOWNHALL_REDIS_URL", None)
    done = subprocess.run(
        [sys.executable, "-m", "townhall", "serve", "--workers", "2"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2
    assert "--workers above 1 needs TOWNHALL_REDIS_URL" in done.stderr
