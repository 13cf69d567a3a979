"""A bounded send queue per connection: one slow reader never holds the others back."""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Callable


class Overflow(Exception):
    """The client fell too far behind; close it and let it resync on reconnect."""


class Outbox:
    """Personal messages queue up to `limit`; state updates coalesce so only the newest waits.

    A state update is a diff against the previous one, which the client can apply only if it
    holds that previous one. So a screen gets the diff when it is keeping up, and the full
    state when it is new or an earlier update was still waiting (it would have missed it).
    """

    def __init__(self, limit: int) -> None:
        self._limit = limit
        self._messages: deque[str] = deque()
        self._state: str | None = None
        self._in_step = False
        self._ready = asyncio.Event()
        self._closed = False

    def put(self, message: str) -> None:
        if self._closed:
            return
        if len(self._messages) >= self._limit:
            self.close()
            raise Overflow(f"more than {self._limit} messages waiting")
        self._messages.append(message)
        self._ready.set()

    def put_state(self, diff: str | None, full: Callable[[], str]) -> None:
        if self._closed:
            return
        if diff is not None and self._in_step and self._state is None:
            self._state = diff
        else:
            self._state = full()
        self._in_step = True
        self._ready.set()

    def close(self) -> None:
        self._closed = True
        self._ready.set()

    @property
    def in_step(self) -> bool:
        """The screen holds (or is about to receive) the newest state."""
        return self._in_step

    @property
    def closed(self) -> bool:
        return self._closed

    async def get(self) -> str | None:
        """The next message to send, or None once closed."""
        while True:
            if self._closed:
                return None
            if self._messages:
                return self._messages.popleft()
            if self._state is not None:
                state, self._state = self._state, None
                return state
            self._ready.clear()
            await self._ready.wait()
