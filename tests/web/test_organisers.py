"""Organisers plan a series over the API; calendars that subscribed see every change."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
import vobject
from conftest import Database, ServerFactory, seed

from townhall.domain.passwords import hash_password
from townhall.store.db import create_engine, session_factory
from townhall.store.tables import Organiser

PASSWORD = "correct horse battery staple"


async def _add_organiser(database: Database) -> None:
    engine = create_engine(database.url, schema=database.schema)
    async with session_factory(engine, write=True)() as session, session.begin():
        session.add(
            Organiser(
                email="org@example.org",
                name="Org",
                password_hash=hash_password(PASSWORD),
                created_at=datetime.now(UTC),
            )
        )
    await engine.dispose()


@dataclass
class OrganiserClient:
    http: httpx.AsyncClient
    csrf: str

    async def post(self, path: str, body: dict[str, Any] | None = None) -> httpx.Response:
        return await self.http.post(path, json=body or {}, headers={"X-CSRF-Token": self.csrf})

    async def patch(self, path: str, body: dict[str, Any]) -> httpx.Response:
        return await self.http.patch(path, json=body, headers={"X-CSRF-Token": self.csrf})


@pytest.fixture
async def organiser(
    database: Database, start_server: ServerFactory
) -> AsyncIterator[OrganiserClient]:
    await seed(database)
    await _add_organiser(database)
    server = await start_server(database)
    async with httpx.AsyncClient(base_url=server.base_url) as http:
        signed_in = await http.post(
            "/api/organiser/sign-in", json={"email": "org@example.org", "password": PASSWORD}
        )
        assert signed_in.status_code == 200
        yield OrganiserClient(http, signed_in.json()["csrf_token"])


def _local(days: int, hour: int) -> str:
    day = (datetime.now(UTC) + timedelta(days=days)).date()
    return f"{day.isoformat()}T{hour:02d}:00"


def _event(
    title: str, candidate: str, *, days: int, hour: int = 10, **extra: Any
) -> dict[str, Any]:
    return {
        "title": title,
        "kind": "town_hall",
        "candidates": [candidate],
        "moderators": ["Lena Okafor"],
        "start": _local(days, hour),
        "duration_minutes": 90,
        "timezone": "America/New_York",
        "venue": f"Room for {title}",
        "stream_url": "https://webtv.un.org/",
        "description": "Questions from the public; answers, in order.",
        "languages": ["en", "fr"],
        **extra,
    }


def _feed_events(ics: bytes) -> dict[str, Any]:
    calendar = vobject.readOne(ics.decode("utf-8"))
    return {str(e.summary.value): e for e in calendar.vevent_list}


async def test_organiser_plans_reschedules_and_cancels_and_the_feed_follows(
    organiser: OrganiserClient,
) -> None:
    series = await organiser.post(
        "/api/organiser/series", {"title": "Town halls with candidates, 2027"}
    )
    slug = series.json()["slug"]
    created = [
        await organiser.post(f"/api/organiser/series/{slug}/events", body)
        for body in (
            _event("Town hall one", "Amina Diallo", days=20),
            _event("Town hall two", "Tomás Herrera", days=21),
            _event("Town hall three", "Amina Diallo", days=22),
        )
    ]
    await organiser.post(f"/api/organiser/series/{slug}/publish", {"published": True})
    first_feed = await organiser.http.get(f"/series/{slug}/feed.ics")
    etag = first_feed.headers["etag"]
    unchanged = await organiser.http.get(
        f"/series/{slug}/feed.ics", headers={"If-None-Match": etag}
    )

    moved = await organiser.post(
        f"/api/organiser/events/{created[0].json()['event']['slug']}/reschedule",
        {"start": _local(25, 15)},
    )
    cancelled = await organiser.post(
        f"/api/organiser/events/{created[1].json()['event']['slug']}/cancel"
    )
    second_feed = await organiser.http.get(
        f"/series/{slug}/feed.ics", headers={"If-None-Match": etag}
    )

    assert [r.status_code for r in created] == [201, 201, 201]
    assert "#key=" in created[0].json()["moderator_url"]
    assert (unchanged.status_code, second_feed.status_code) == (304, 200)
    assert second_feed.headers["etag"] != etag
    assert second_feed.headers["content-type"].startswith("text/calendar")
    before, after = _feed_events(first_feed.content), _feed_events(second_feed.content)
    one_before, one_after = before["Town hall one"], after["Town hall one"]
    assert one_after.uid.value == one_before.uid.value
    assert (int(one_before.sequence.value), int(one_after.sequence.value)) == (0, 1)
    assert one_after.dtstart.value.hour == 15
    assert str(one_after.dtstart.value.tzinfo) in (
        "America/New_York",
        "<tzicalvtz 'America/New_York'>",
    )
    cancelled_entry = after["Cancelled: Town hall two"]
    assert (cancelled_entry.status.value, int(cancelled_entry.sequence.value)) == ("CANCELLED", 1)
    assert after["Town hall three"].sequence.value == "0"
    assert moved.json()["event"]["sequence"] == 1
    assert cancelled.json()["event"]["status"] == "cancelled"


async def test_organiser_conflict_needs_explicit_override(organiser: OrganiserClient) -> None:
    series = (await organiser.post("/api/organiser/series", {"title": "Dialogues"})).json()
    path = f"/api/organiser/series/{series['slug']}/events"
    await organiser.post(path, _event("First dialogue", "Amina Diallo", days=30))

    clash = await organiser.post(path, _event("Second dialogue", "Amina Diallo", days=30, hour=11))
    forced = await organiser.post(
        path, _event("Second dialogue", "Amina Diallo", days=30, hour=11, override_conflicts=True)
    )

    assert clash.status_code == 409
    error = clash.json()["error"]
    assert error["code"] == "conflicts"
    assert [(c["event"]["title"], c["candidates"], c["moderators"]) for c in error["clashes"]] == [
        ("First dialogue", ["Amina Diallo"], ["Lena Okafor"])
    ]
    assert forced.status_code == 201


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"timezone": "Mars/Olympus_Mons"}, "timezone"),
        ({"duration_minutes": 0}, "duration_minutes"),
        ({"duration_minutes": 24 * 60 + 1}, "duration_minutes"),
        ({"start": "2020-01-01T10:00"}, "start"),
        ({"title": "   "}, "title"),
        ({"candidates": ["Nobody Known"]}, "candidates"),
        ({"moderators": ["Nobody Known"]}, "moderators"),
        ({"start": "next tuesday"}, "start"),
    ],
)
async def test_organiser_bad_event_input_names_the_field_and_saves_nothing(
    organiser: OrganiserClient, change: dict[str, Any], field: str
) -> None:
    series = (await organiser.post("/api/organiser/series", {"title": "Bad input"})).json()

    response = await organiser.post(
        f"/api/organiser/series/{series['slug']}/events",
        {**_event("Event", "Amina Diallo", days=40), **change},
    )
    listing = await organiser.http.get("/api/organiser/series")

    assert response.status_code == 400
    assert response.json()["error"]["field"] == field
    saved = next(s for s in listing.json()["series"] if s["slug"] == series["slug"])
    assert saved["events"] == []


async def test_organiser_requests_need_sign_in_and_csrf(
    sqlite_database: Database, start_server: ServerFactory
) -> None:
    await seed(sqlite_database)
    await _add_organiser(sqlite_database)
    server = await start_server(sqlite_database)
    async with httpx.AsyncClient(base_url=server.base_url) as http:
        anonymous = await http.post("/api/organiser/series", json={"title": "x"})
        wrong = await http.post(
            "/api/organiser/sign-in", json={"email": "org@example.org", "password": "nope"}
        )
        await http.post(
            "/api/organiser/sign-in", json={"email": "org@example.org", "password": PASSWORD}
        )
        no_token = await http.post("/api/organiser/series", json={"title": "x"})
        form_post = await http.post("/api/organiser/series", data={"title": "x"})

    assert (anonymous.status_code, wrong.status_code) == (401, 401)
    assert (no_token.status_code, form_post.status_code) == (403, 403)


async def test_public_lists_carry_calendar_links(
    sqlite_database: Database, start_server: ServerFactory
) -> None:
    demo = await seed(sqlite_database)
    server = await start_server(sqlite_database)
    async with httpx.AsyncClient(base_url=server.base_url) as http:
        events = (await http.get("/api/events")).json()["events"]
        series = (await http.get("/api/series")).json()["series"]
        schedule = (await http.get(f"/api/series/{series[0]['slug']}")).json()
        invite = await http.get(events[0]["ics_url"].removeprefix(server.base_url))

    assert all(e["ics_url"].endswith(f"/events/{e['slug']}/invite.ics") for e in events)
    assert series[0]["feed_url"] == f"{server.base_url}/series/sg-dialogues/feed.ics"
    assert series[0]["webcal_url"].startswith("webcal://")
    assert [e["status"] for e in schedule["events"]] == ["live", "scheduled"]
    assert schedule["events"][0]["slug"] == demo.slug
    parsed = vobject.readOne(invite.text)
    assert parsed.vevent.url.value == f"{server.base_url}/e/{events[0]['slug']}"


async def test_organiser_deep_json_gets_400_too_deep_and_saves_nothing(
    organiser: OrganiserClient,
) -> None:
    before = (await organiser.http.get("/api/organiser/series")).json()["series"]
    body = '{"title": "Deep", "description": ' + "[" * 5_000 + "]" * 5_000 + "}"

    response = await organiser.http.post(
        "/api/organiser/series",
        content=body,
        headers={"X-CSRF-Token": organiser.csrf, "Content-Type": "application/json"},
    )
    after = (await organiser.http.get("/api/organiser/series")).json()["series"]

    assert (response.status_code, response.json()["error"]["code"]) == (400, "too_deep")
    assert after == before


async def test_organiser_cookie_secure_only_over_https(
    sqlite_database: Database, start_server: ServerFactory
) -> None:
    """`Secure` when a trusted proxy says the visitor came over HTTPS; a header from anyone
    else changes nothing (web/client.py)."""
    await seed(sqlite_database)
    await _add_organiser(sqlite_database)
    trusting = await start_server(sqlite_database, trusted_proxies="127.0.0.1")
    untrusting = await start_server(sqlite_database, trusted_proxies="10.0.0.0/8")
    sign_in = {"email": "org@example.org", "password": PASSWORD}
    https = {"X-Forwarded-Proto": "https"}

    async with httpx.AsyncClient() as http:
        proxied = await http.post(
            f"{trusting.base_url}/api/organiser/sign-in", json=sign_in, headers=https
        )
        plain = await http.post(f"{trusting.base_url}/api/organiser/sign-in", json=sign_in)
        spoofed = await http.post(
            f"{untrusting.base_url}/api/organiser/sign-in", json=sign_in, headers=https
        )

    flags = [
        [
            "secure" in cookie.lower().split("; ")
            for cookie in response.headers.get_list("set-cookie")
        ]
        for response in (proxied, plain, spoofed)
    ]
    # The session cookie and the device cookie alike.
    assert flags == [[True, True], [False, False], [False, False]]
