"""A cap on HTTP request bodies (`TOWNHALL_MAX_BODY_BYTES`), enforced before they are read whole.

A declared `Content-Length` over the cap is refused before the route runs; a body without one
(chunked) is counted as it streams in and refused at the first chunk past the cap, so at most
the cap plus one chunk is ever held. Either way the answer is 413 with the API's problem body
and `Connection: close` (the rest of the body is never read). Pure ASGI: Starlette's
BaseHTTPMiddleware would wrap every response in streams, on the voting hot path too.
Starlette's own `max_body_size` answers in plain text and, for a route that does not read the
body, only after running it; this one answers up front, in JSON, like every other refusal.
WebSocket frames are capped by uvicorn's `ws_max_size` instead.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send


class _TooLarge(Exception):  # not a ValueError: routes catch those around `request.body()`
    pass


class BodyLimit:
    """`larger` names the few routes (by path pattern) that may take more, with their cap."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        max_bytes: int,
        larger: Sequence[tuple[re.Pattern[str], int]] = (),
    ) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.larger = tuple(larger)

    def cap_for(self, path: str) -> int:
        for pattern, cap in self.larger:
            if pattern.fullmatch(path):
                return cap
        return self.max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        cap = self.cap_for(scope["path"])
        declared = _content_length(scope)
        if declared is not None and declared > cap:
            await self._refuse(scope, receive, send, cap)
            return
        received = 0
        started = False

        async def counted_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > cap:
                    raise _TooLarge
            return message

        async def watched_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, counted_receive, watched_send)
        except _TooLarge:
            if started:  # a route that answers while still reading: nothing else to send
                raise
            await self._refuse(scope, receive, send, cap)

    async def _refuse(self, scope: Scope, receive: Receive, send: Send, cap: int) -> None:
        response = JSONResponse(
            {
                "error": {
                    "code": "too_large",
                    "message": f"The request body is larger than {cap} bytes.",
                    "limit": cap,
                }
            },
            status_code=413,
            headers={"Connection": "close"},
        )
        await response(scope, receive, send)


def _content_length(scope: Scope) -> int | None:
    for name, value in scope["headers"]:
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None  # the server refuses a malformed length before we see it
    return None
