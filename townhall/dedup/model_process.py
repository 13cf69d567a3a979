"""The embedding model in a process of its own.

The runtimes (ONNX Runtime, torch) compute without holding the GIL, but the model's Python
(the tokeniser call, the glue between steps) needs it. Beside a busy event loop a model thread
waits for the GIL up to the interpreter's switch interval each time: measured on a 2-core
machine with torch, it then encoded 30 questions/s instead of 128. A child process has an interpreter and a GIL of
its own, so the event loop and the model no longer slow each other down.

The child must not outlive the server, even one killed with SIGKILL (it holds about 380 MB;
700 MB with the English model on PyTorch). Two guards, both set up in the child before the
model loads:
- the kernel's parent-death signal (Linux `prctl(PR_SET_PDEATHSIG, SIGKILL)`): the kernel kills
  the child the moment its parent goes, whatever the child is doing (even deep inside torch).
  The parent pid is checked again right after, in case the parent died before the call.
  Linux counts the *thread* that started the child as its parent: here an executor thread that
  lives until the server's event loop closes, after the lifespan has stopped the child anyway
  (and a child killed early would just be replaced by the next `encode`);
- a lifeline, for systems without `prctl` and as a second guard: a pipe whose write end only
  the server process holds. The kernel closes it when that process ends, however it ends; a
  thread in the child waits for that end-of-file and exits.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import logging
import multiprocessing
import os
import signal
import sys
import threading
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from multiprocessing.connection import Connection
from pathlib import Path

import numpy as np

from townhall.dedup.embedder import Embedder, Matrix
from townhall.dedup.multilingual import load_embedder

log = logging.getLogger(__name__)

# The model loaded in the child process (set by `_load`, the pool's initializer).
_model: Embedder | None = None


PR_SET_PDEATHSIG = 1  # <linux/prctl.h>


def _die_with_parent(parent: int) -> bool:
    """Ask the kernel to SIGKILL this process when its parent ends; False without prctl."""
    if not sys.platform.startswith("linux"):
        return False
    libc = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)
    if libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) != 0:
        return False
    if os.getppid() != parent:  # the parent died before the request: nobody would signal
        os._exit(1)
    return True


def _watch_lifeline(lifeline: Connection) -> None:
    """Exit once the server's end of the lifeline closes (the server process has ended)."""

    def wait() -> None:
        with contextlib.suppress(EOFError, OSError):
            lifeline.recv_bytes()  # nothing is ever sent: this returns at end-of-file
        os._exit(1)  # no state to save: the model is read-only

    threading.Thread(target=wait, name="lifeline", daemon=True).start()


def _load(
    path: Path,
    threads: int | None,
    batch_size: int,
    multilingual: str | None,
    runtime: str,
    cache: Path | None,
    parent: int,
    lifeline: Connection,
) -> None:
    global _model
    _die_with_parent(parent)
    _watch_lifeline(lifeline)
    # Ctrl-C reaches the whole process group; the parent decides when the child stops.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _model = load_embedder(
        path,
        threads=threads,
        batch_size=batch_size,
        multilingual=multilingual,
        runtime=runtime,
        cache=cache,
    )


def _loaded() -> Embedder:
    if _model is None:
        raise RuntimeError("the model process has not loaded the model")
    return _model


def _encode(texts: list[str]) -> Matrix:
    return _loaded().encode(texts)


def _describe() -> tuple[int, int]:
    return _loaded().dimension, os.getpid()


class ProcessEmbedder:
    """The embedder of `load_embedder` in a child process; blocking calls, like the original.

    If the child dies (killed, out of memory), the next call starts another and tries again.
    """

    def __init__(
        self,
        path: Path,
        *,
        threads: int | None = None,
        batch_size: int = 64,
        multilingual: str | None = None,
        runtime: str = "onnx",
        cache: Path | None = None,
    ) -> None:
        self.path = path
        self._args = (path, threads, batch_size, multilingual, runtime, cache)
        self._lock = threading.Lock()
        self._lifeline: Connection | None = None
        self._pool = self._start()
        self.dimension, self.pid = self._pool.submit(_describe).result()

    def _start(self) -> ProcessPoolExecutor:
        # spawn, not fork: the parent runs threads and an event loop a fork would copy midway.
        context = multiprocessing.get_context("spawn")
        # The child gets the read end (passed at spawn); the write end never leaves this process.
        child_end, our_end = context.Pipe(duplex=False)
        self._close_lifeline()
        self._lifeline = our_end
        pool = ProcessPoolExecutor(
            max_workers=1,
            mp_context=context,
            initializer=_load,
            initargs=(*self._args, os.getpid(), child_end),
        )
        return pool

    def _close_lifeline(self) -> None:
        if self._lifeline is not None:
            self._lifeline.close()
            self._lifeline = None

    def encode(self, texts: Sequence[str]) -> Matrix:
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        pool = self._pool
        try:
            return pool.submit(_encode, list(texts)).result()
        except BrokenProcessPool:
            log.error("the model process stopped; starting another")
            return self._restarted(pool).submit(_encode, list(texts)).result()

    def _restarted(self, broken: ProcessPoolExecutor) -> ProcessPoolExecutor:
        with self._lock:
            if self._pool is broken:  # another caller may have restarted it already
                broken.shutdown(wait=False, cancel_futures=True)
                self._pool = self._start()
                _, self.pid = self._pool.submit(_describe).result()
            return self._pool

    def close(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)
        self._close_lifeline()
