"""The integrity bench's client: one request per connection (a fresh cookie jar each time),
sockets that say hello and collect each action's ack or refusal, and the proxy's
`X-Forwarded-For` (townhall/bench/integrity.py)."""

from __future__ import annotations

import asyncio
import contextlib
import json
import random
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from websockets.asyncio.client import connect

COOKIE = "townhall_participant"
TIMEOUT = 20.0


@dataclass(frozen=True)
class Target:
    base_url: str
    ws_url: str
    slug: str
    moderator_key: str


@dataclass(frozen=True)
class Answer:
    status: int
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body or b"null")

    @property
    def cookie(self) -> str | None:
        raw = self.headers.get("set-cookie", "")
        if raw.startswith(f"{COOKIE}="):
            return raw.split(";", 1)[0].split("=", 1)[1]
        return None


async def request(
    base_url: str,
    method: str,
    path: str,
    *,
    headers: dict[str, str] | None = None,
    body: dict[str, Any] | None = None,
) -> Answer:
    parts = urlsplit(base_url)
    data = json.dumps(body).encode() if body is not None else b""
    lines = [f"{method} {path} HTTP/1.1", f"Host: {parts.netloc}", "Connection: close"]
    if body is not None:
        lines += ["Content-Type: application/json", f"Content-Length: {len(data)}"]
    lines += [f"{name}: {value}" for name, value in (headers or {}).items()]
    reader, writer = await asyncio.wait_for(
        asyncio.open_connection(parts.hostname, parts.port or 80), TIMEOUT
    )
    try:
        writer.write(("\r\n".join(lines) + "\r\n\r\n").encode() + data)
        await writer.drain()
        raw = await asyncio.wait_for(reader.read(), TIMEOUT)
    finally:
        writer.close()
        with contextlib.suppress(Exception):
            await writer.wait_closed()
    head, _, rest = raw.partition(b"\r\n\r\n")
    status_line, *header_lines = head.decode("latin-1").split("\r\n")
    found = {}
    for line in header_lines:
        name, _, value = line.partition(":")
        found[name.strip().lower()] = value.strip()
    if found.get("transfer-encoding") == "chunked":
        rest = _unchunk(rest)
    return Answer(int(status_line.split()[1]), found, rest)


def _unchunk(data: bytes) -> bytes:
    out = b""
    while data:
        size_line, _, data = data.partition(b"\r\n")
        size = int(size_line.split(b";")[0] or b"0", 16)
        if size == 0:
            break
        out, data = out + data[:size], data[size + 2 :]
    return out


def via(network: str, forged: bool = False) -> dict[str, str]:
    """What the proxy passes on; a forger's own entry comes first and must not count."""
    if not forged:
        return {"X-Forwarded-For": network}
    fake = ".".join(str(random.randint(1, 254)) for _ in range(4))
    return {"X-Forwarded-For": f"{fake}, {network}"}


async def socket_actions(
    target: Target,
    network: str,
    actions: list[dict[str, Any]],
    *,
    cookie: str | None = None,
    venue: str | None = None,
    forged: bool = False,
) -> list[dict[str, Any]]:
    """Open a socket as `network`, say hello, send each action, return each ack/refusal."""
    headers = via(network, forged)
    if cookie:
        headers["Cookie"] = f"{COOKIE}={cookie}"
    hello: dict[str, Any] = {"type": "hello", **({"venue": venue} if venue else {})}
    replies: list[dict[str, Any]] = []
    url = f"{target.ws_url}/ws/events/{target.slug}"
    async with asyncio.timeout(TIMEOUT):
        async with connect(url, additional_headers=headers, max_size=None) as socket:
            await socket.send(json.dumps(hello))
            for action in actions:
                await socket.send(json.dumps(action))
                while True:
                    message = json.loads(await socket.recv())
                    if message.get("type") in ("ack", "refused"):
                        replies.append(message)
                        break
    return replies


async def votes_of(target: Target, question: int) -> int:
    queue = (await request(target.base_url, "GET", f"/api/events/{target.slug}/queue")).json()
    items = [*queue["open"], *queue["answered"], *filter(None, [queue["now_answering"]])]
    return int(next(item["votes"] for item in items if item["id"] == question))
