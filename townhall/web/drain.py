"""Drain before stopping: on SIGTERM turn unready at once, keep serving for a while, then
let the server stop as it would have (`TOWNHALL_SHUTDOWN_DRAIN_SECONDS`, docs/deployment.md).

uvicorn closes its listening socket as soon as it receives SIGTERM, so a load balancer that
asks `/readyz` would only see connection errors; with a drain period it sees 503 first and
moves new participants elsewhere while this worker still answers. Installed after the server
set its own handler, which it chains to; a second SIGTERM (or SIGINT) stops at once.
"""

from __future__ import annotations

import asyncio
import logging
import signal
import threading
from collections.abc import Callable
from types import FrameType
from typing import Any

log = logging.getLogger(__name__)


def drain_on_sigterm(seconds: float, unready: Callable[[], None]) -> Callable[[], None]:
    """Install the handler; returns what puts the previous handler back."""
    if seconds <= 0 or threading.current_thread() is not threading.main_thread():
        return lambda: None
    loop = asyncio.get_running_loop()
    previous = signal.getsignal(signal.SIGTERM)
    draining = False

    def stop(signum: int, frame: FrameType | None) -> None:
        if callable(previous):
            previous(signum, frame)
        else:  # no handler of the server's: behave as the default would
            signal.signal(signal.SIGTERM, signal.SIG_DFL)
            signal.raise_signal(signal.SIGTERM)

    def on_sigterm(signum: int, frame: FrameType | None) -> None:
        nonlocal draining
        if draining:
            stop(signum, frame)
            return
        draining = True
        unready()
        log.warning("SIGTERM: unready now, stopping in %.1f s (send it again to stop now)", seconds)
        loop.call_soon_threadsafe(loop.call_later, seconds, stop, signum, frame)

    signal.signal(signal.SIGTERM, on_sigterm)

    def restore(*_: Any) -> None:
        if signal.getsignal(signal.SIGTERM) is on_sigterm:
            signal.signal(signal.SIGTERM, previous)

    return restore
