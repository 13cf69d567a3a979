"""Questions in advance over HTTP: the organiser sets the window, the API, the schedule JSON
and the invite carry it, and participants' asking follows it (tests/actions/test_advance.py
has the rule itself, with a clock the test moves)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
import vobject
from conftest import Database, ServerFactory, seed
from organisers import OrganiserClient, add_organiser, sign_in


@pytest.fixture
async def organiser(
    database: Database, start_server: ServerFactory
) -> AsyncIterator[OrganiserClient]:
    await seed(database)
    await add_organiser(database, "org@example.org", admin=True)
    server = await start_server(database)
    async with httpx.AsyncClient(base_url=server.base_url) as http:
        yield await sign_in(http, "org@example.org")


def _at(days: float) -> str:
    moment = (datetime.now(UTC) + timedelta(days=days)).replace(second=0, microsecond=0)
    return moment.isoformat().replace("+00:00", "Z")


def _event(**extra: Any) -> dict[str, Any]:
    return {
        "title": "Town hall in advance",
        "kind": "town_hall",
        "candidates": ["Amina Diallo"],
        "moderators": ["Lena Okafor"],
        "start": _at(5),  # clear of the demo's advance event (in 3 days, same moderator)
        "duration_minutes": 90,
        "timezone": "Europe/Paris",
        "languages": ["en", "fr"],
        **extra,
    }


async def _ask(http: httpx.AsyncClient, slug: str, client_id: str) -> httpx.Response:
    return await http.post(
        f"/api/events/{slug}/actions/submit_question",
        json={"client_id": client_id, "text": "Will you publish your first-year priorities?"},
    )


def _description(ics: bytes) -> tuple[int, str]:
    vevent = vobject.readOne(ics.decode("utf-8")).vevent
    return int(vevent.sequence.value), str(vevent.description.value)


async def test_window_open_now_takes_questions_before_the_event_is_live(
    organiser: OrganiserClient,
) -> None:
    series = (await organiser.post("/api/organiser/series", {"title": "Advance"})).json()
    window = {"questions_from": _at(-1), "questions_until": _at(5.0625)}

    created = await organiser.post(
        f"/api/organiser/series/{series['slug']}/events", _event(**window)
    )
    slug = created.json()["event"]["slug"]
    asked = await _ask(organiser.http, slug, "q1")
    public = (await organiser.http.get(f"/api/events/{slug}")).json()
    invite = await organiser.http.get(f"/events/{slug}/invite.ics")

    assert created.status_code == 201, created.text
    assert {k: created.json()["event"][k] for k in window} == window
    assert (public["status"], public["questions_from"], public["questions_until"]) == (
        "scheduled",
        window["questions_from"],
        window["questions_until"],
    )
    assert asked.status_code == 200, asked.text
    assert "Questions open from " in _description(invite.content)[1]


async def test_window_moved_later_refuses_asking_and_bumps_sequence(
    organiser: OrganiserClient,
) -> None:
    series = (await organiser.post("/api/organiser/series", {"title": "Advance"})).json()
    created = await organiser.post(
        f"/api/organiser/series/{series['slug']}/events", _event(questions_from=_at(-1))
    )
    slug = created.json()["event"]["slug"]
    before = await organiser.http.get(f"/events/{slug}/invite.ics")

    opens = _at(1)
    moved = await organiser.patch(f"/api/organiser/events/{slug}", {"questions_from": opens})
    refused = await _ask(organiser.http, slug, "q1")
    after = await organiser.http.get(f"/events/{slug}/invite.ics")

    assert moved.status_code == 200, moved.text
    assert (refused.status_code, refused.json()["error"]["code"]) == (
        400,
        "questions_not_open_yet",
    )
    assert refused.json()["error"]["opens_at"] == opens
    assert _description(after.content)[0] == _description(before.content)[0] + 1


async def test_window_cleared_with_null_and_kept_when_left_out(
    organiser: OrganiserClient,
) -> None:
    series = (await organiser.post("/api/organiser/series", {"title": "Advance"})).json()
    window = {"questions_from": _at(-1), "questions_until": _at(6)}
    created = await organiser.post(
        f"/api/organiser/series/{series['slug']}/events", _event(**window)
    )
    slug = created.json()["event"]["slug"]

    kept = await organiser.patch(f"/api/organiser/events/{slug}", {"title": "Renamed"})
    cleared = await organiser.patch(f"/api/organiser/events/{slug}", {"questions_from": None})
    closed = await _ask(organiser.http, slug, "q1")

    assert kept.json()["event"]["questions_from"] == window["questions_from"]
    assert (
        cleared.json()["event"]["questions_from"],
        cleared.json()["event"]["questions_until"],
    ) == (
        None,
        window["questions_until"],
    )
    # No window opens any more, before the event: the moderator opens questions live.
    assert (closed.status_code, closed.json()["error"]["code"]) == (400, "questions_closed")


async def test_window_closing_before_the_start_refused_with_its_field(
    organiser: OrganiserClient,
) -> None:
    series = (await organiser.post("/api/organiser/series", {"title": "Advance"})).json()

    refused = await organiser.post(
        f"/api/organiser/series/{series['slug']}/events",
        _event(questions_from=_at(-1), questions_until=_at(2)),
    )

    assert refused.status_code == 400
    assert (refused.json()["error"]["code"], refused.json()["error"]["field"]) == (
        "invalid",
        "questions_until",
    )


async def test_schedule_json_carries_the_window(organiser: OrganiserClient) -> None:
    series = (await organiser.post("/api/organiser/series", {"title": "Advance"})).json()
    opens = _at(-1)
    await organiser.post(
        f"/api/organiser/series/{series['slug']}/events", _event(questions_from=opens)
    )
    await organiser.post(f"/api/organiser/series/{series['slug']}/publish", {"published": True})

    schedule = await organiser.http.get(f"/api/series/{series['slug']}")

    assert schedule.status_code == 200, schedule.text
    (event,) = schedule.json()["events"]
    assert (event["questions_from"], event["questions_until"]) == (opens, None)
