"""Pub/sub backends chosen by URL (`memory://`, `redis://`), shaped like encode/broadcaster.

Each process holds one backend connection; the hub copies what arrives to its local screens.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Iterator
from typing import Any, Protocol


class Backend(Protocol):
    async def connect(self) -> None: ...
    async def disconnect(self) -> None: ...
    async def subscribe(self, channel: str) -> None: ...
    async def unsubscribe(self, channel: str) -> None: ...
    async def publish(self, channel: str, message: str) -> None: ...
    async def next_published(self) -> tuple[str, str]: ...
    async def report_presence(
        self, event_id: int, worker: str, screens: int, ttl: float
    ) -> int: ...


class MemoryBackend:
    """One process: published messages go straight to this process's subscribers."""

    def __init__(self, limit: int = 10_000) -> None:
        self._channels: set[str] = set()
        self._queue: asyncio.Queue[tuple[str, str]] = asyncio.Queue(maxsize=limit)

    async def connect(self) -> None:
        return None

    async def disconnect(self) -> None:
        self._channels.clear()

    async def subscribe(self, channel: str) -> None:
        self._channels.add(channel)

    async def unsubscribe(self, channel: str) -> None:
        self._channels.discard(channel)

    async def publish(self, channel: str, message: str) -> None:
        if channel in self._channels:
            await self._queue.put((channel, message))

    async def next_published(self) -> tuple[str, str]:
        return await self._queue.get()

    async def report_presence(self, event_id: int, worker: str, screens: int, ttl: float) -> int:
        """One process: the screens online are this process's own."""
        return screens


@contextlib.contextmanager
def _as_connection_error() -> Iterator[None]:
    """Redis client errors, seen by the hub as the plain ConnectionError it handles."""
    from redis.exceptions import RedisError

    try:
        yield
    except RedisError as error:
        raise ConnectionError(f"Redis: {error}") from error


class RedisBackend:
    """Redis pub/sub: every worker process, on any host, sees every other's messages."""

    def __init__(self, url: str) -> None:
        self._url = url
        self._redis: Any = None
        self._pubsub: Any = None
        self._channels: set[str] = set()

    async def connect(self) -> None:
        import redis.asyncio as redis  # the memory backend needs no Redis client

        self._redis = redis.Redis.from_url(
            self._url, decode_responses=True, health_check_interval=10, socket_connect_timeout=5
        )
        self._pubsub = self._redis.pubsub(ignore_subscribe_messages=True)
        try:
            with _as_connection_error():
                # The keepalive channel keeps the pub/sub connection open for get_message().
                await self._pubsub.subscribe("townhall:keepalive", *self._channels)
        except ConnectionError:
            await self.disconnect()
            raise

    async def disconnect(self) -> None:
        """Close both connections, whatever state an outage left them in."""
        pubsub, client, self._pubsub, self._redis = self._pubsub, self._redis, None, None
        if pubsub is not None:
            with contextlib.suppress(Exception):
                await pubsub.aclose()
        if client is not None:
            with contextlib.suppress(Exception):
                await client.aclose()
            with contextlib.suppress(Exception):
                await client.connection_pool.disconnect()

    async def subscribe(self, channel: str) -> None:
        self._channels.add(channel)
        if self._pubsub is not None:
            with _as_connection_error():
                await self._pubsub.subscribe(channel)

    async def unsubscribe(self, channel: str) -> None:
        self._channels.discard(channel)
        if self._pubsub is not None:
            with _as_connection_error():
                await self._pubsub.unsubscribe(channel)

    async def publish(self, channel: str, message: str) -> None:
        if self._redis is None:
            raise ConnectionError("the Redis backend is not connected")
        with _as_connection_error():
            await self._redis.publish(channel, message)

    async def next_published(self) -> tuple[str, str]:
        if self._pubsub is None:
            raise ConnectionError("the Redis backend is not connected")
        while True:
            with _as_connection_error():
                message = await self._pubsub.get_message(timeout=1.0)
            if message is not None and message["type"] == "message":
                return message["channel"], message["data"]

    async def report_presence(self, event_id: int, worker: str, screens: int, ttl: float) -> int:
        """Store this worker's count (valid for `ttl` seconds) and sum every live worker's.

        Counts of a worker that died expire with it instead of lingering.
        """
        if self._redis is None:
            raise ConnectionError("the Redis backend is not connected")
        key = f"townhall:presence:{event_id}"
        now = time.time()
        with _as_connection_error():
            await self._redis.hset(key, worker, f"{screens}:{now + ttl:.3f}")
            await self._redis.expire(key, int(ttl * 4) + 1)
            found = await self._redis.hgetall(key)
        total, expired = 0, []
        for field, value in found.items():
            count, _, until = value.partition(":")
            if float(until or 0) < now:
                expired.append(field)
            else:
                total += int(count)
        if expired:
            with _as_connection_error():
                await self._redis.hdel(key, *expired)
        return total


def backend_for(url: str | None) -> Backend:
    if url is None or url.startswith("memory://"):
        return MemoryBackend()
    if url.startswith(("redis://", "rediss://", "unix://")):
        return RedisBackend(url)
    raise ValueError(f"no fan-out backend for {url!r} (use memory:// or redis://)")
