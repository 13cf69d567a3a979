"""The client processes of one phase, and helpers to share work among them."""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

from townhall.bench import servers
from townhall.bench.client import WorkerSpec, worker_main
from townhall.bench.config import BenchConfig, log
from townhall.bench.procstat import cpu_seconds


class Clients:
    """The client processes of one phase."""

    def __init__(self, config: BenchConfig, server: servers.Server, mode: str, slug: str) -> None:
        context = multiprocessing.get_context("spawn")
        count = max(1, min(config.processes, config.clients))
        shares = [
            config.clients // count + (1 if i < config.clients % count else 0) for i in range(count)
        ]
        self.pipes = []
        self.processes = []
        for index, share in enumerate(shares):
            spec = WorkerSpec(
                index=index,
                sockets=share,
                base_url=server.base_url,
                ws_url=server.ws_url,
                slug=slug,
                mode=mode,
                compression=config.compression,
                seed=config.seed * 1000 + index,
                connect_timeout=config.connect_timeout,
            )
            ours, theirs = context.Pipe()
            process = context.Process(target=worker_main, args=(spec, theirs), daemon=True)
            process.start()
            self.pipes.append(ours)
            self.processes.append(process)

    def cpu_seconds(self) -> float:
        return sum(cpu_seconds(p.pid) for p in self.processes if p.pid is not None)

    def ask(self, command: str, timeout: float = 600.0, **args: Any) -> list[dict[str, Any]]:
        for pipe in self.pipes:
            pipe.send((command, args))
        answers = []
        for pipe in self.pipes:
            if not pipe.poll(timeout):
                raise TimeoutError(f"client process did not answer {command!r} in {timeout}s")
            answers.append(pipe.recv())
        return answers

    def close(self) -> None:
        with contextlib.suppress(TimeoutError, OSError, EOFError):
            self.ask("close", timeout=60)
        for process in self.processes:
            process.join(10)
            if process.is_alive():
                process.kill()


def split(items: list[str], parts: int) -> list[list[str]]:
    return [items[i::parts] for i in range(parts)] if items else [[] for _ in range(parts)]


def merge_counts(counts: Any) -> dict[str, int]:
    merged: dict[str, int] = {}
    for count in counts:
        for key, value in count.items():
            merged[key] = merged.get(key, 0) + value
    return merged


def profile(
    config: BenchConfig, pid: int | None, name: str, seconds: float
) -> subprocess.Popen[bytes] | None:
    if config.profile_dir is None or pid is None:
        return None
    py_spy = shutil.which("py-spy") or str(Path(sys.executable).parent / "py-spy")
    if not Path(py_spy).exists():
        log("py-spy not found; no profile")
        return None
    config.profile_dir.mkdir(parents=True, exist_ok=True)
    return subprocess.Popen(
        [
            py_spy,
            "record",
            "--pid",
            str(pid),
            "--duration",
            str(int(seconds)),
            "--rate",
            os.environ.get("TOWNHALL_BENCH_PROFILE_RATE", "50"),
            "--gil",  # only threads holding the GIL: where the Python CPU goes
            "--format",
            "raw",
            "-o",
            str(config.profile_dir / f"{name}.txt"),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
