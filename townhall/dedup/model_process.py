"""The embedding model in a process of its own.

Torch computes without holding the GIL, but the model's Python (the tokeniser call, the glue
between layers) needs it at every step. Beside a busy event loop a model thread waits for the
GIL up to the interpreter's switch interval (5 ms) each time: measured on a 2-core machine,
it then encodes 30 questions/s instead of 128. A child process has an interpreter and a GIL of
its own, so the event loop and the model no longer slow each other down.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import signal
import threading
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

import numpy as np

from townhall.dedup.embedder import Embedder, Matrix
from townhall.dedup.multilingual import load_embedder

log = logging.getLogger(__name__)

# The model loaded in the child process (set by `_load`, the pool's initializer).
_model: Embedder | None = None


def _load(path: Path, threads: int | None, batch_size: int, multilingual: str | None) -> None:
    global _model
    # Ctrl-C reaches the whole process group; the parent decides when the child stops.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _model = load_embedder(path, threads=threads, batch_size=batch_size, multilingual=multilingual)


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
    ) -> None:
        self.path = path
        self._args = (path, threads, batch_size, multilingual)
        self._lock = threading.Lock()
        self._pool = self._start()
        self.dimension, self.pid = self._pool.submit(_describe).result()

    def _start(self) -> ProcessPoolExecutor:
        # spawn, not fork: the parent runs threads and an event loop a fork would copy midway.
        return ProcessPoolExecutor(
            max_workers=1,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=_load,
            initargs=self._args,
        )

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
