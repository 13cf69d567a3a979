"""Organiser input the database or the calendar cannot hold is refused with a code, not a 500
(found by schemathesis: tests/web/test_openapi.py)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from conftest import Database, ServerFactory, seed

from townhall.domain.passwords import hash_password
from townhall.store.db import create_engine, session_factory
from townhall.store.tables import Organiser

PASSWORD = "correct horse battery staple"


async def _signed_in(database: Database, start_server: ServerFactory) -> tuple[str, dict[str, str]]:
    """An admin (so the handlers run past the series roles) with a live session."""
    await seed(database)
    engine = create_engine(database.url, schema=database.schema)
    async with session_factory(engine, write=True)() as session, session.begin():
        session.add(
            Organiser(
                email="in@example.org",
                name="In",
                password_hash=hash_password(PASSWORD),
                created_at=datetime.now(UTC),
                is_admin=True,  # the demo series has its own owner
            )
        )
    await engine.dispose()
    server = await start_server(database)
    async with httpx.AsyncClient(base_url=server.base_url) as http:
        signed_in = await http.post(
            "/api/organiser/sign-in", json={"email": "in@example.org", "password": PASSWORD}
        )
    return server.base_url, {
        "Cookie": f"townhall_organiser={signed_in.cookies['townhall_organiser']}",
        "X-CSRF-Token": signed_in.json()["csrf_token"],
    }


EVENT = {
    "title": "Edge of time",
    "kind": "town_hall",
    "duration_minutes": 90,
    "timezone": "America/New_York",
}


@pytest.mark.parametrize(
    ("path", "body", "expected"),
    [
        ("/api/organiser/series", {"title": "Nul\x00title"}, (400, "bad_payload")),
        ("/api/organiser/candidates", {"name": "A\x00B"}, (400, "bad_payload")),
        ("/api/organiser/series/a%00b/publish", {"published": True}, (404, "unknown_series")),
        ("/api/organiser/events/a%00b/cancel", {}, (404, "unknown_event")),
        # A wall-clock time skipped when the clocks go forward.
        ("SERIES/events", {**EVENT, "start": "2027-03-14T02:30"}, (400, "invalid")),
        # Ends after the last day a calendar can hold; starts before the first.
        (
            "SERIES/events",
            {**EVENT, "start": "9999-12-31T20:00", "duration_minutes": 100_000},
            (400, "invalid"),
        ),
        ("SERIES/events", {**EVENT, "start": "0001-01-01T00:00+05:00"}, (400, "invalid")),
    ],
    ids=["nul-title", "nul-name", "nul-series-slug", "nul-event-slug", "gap", "end", "start"],
)
async def test_organiser_input_out_of_reach_refused_with_a_code(
    database: Database,
    start_server: ServerFactory,
    path: str,
    body: dict[str, Any],
    expected: tuple[int, str],
) -> None:
    base_url, headers = await _signed_in(database, start_server)

    async with httpx.AsyncClient(base_url=base_url, headers=headers) as http:
        series = (await http.get("/api/organiser/series")).json()["series"][0]["slug"]
        response = await http.post(
            path.replace("SERIES", f"/api/organiser/series/{series}"), json=body
        )

    assert response.headers["content-type"] == "application/json", response.text
    assert (response.status_code, response.json()["error"]["code"]) == expected


@pytest.mark.parametrize("change", ["cancel", "moderator-key"])
async def test_organiser_change_without_fields_refuses_any_other_body(
    database: Database, start_server: ServerFactory, change: str
) -> None:
    """Found by schemathesis: /openapi.json says `{}`, but any bytes (or extra fields) were
    taken, and the event was cancelled or its key rotated."""
    base_url, headers = await _signed_in(database, start_server)

    async with httpx.AsyncClient(base_url=base_url, headers=headers) as http:
        before = (await http.get("/api/organiser/series")).json()["series"][0]["events"][0]
        path = f"/api/organiser/events/{before['slug']}/{change}"
        not_json = await http.post(
            path, content=b"B\xff", headers={"Content-Type": "application/json"}
        )
        extra = await http.post(path, json={"reason": "storm"})
        after = (await http.get("/api/organiser/series")).json()["series"][0]["events"][0]
        done = await http.post(path, json={})

    assert [(r.status_code, r.json()["error"]["code"]) for r in (not_json, extra)] == [
        (400, "bad_json"),
        (400, "bad_payload"),
    ]
    assert (after, done.status_code) == (before, 200)
