"""The participation-mode integrity probe: in a gated event no unverified vote lands."""

from __future__ import annotations

import httpx
from conftest import Database, ServerFactory, seed

from townhall.bench.modes import unverified_votes_landed


async def _ask(base_url: str, slug: str, key: str) -> None:
    async with httpx.AsyncClient(base_url=base_url) as http:
        response = await http.post(
            f"/api/events/{slug}/actions/submit_question",
            json={"client_id": "m1", "text": "How will you fund the peacekeeping budget?"},
            headers={"Authorization": f"Bearer {key}"},
        )
    assert response.status_code == 200


async def test_probe_in_verified_event_finds_zero_landed(
    sqlite_database: Database, start_server: ServerFactory
) -> None:
    demo = await seed(sqlite_database, access_mode="email")
    server = await start_server(sqlite_database)
    await _ask(server.base_url, demo.slug, demo.moderator_key)

    figures = await unverified_votes_landed(server.base_url, demo.slug, http_votes=30, ws_votes=10)

    assert figures == {
        "slug": demo.slug,
        "mode": "email",
        "question_id": 1,
        "attempts": {"http": 30, "websocket": 10},
        "acknowledged": 0,
        "refused": {"verification_required": 40},
        "votes_before": 1,
        "votes_after": 1,
        "landed": 0,
    }


async def test_probe_in_open_event_sees_votes_land(
    sqlite_database: Database, start_server: ServerFactory
) -> None:
    demo = await seed(sqlite_database)
    server = await start_server(sqlite_database)
    await _ask(server.base_url, demo.slug, demo.moderator_key)

    figures = await unverified_votes_landed(server.base_url, demo.slug, http_votes=10, ws_votes=5)

    assert figures["mode"] == "open"
    assert figures["acknowledged"] > 0
    assert figures["landed"] == figures["acknowledged"]
