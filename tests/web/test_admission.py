"""New identities and per-network limits on a real server, over HTTP and the WebSocket
(finding 2 of issue 13: a fresh cookie per request made every vote count)."""

from __future__ import annotations

import json
import random
import uuid
from typing import Any

import httpx
import pytest
import websockets
from conftest import REDIS_URL, Database, ServerFactory, seed

TIGHT = {
    "rate_new_identities": "5/minute",
    "rate_network_questions": "20/minute",
    "rate_network_supporters": "3/hour",
    "venue_factor": 10,
}


def forged() -> dict[str, str]:
    """A random X-Forwarded-For: it must change nothing unless the peer is a trusted proxy."""
    return {"X-Forwarded-For": f"{random.randint(1, 223)}.{random.randint(0, 255)}.7.9"}


async def ask_two(base_url: str, slug: str, headers: dict[str, str] | None = None) -> list[int]:
    async with httpx.AsyncClient(base_url=base_url, headers=headers) as http:
        ids = []
        for n in range(2):
            reply = await http.post(
                f"/api/events/{slug}/actions/submit_question",
                json={"client_id": f"ask{n}", "text": f"Question number {n} about the budget?"},
            )
            ids.append(reply.json()["result"]["question_id"])
    return ids


async def fresh_http_vote(
    base_url: str, slug: str, question: int, headers: dict[str, str]
) -> httpx.Response:
    async with httpx.AsyncClient(base_url=base_url) as http:  # a new cookie jar each time
        return await http.post(
            f"/api/events/{slug}/actions/vote",
            json={"client_id": "v1", "question_id": question},
            headers=headers,
        )


async def fresh_socket_vote(
    ws_url: str, slug: str, question: int, hello: dict[str, Any] | None = None
) -> dict[str, Any]:
    async with websockets.connect(f"{ws_url}/ws/events/{slug}") as socket:  # no cookie
        await socket.send(json.dumps({"type": "hello", **(hello or {})}))
        await socket.send(json.dumps({"type": "vote", "client_id": "w1", "question_id": question}))
        while True:
            message = json.loads(await socket.recv())
            if message["type"] in ("ack", "refused"):
                return dict(message)


async def votes_of(base_url: str, slug: str, question: int) -> int:
    async with httpx.AsyncClient(base_url=base_url) as http:
        queue = (await http.get(f"/api/events/{slug}/queue")).json()
    return int(next(item["votes"] for item in queue["open"] if item["id"] == question))


async def test_admission_fresh_cookie_per_request_over_http_is_limited(
    database: Database, start_server: ServerFactory
) -> None:
    demo = await seed(database)
    server = await start_server(database, **TIGHT)
    first, second = await ask_two(server.base_url, demo.slug)  # the asker: 1 of 5 identities

    stuffing = [
        await fresh_http_vote(server.base_url, demo.slug, first, forged()) for _ in range(10)
    ]
    elsewhere = [
        await fresh_http_vote(server.base_url, demo.slug, second, forged()) for _ in range(3)
    ]

    assert [reply.status_code for reply in stuffing] == [200] * 3 + [429] * 7
    refused = stuffing[-1].json()["error"]
    assert (refused["code"], refused["action"]) == ("network_vote_limit", "vote")
    assert stuffing[-1].headers["retry-after"] == str(refused["retry_after"])
    # The full question spent no more identities: one newcomer still gets in elsewhere.
    assert [reply.status_code for reply in elsewhere] == [200, 429, 429]
    late = elsewhere[-1]
    assert late.json()["error"]["code"] == "new_identity_limit"
    assert late.json()["error"]["retry_after"] in range(1, 13)
    assert "townhall_participant" in late.cookies  # the same identity when it tries again
    assert await votes_of(server.base_url, demo.slug, first) == 1 + 3


async def test_admission_fresh_socket_per_vote_is_limited(
    sqlite_database: Database, start_server: ServerFactory
) -> None:
    demo = await seed(sqlite_database)
    server = await start_server(sqlite_database, **TIGHT)
    first, _ = await ask_two(server.base_url, demo.slug)

    replies = [await fresh_socket_vote(server.ws_url, demo.slug, first) for _ in range(6)]

    assert [reply["type"] for reply in replies] == ["ack"] * 3 + ["refused"] * 3
    assert {(reply["code"], reply["client_id"]) for reply in replies[3:]} == {
        ("network_vote_limit", "w1")
    }
    assert replies[-1]["retry_after"] >= 3500
    assert await votes_of(server.base_url, demo.slug, first) == 1 + 3


async def test_admission_reading_creates_no_identity(
    sqlite_database: Database, start_server: ServerFactory
) -> None:
    demo = await seed(sqlite_database)
    server = await start_server(sqlite_database, **TIGHT)
    for _ in range(20):  # twenty readers: pages, queue, a socket each
        async with httpx.AsyncClient(base_url=server.base_url) as http:
            await http.get(f"/e/{demo.slug}")
            await http.get(f"/api/events/{demo.slug}/queue")
        async with websockets.connect(f"{server.ws_url}/ws/events/{demo.slug}") as socket:
            await socket.send(json.dumps({"type": "hello"}))
            await socket.recv()

    _, second = await ask_two(server.base_url, demo.slug)
    votes = [await fresh_http_vote(server.base_url, demo.slug, second, {}) for _ in range(3)]

    assert [reply.status_code for reply in votes] == [200] * 3


async def test_admission_stored_participant_is_not_new_after_a_restart(
    sqlite_database: Database, start_server: ServerFactory
) -> None:
    demo = await seed(sqlite_database)
    one = await start_server(sqlite_database, **TIGHT)
    first, second = await ask_two(one.base_url, demo.slug)
    async with httpx.AsyncClient(base_url=one.base_url) as regular:
        await regular.post(
            f"/api/events/{demo.slug}/actions/vote", json={"client_id": "r1", "question_id": first}
        )
        two = await start_server(sqlite_database, **TIGHT)  # a fresh book, as after a restart
        newcomers = []
        for n in range(6):
            async with httpx.AsyncClient(base_url=two.base_url) as fresh:
                newcomers.append(
                    await fresh.post(
                        f"/api/events/{demo.slug}/actions/submit_question",
                        json={"client_id": "q", "text": f"Newcomer question {n} on reform?"},
                    )
                )
        back = await regular.post(
            f"{two.base_url}/api/events/{demo.slug}/actions/vote",
            json={"client_id": "r2", "question_id": second},
        )

    assert [reply.status_code for reply in newcomers] == [200] * 5 + [429]
    assert newcomers[-1].json()["error"]["code"] == "new_identity_limit"
    assert back.status_code == 200


async def test_admission_trusted_proxy_separates_networks(
    sqlite_database: Database, start_server: ServerFactory
) -> None:
    demo = await seed(sqlite_database)
    server = await start_server(sqlite_database, trusted_proxies="127.0.0.1", **TIGHT)
    first, _ = await ask_two(server.base_url, demo.slug, {"X-Forwarded-For": "192.0.2.1"})

    def via(address: str) -> dict[str, str]:  # a forged entry, then what the proxy saw
        return {"X-Forwarded-For": f"10.9.8.7, {address}"}

    one = [
        await fresh_http_vote(server.base_url, demo.slug, first, via("198.51.100.1"))
        for _ in range(4)
    ]
    other = [
        await fresh_http_vote(server.base_url, demo.slug, first, via("198.51.100.2"))
        for _ in range(4)
    ]

    assert [r.status_code for r in one] == [200, 200, 200, 429]
    assert [r.status_code for r in other] == [200, 200, 200, 429]


@pytest.mark.redis
@pytest.mark.skipif(not REDIS_URL, reason="needs TOWNHALL_TEST_REDIS_URL")
async def test_admission_limits_hold_across_workers_through_redis(
    sqlite_database: Database, start_server: ServerFactory
) -> None:
    demo = await seed(sqlite_database)
    # A secret of its own: the network's keyed hash, and so its Redis keys, are new.
    shared = {**TIGHT, "redis_url": REDIS_URL, "secret_key": f"redis-test-{uuid.uuid4().hex}"}
    one = await start_server(sqlite_database, **shared)
    two = await start_server(sqlite_database, **shared)
    first, _ = await ask_two(one.base_url, demo.slug)

    statuses = [
        (await fresh_http_vote((one, two)[n % 2].base_url, demo.slug, first, {})).status_code
        for n in range(8)
    ]

    assert statuses == [200] * 3 + [429] * 5
