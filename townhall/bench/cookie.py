"""The participant cookie, fetched the way a browser gets it, for the bench's sockets."""

from __future__ import annotations

import asyncio
import contextlib
from urllib.parse import urlsplit

COOKIE = "townhall_participant"


async def fetch_cookie(base_url: str, slug: str) -> str | None:
    """GET the participant page the way a browser would, and keep its cookie."""
    parts = urlsplit(base_url)
    reader, writer = await asyncio.open_connection(parts.hostname, parts.port or 80)
    try:
        writer.write(
            f"GET /e/{slug} HTTP/1.1\r\nHost: {parts.netloc}\r\nConnection: close\r\n\r\n".encode()
        )
        await writer.drain()
        head = await reader.readuntil(b"\r\n\r\n")
        await reader.read()
    finally:
        writer.close()
        with contextlib.suppress(Exception):
            await writer.wait_closed()
    for line in head.decode("latin-1").split("\r\n"):
        name, _, value = line.partition(":")
        if name.lower() == "set-cookie" and value.strip().startswith(f"{COOKIE}="):
            return value.strip().split(";", 1)[0].split("=", 1)[1]
    return None
