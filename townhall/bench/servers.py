"""Starting and stopping the servers under test, and the databases they use."""

from __future__ import annotations

import asyncio
import contextlib
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from townhall.bench.procstat import children, raise_nofile


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def sqlite_url(path: Path) -> str:
    return f"sqlite+aiosqlite:///{path}"


@dataclass
class Server:
    """A server process the bench started (or None for one given by --url)."""

    base_url: str
    ws_url: str
    process: subprocess.Popen[bytes] | None
    log_path: Path | None
    workers: int = 1  # above 1: `process` is uvicorn's supervisor of that many workers

    @property
    def pid(self) -> int | None:
        return self.process.pid if self.process is not None else None

    def stop(self, timeout: float = 20.0) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGINT)
        try:
            self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(5)


def serving_pids(server: Server, pid: int | None = None) -> list[int]:
    """The processes that serve: the server's own, or with several workers the supervisor's
    and each worker's (not the model process each of them starts)."""
    pid = pid or server.pid
    if pid is None:
        return []
    return [pid, *children(pid, direct=True)] if server.workers > 1 else [pid]


def _wait_for_http(url: str, process: subprocess.Popen[bytes], log: Path, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode}; see {log}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.2)
    process.kill()
    raise RuntimeError(f"server did not answer {url} within {timeout:.0f}s; see {log}")


def _spawn(command: list[str], env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    raise_nofile()  # the child inherits the raised limit
    with log.open("wb") as out:
        return subprocess.Popen(
            command, env=env, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL
        )


def server_env(database_url: str, port: int, extra: dict[str, str] | None = None) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        {
            "TOWNHALL_DATABASE_URL": database_url,
            "TOWNHALL_SECRET_KEY": env.get("TOWNHALL_SECRET_KEY") or secrets.token_urlsafe(32),
            "TOWNHALL_PUBLIC_ORIGIN": f"http://127.0.0.1:{port}",
            "HF_HUB_OFFLINE": "1",
            "TOKENIZERS_PARALLELISM": "false",
        }
    )
    env.update(extra or {})
    return env


def prepare_database(database_url: str, workdir: Path) -> None:
    """Migrate and seed the demo (as `townhall serve --migrate` would), without serving."""
    env = server_env(database_url, 0)
    for command in ("migrate", "seed"):
        subprocess.run(
            [sys.executable, "-m", "townhall", command],
            env=env,
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=(workdir / f"{command}.log").open("wb"),
        )


# The load bench plays thousands of people from one address: per-network limits
# (docs/integrity.md; `townhall integrity-bench` measures them) are lifted for it.
LOAD_LIMITS = {
    "TOWNHALL_RATE_NEW_IDENTITIES": "10000000/minute",
    "TOWNHALL_RATE_NETWORK_QUESTIONS": "10000000/minute",
    "TOWNHALL_RATE_NETWORK_SUPPORTERS": "10000000/hour",
}


def start_townhall(
    database_url: str,
    workdir: Path,
    name: str,
    timeout: float = 180.0,
    *,
    workers: int = 1,
    redis_url: str | None = None,
) -> Server:
    """`townhall serve`; with `workers` above 1, that many worker processes sharing the
    database, Redis and Prometheus' multiprocess folder (`townhall serve --workers`)."""
    port = free_port()
    log = workdir / f"{name}.log"
    command = [sys.executable, "-m", "townhall", "serve", "--migrate", "--port", str(port)]
    extra = dict(LOAD_LIMITS)
    if workers > 1:
        if redis_url is None:
            raise ValueError("several workers share their updates through Redis: give its URL")
        command += ["--workers", str(workers)]
        extra["TOWNHALL_REDIS_URL"] = redis_url
        extra["PROMETHEUS_MULTIPROC_DIR"] = str(workdir / f"{name}-metrics")
    env = server_env(database_url, port, extra)
    process = _spawn(command, env, log)
    base = f"http://127.0.0.1:{port}"
    _wait_for_http(f"{base}/healthz", process, log, timeout)
    if workers > 1:
        _wait_for_workers(process, workers, log, timeout)
    return Server(base, f"ws://127.0.0.1:{port}", process, log, workers)


def _wait_for_workers(
    process: subprocess.Popen[bytes], workers: int, log: Path, timeout: float
) -> None:
    """Until every worker has started its application (the first may answer long before)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if log.read_text(errors="replace").count("Application startup complete") >= workers:
            return
        if process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode}; see {log}")
        time.sleep(0.2)
    raise RuntimeError(f"not all {workers} workers started within {timeout:.0f}s; see {log}")


def start_bare(workdir: Path, tick_seconds: float, compression: str) -> Server:
    port = free_port()
    log = workdir / "bare.log"
    process = _spawn(
        [
            sys.executable,
            "-m",
            "townhall.bench.bare",
            "--port",
            str(port),
            "--tick",
            str(tick_seconds),
            "--compression",
            compression,
        ],
        dict(os.environ),
        log,
    )
    _wait_for_http(f"http://127.0.0.1:{port}/healthz", process, log, 30.0)
    return Server(f"http://127.0.0.1:{port}", f"ws://127.0.0.1:{port}", process, log)


def existing(url: str) -> Server:
    base = url.rstrip("/")
    return Server(base, "ws" + base[4:], None, None)


# PostgreSQL: each run gets a database of its own, dropped afterwards.


def _asyncpg_dsn(url: str, database: str | None = None) -> str:
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    if database is not None:
        parsed = parsed.set(database=database)
    return parsed.set(drivername="postgresql").render_as_string(hide_password=False)


def _run(coro: Any) -> Any:
    return asyncio.run(coro)


def create_postgres_database(url: str) -> str:
    """A fresh database on the server of `url`; returns the URL that names it."""
    import asyncpg
    from sqlalchemy.engine import make_url

    name = f"townhall_bench_{os.getpid()}_{secrets.token_hex(3)}"

    async def create() -> None:
        connection = await asyncpg.connect(_asyncpg_dsn(url))
        try:
            await connection.execute(f'CREATE DATABASE "{name}"')
        finally:
            await connection.close()

    _run(create())
    return make_url(url).set(database=name).render_as_string(hide_password=False)


def drop_postgres_database(admin_url: str, database_url: str) -> None:
    import asyncpg
    from sqlalchemy.engine import make_url

    name = make_url(database_url).database

    async def drop() -> None:
        connection = await asyncpg.connect(_asyncpg_dsn(admin_url))
        try:
            await connection.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1", name
            )
            await connection.execute(f'DROP DATABASE IF EXISTS "{name}"')
        finally:
            await connection.close()

    with contextlib.suppress(Exception):
        _run(drop())
