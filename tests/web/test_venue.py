"""Venue tokens: only a keyed stage screen gets them; a hall that uses one gets its own,
larger allowance for the event (page load or the socket's hello)."""

from __future__ import annotations

import json
from types import SimpleNamespace
from typing import Any, cast

import httpx
import websockets
from conftest import Database, RunningServer, ServerFactory, seed
from itsdangerous import TimestampSigner

from townhall.store.demo import DemoEvent
from townhall.store.tables import Event
from townhall.web.venue import VenueTokens

TIGHT = {
    "rate_new_identities": "5/minute",
    "rate_network_supporters": "3/hour",
    "venue_factor": 10,
    "trusted_proxies": "127.0.0.1",  # the test plays the reverse proxy
}


def via(address: str) -> dict[str, str]:
    return {"X-Forwarded-For": address}


class OldSigner(TimestampSigner):
    def get_timestamp(self) -> int:
        return super().get_timestamp() - 601


def test_venue_tokens_bound_to_event_and_time() -> None:
    tokens = VenueTokens("test-secret-key-0123456789", 600)
    token = tokens.issue("town-hall")
    expired = OldSigner("test-secret-key-0123456789", salt="townhall.venue").sign("town-hall")

    assert tokens.verify(token, "town-hall") is True
    assert tokens.verify(token, "other-event") is False
    assert tokens.verify(token[:-2] + "xx", "town-hall") is False
    assert tokens.verify(expired.decode(), "town-hall") is False
    assert VenueTokens("another-secret-key-0123456", 600).verify(token, "town-hall") is False


def test_venue_stage_key_changes_with_the_moderator_key() -> None:
    tokens = VenueTokens("test-secret-key-0123456789", 600)
    before = cast(Event, SimpleNamespace(id=3, moderator_key_hash="aaa"))
    after = cast(Event, SimpleNamespace(id=3, moderator_key_hash="bbb"))

    key = tokens.stage_key(before)

    assert (tokens.is_stage_key(before, key), tokens.is_stage_key(after, key)) == (True, False)
    assert tokens.is_stage_key(before, "é" + key) is False


async def test_venue_token_only_for_a_keyed_stage_screen(
    sqlite_database: Database, start_server: ServerFactory
) -> None:
    demo = await seed(sqlite_database)
    server = await start_server(sqlite_database)
    path = f"/api/events/{demo.slug}/venue"

    async with httpx.AsyncClient(base_url=server.base_url) as http:
        anonymous = await http.get(path)
        moderator = await http.get(path, headers={"Authorization": f"Bearer {demo.moderator_key}"})
        stage_key = moderator.json()["stage_url"].split("#stage=")[1]
        stage = await http.get(path, headers={"X-Stage-Key": stage_key})
        # Another last character (a key may end in "A" already).
        wrong_key = stage_key[:-1] + ("B" if stage_key.endswith("A") else "A")
        wrong = await http.get(path, headers={"X-Stage-Key": wrong_key})
        token = stage.json()["token"]
        qr = await http.get(stage.json()["qr_url"])
        bad_qr = await http.get(f"/e/{demo.slug}/qr.svg", params={"venue": "forged"})

    assert (anonymous.status_code, wrong.status_code) == (403, 403)
    assert anonymous.json()["error"]["code"] == "forbidden"
    assert moderator.json()["stage_url"].startswith(f"{server.base_url}/e/{demo.slug}/stage#")
    assert set(stage.json()) == {
        "token",
        "join_url",
        "qr_url",
        "expires_in",
        "refresh_in",
        "join_code",
    }
    assert stage.json()["join_code"] == demo.code
    assert stage.json()["join_url"] == f"{server.base_url}/e/{demo.slug}?venue={token}"
    assert (stage.json()["expires_in"], stage.json()["refresh_in"]) == (600, 150)
    assert qr.status_code == 200 and qr.headers["cache-control"] == "no-store"
    assert f"?venue={token}" in qr.text
    assert (bad_qr.status_code, bad_qr.json()["error"]["code"]) == (400, "bad_venue")


async def _fresh_votes(
    server: Any, slug: str, question: int, address: str, count: int
) -> list[int]:
    statuses = []
    for _ in range(count):
        async with httpx.AsyncClient(base_url=server.base_url, headers=via(address)) as http:
            reply = await http.post(
                f"/api/events/{slug}/actions/vote", json={"client_id": "v", "question_id": question}
            )
            statuses.append(reply.status_code)
    return statuses


async def _question_and_token(server: RunningServer, demo: DemoEvent) -> tuple[int, str]:
    """A question asked from another network, and a venue token from the keyed stage."""
    async with httpx.AsyncClient(base_url=server.base_url, headers=via("192.0.2.1")) as http:
        asked = await http.post(
            f"/api/events/{demo.slug}/actions/submit_question",
            json={"client_id": "a", "text": "How will you fund the reform?"},
        )
        token = (
            await http.get(
                f"/api/events/{demo.slug}/venue",
                headers={"Authorization": f"Bearer {demo.moderator_key}"},
            )
        ).json()["token"]
    return int(asked.json()["result"]["question_id"]), str(token)


async def test_venue_page_with_token_gives_the_hall_its_allowance(
    database: Database, start_server: ServerFactory
) -> None:
    demo = await seed(database)
    server = await start_server(database, **TIGHT)
    question, token = await _question_and_token(server, demo)
    async with httpx.AsyncClient(base_url=server.base_url, headers=via("203.0.113.9")) as hall:
        await hall.get(f"/e/{demo.slug}", params={"venue": token})

    in_hall = await _fresh_votes(server, demo.slug, question, "203.0.113.9", 12)
    elsewhere = await _fresh_votes(server, demo.slug, question, "198.51.100.4", 5)

    assert in_hall == [200] * 12
    assert elsewhere == [200] * 3 + [429] * 2


async def test_venue_token_in_hello_grants_too(
    sqlite_database: Database, start_server: ServerFactory
) -> None:
    demo = await seed(sqlite_database)
    server = await start_server(sqlite_database, **TIGHT)
    question, token = await _question_and_token(server, demo)

    replies = []
    for n in range(8):
        hello: dict[str, Any] = {"type": "hello"}
        if n == 0:
            hello["venue"] = token  # the first phone in the hall opens the link
        async with websockets.connect(
            f"{server.ws_url}/ws/events/{demo.slug}", additional_headers=via("203.0.113.7")
        ) as socket:
            await socket.send(json.dumps(hello))
            await socket.send(
                json.dumps({"type": "vote", "client_id": "w", "question_id": question})
            )
            while (message := json.loads(await socket.recv()))["type"] not in ("ack", "refused"):
                pass
            replies.append(message["type"])

    assert replies == ["ack"] * 8
