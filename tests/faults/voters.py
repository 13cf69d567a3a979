"""Participants that vote and ask over real WebSockets and remember every answer.

Each voter has one action in flight at a time, like a person on the page: it sends, waits for
the `ack` or `refused` with its client id, and records it. When the socket drops, the action in
flight stays unanswered; `settle` later sends every unanswered action again with the same client
id, as the page does after a reconnect.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import random
from dataclasses import dataclass, field
from typing import Any

import httpx
import websockets

# Refusals that mean "not applied, try again" (the server or the database was not there).
RETRYABLE = frozenset({"internal", "slow_down", "busy"})


@dataclass
class Sent:
    action: str
    payload: dict[str, Any]


@dataclass
class Voter:
    base_url: str
    ws_url: str
    slug: str
    name: str
    pool: list[int]  # question ids known to every voter (shared list)
    rng: random.Random
    cookie: str = ""
    sent: dict[str, Sent] = field(default_factory=dict)
    answers: dict[str, dict[str, Any]] = field(default_factory=dict)
    _socket: Any = None
    _count: int = 0

    async def connect(self) -> None:
        if not self.cookie:
            async with httpx.AsyncClient(base_url=self.base_url) as http:
                page = await http.get(f"/e/{self.slug}")
                self.cookie = page.cookies["townhall_participant"]
        self._socket = await websockets.connect(
            f"{self.ws_url}/ws/events/{self.slug}",
            additional_headers={"Cookie": f"townhall_participant={self.cookie}"},
            open_timeout=5,
            # Read every update as it comes (a voter only looks for its answers): a bounded
            # queue left full stops reading, and the closing handshake then waits out its timeout.
            max_queue=None,
        )
        await self._socket.send(json.dumps({"type": "hello"}))

    async def close(self) -> None:
        if self._socket is not None:
            with contextlib.suppress(Exception):
                await self._socket.close()
            self._socket = None

    def acked(self) -> dict[str, dict[str, Any]]:
        return {cid: answer for cid, answer in self.answers.items() if answer["type"] == "ack"}

    def unsettled(self) -> list[str]:
        """Client ids sent but never answered, or refused for a reason worth a retry."""
        return [
            cid
            for cid in self.sent
            if cid not in self.answers
            or (self.answers[cid]["type"] == "refused" and self.answers[cid]["code"] in RETRYABLE)
        ]

    def next_action(self) -> tuple[str, Sent]:
        self._count += 1
        client_id = f"{self.name}-{self._count}"
        if not self.pool or self.rng.random() < 0.2:
            # A number of its own in every text: dedup never merges questions whose numbers
            # differ, so the groups stay single and each counter is its question's own.
            serial = 100_000 * int("0" + "".join(filter(str.isdigit, self.name))) + self._count
            text = f"What will {self.name} ask as question number {serial} of the burst?"
            return client_id, Sent("submit_question", {"text": text})
        return client_id, Sent("vote", {"question_id": self.rng.choice(self.pool)})

    async def act(self, client_id: str, within: float = 10.0) -> dict[str, Any] | None:
        """Send the action `client_id`; its answer, or None if the socket dropped first."""
        sent = self.sent[client_id]
        message = {"type": sent.action, "client_id": client_id, **sent.payload}
        try:
            await self._socket.send(json.dumps(message))
            async with asyncio.timeout(within):
                while True:
                    reply = json.loads(await self._socket.recv())
                    if reply.get("client_id") == client_id and reply["type"] in ("ack", "refused"):
                        break
        except (websockets.ConnectionClosed, OSError, TimeoutError):
            return None
        self.answers[client_id] = reply
        if reply["type"] == "ack" and sent.action == "submit_question":
            self.pool.append(reply["result"]["question_id"])
        return reply

    async def burst(self, stop: asyncio.Event) -> None:
        """Act one action after another until `stop` is set or the socket drops."""
        while not stop.is_set():
            client_id, sent = self.next_action()
            self.sent[client_id] = sent
            if await self.act(client_id) is None:
                return

    async def settle(self) -> list[dict[str, Any]]:
        """Send every unsettled action again, same client id; returns the new answers."""
        answers = []
        for client_id in self.unsettled():
            answer = await self.act(client_id)
            assert answer is not None, f"{client_id} got no answer after the restart"
            answers.append(answer)
        return answers
