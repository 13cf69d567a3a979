"""A bounded send queue per connection: one slow reader never holds the others back."""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Callable

from websockets.frames import Frame, Opcode

FrameWriter = Callable[[bytes], bool]
"""Writes one ready-made WebSocket frame now; False when the connection cannot take it now
(closing, or its write buffer is over the high-water mark)."""


class Prepared:
    """A message serialised once: its text and, made on first use, its WebSocket frame.

    Server frames are not masked, so one frame's bytes serve every socket (as
    `websockets.broadcast` does), when the connection does not compress.
    """

    __slots__ = ("_frame", "text")

    def __init__(self, text: str) -> None:
        self.text = text
        self._frame: bytes | None = None

    @property
    def frame(self) -> bytes:
        if self._frame is None:
            frame = Frame(Opcode.TEXT, self.text.encode("utf-8"))
            self._frame = frame.serialize(mask=False, extensions=())
        return self._frame


# What `Outbox.put_state` did with an update (the ticker counts them; live/metrics.py).
WRITTEN = 0  # straight to the connection
SKIPPED = 1  # the outbox is closed or closing
QUEUED = 2  # left for the connection's send task to resume and drain
RESYNC = 3  # queued as the full state, an earlier update being still unsent


class Overflow(Exception):
    """The client fell too far behind; close it and let it resync on reconnect."""


class Outbox:
    """Personal messages queue up to `limit`; state updates coalesce so only the newest waits.

    A state update is a diff against the previous one, which the client can apply only if it
    holds that previous one. So a screen gets the diff when it is keeping up, and the full
    state when it is new or an earlier update was still waiting (it would have missed it).

    With a `direct` frame writer, a message goes straight to the connection when nothing is
    waiting or being sent before it (the common case: no task switch, no per-socket
    serialisation); otherwise it waits here for the connection's send loop, in order.
    """

    def __init__(self, limit: int, direct: FrameWriter | None = None) -> None:
        self._limit = limit
        self._direct = direct
        self._messages: deque[Prepared] = deque()
        self._state: Prepared | None = None
        self._in_step = False
        self._in_flight = False  # the send loop holds a message it has not finished sending
        self._ready = asyncio.Event()
        self._closed = False
        self._closing = False  # close once what is queued has been sent

    def put(self, message: str | Prepared) -> None:
        if self._closed or self._closing:
            return
        prepared = message if isinstance(message, Prepared) else Prepared(message)
        if self._write_now(prepared):
            return
        if len(self._messages) >= self._limit:
            self.close()
            raise Overflow(f"more than {self._limit} messages waiting")
        self._messages.append(prepared)
        self._ready.set()

    def put_state(self, diff: Prepared | None, full: Callable[[], Prepared]) -> int:
        if self._closed or self._closing:
            return SKIPPED
        behind = self._state is not None
        state = diff if diff is not None and self._in_step and not behind else full()
        self._in_step = True
        if self._write_now(state):
            return WRITTEN
        self._state = state
        self._ready.set()
        return RESYNC if behind and diff is not None else QUEUED

    def _write_now(self, message: Prepared) -> bool:
        idle = not (self._messages or self._state is not None or self._in_flight)
        return idle and self._direct is not None and self._direct(message.frame)

    def close(self) -> None:
        self._closed = True
        self._ready.set()

    def close_after(self, message: str | Prepared) -> None:
        """Send `message` after what is already queued (no state update), then close."""
        self.put(message)
        self._state = None
        self._closing = True
        self._ready.set()

    @property
    def in_step(self) -> bool:
        """The screen holds (or is about to receive) the newest state."""
        return self._in_step

    @property
    def closed(self) -> bool:
        return self._closed

    async def get(self) -> str | None:
        """The next message to send, or None once closed.

        The caller sends it before asking for the next one, so asking again means the
        previous message is out.
        """
        self._in_flight = False
        while True:
            if self._closed:
                return None
            if self._messages:
                self._in_flight = True
                return self._messages.popleft().text
            if self._state is not None:
                state, self._state = self._state, None
                self._in_flight = True
                return state.text
            if self._closing:
                self._closed = True
                return None
            self._ready.clear()
            await self._ready.wait()
