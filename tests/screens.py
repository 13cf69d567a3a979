"""A test screen: a real WebSocket client that behaves like the pages do."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import time
from collections.abc import Callable
from typing import Any

import httpx
import websockets

from townhall.live.diff import apply_diff

_ids = itertools.count(1)


class TestScreen:
    __test__ = False

    def __init__(self, base_url: str, ws_url: str, slug: str, *, moderator_key: str | None = None):
        self.base_url, self.ws_url, self.slug = base_url, ws_url, slug
        self.moderator_key = moderator_key
        self.cookie: str | None = None
        self.messages: list[dict[str, Any]] = []
        self.queue: dict[str, Any] | None = None
        self.version: int | None = None
        self.you: dict[str, Any] = {}
        self._changed = asyncio.Condition()
        self._socket: Any = None
        self._reader: asyncio.Task[None] | None = None
        self.prefix = f"t{next(_ids)}"
        self._counter = itertools.count(1)

    async def open(self) -> TestScreen:
        if self.cookie is None:
            async with httpx.AsyncClient(base_url=self.base_url) as http:
                page = await http.get(f"/e/{self.slug}")
                self.cookie = page.cookies.get("townhall_participant")
        headers = {"Cookie": f"townhall_participant={self.cookie}"} if self.cookie else {}
        self._socket = await websockets.connect(
            f"{self.ws_url}/ws/events/{self.slug}", additional_headers=headers
        )
        hello: dict[str, Any] = {"type": "hello"}
        if self.moderator_key:
            hello["moderator_key"] = self.moderator_key
        await self._socket.send(json.dumps(hello))
        self._reader = asyncio.create_task(self._read())
        await self.wait_for(lambda: self.queue is not None)
        return self

    async def close(self) -> None:
        if self._socket is not None:
            await self._socket.close()
        if self._reader is not None:
            self._reader.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._reader

    async def _read(self) -> None:
        with contextlib.suppress(websockets.ConnectionClosed):
            async for raw in self._socket:
                message = json.loads(raw)
                async with self._changed:
                    self.messages.append(message)
                    if message["type"] in ("snapshot", "queue"):
                        self.queue = message
                        self.version = message.get("version")
                    if message["type"] == "queue_diff":
                        # A diff always follows the state it was made from (the outbox's rule).
                        assert message["base"] == self.version, (message["base"], self.version)
                        assert self.queue is not None
                        self.queue = apply_diff(self.queue, message)
                        self.version = message["version"]
                    if message["type"] == "snapshot":
                        self.you = message["you"]
                    self._changed.notify_all()

    async def send_raw(self, raw: str) -> None:
        await self._socket.send(raw)

    async def act(
        self, action: str, *, client_id: str | None = None, **fields: Any
    ) -> dict[str, Any]:
        """Send an action and return its `ack` or `refused`."""
        client_id = client_id or f"{self.prefix}-{next(self._counter)}"
        seen = len(self.messages)
        await self._socket.send(json.dumps({"type": action, "client_id": client_id, **fields}))
        return await self.next_message(
            lambda m: m["type"] in ("ack", "refused") and m.get("client_id") == client_id,
            after=seen,
        )

    async def next_message(
        self, match: Callable[[dict[str, Any]], bool], *, after: int = 0, within: float = 5.0
    ) -> dict[str, Any]:
        found: list[dict[str, Any]] = []

        def done() -> bool:
            found[:] = [m for m in self.messages[after:] if match(m)]
            return bool(found)

        await self.wait_for(done, within=within)
        return found[0]

    async def wait_for(self, condition: Callable[[], bool], within: float = 5.0) -> float:
        """Wait until `condition` holds; returns the seconds it took."""
        start = time.monotonic()
        async with self._changed:
            await asyncio.wait_for(self._changed.wait_for(condition), within)
        return time.monotonic() - start

    def open_ids(self) -> list[int]:
        assert self.queue is not None
        return [item["id"] for item in self.queue["open"]]

    def find(self, question_id: int) -> dict[str, Any] | None:
        """The question on this screen, None while it has not arrived (for waits)."""
        if self.queue is None:
            return None
        sections = [*self.queue["open"], *self.queue["answered"], *self.queue.get("pending", [])]
        if self.queue["now_answering"]:
            sections.append(self.queue["now_answering"])
        return next((item for item in sections if item["id"] == question_id), None)

    def votes(self, question_id: int) -> int | None:
        """The question's count on this screen, None while it has not arrived (for waits)."""
        found = self.find(question_id)
        return None if found is None else int(found["votes"])

    def item(self, question_id: int) -> dict[str, Any]:
        assert self.queue is not None
        sections = [*self.queue["open"], *self.queue["answered"], *self.queue.get("pending", [])]
        if self.queue["now_answering"]:
            sections.append(self.queue["now_answering"])
        return next(item for item in sections if item["id"] == question_id)
