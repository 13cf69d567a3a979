"""Common questions of a series and the series record, over the API: each event carries the
common question at the top of its queue, participants' repeats merge into it, and the record
sets every candidate's answer side by side."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from conftest import Database, RunningServer, ServerFactory, seed
from organisers import OrganiserClient, add_organiser, sign_in
from screens import TestScreen
from sqlalchemy import update

from townhall.store.db import create_engine, session_factory
from townhall.store.demo import seed_demo
from townhall.store.tables import Series
from townhall.web.state import AppState

SERIES = "sg-dialogues"
LIVE, LATER = "dialogue-diallo", "dialogue-herrera"
COMMON = {
    "en": "What would you change first in how the Secretariat works?",
    "fr": "Que changeriez-vous en premier dans le fonctionnement du Secrétariat ?",
}


async def _drain(server: RunningServer) -> None:
    state: AppState = server.app.state.townhall  # type: ignore[attr-defined]
    assert state.dedup is not None
    await state.dedup.drain()


async def _organiser(
    database: Database, server: RunningServer, http: httpx.AsyncClient
) -> OrganiserClient:
    await add_organiser(database, "admin@example.org", admin=True)
    return await sign_in(http, "admin@example.org")


async def _put_common(organiser: OrganiserClient) -> dict[str, Any]:
    response = await organiser.post(
        f"/api/organiser/series/{SERIES}/common-questions", {"texts": COMMON}
    )
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


async def test_common_question_tops_every_queue_and_takes_in_repeats(
    database: Database, start_server: ServerFactory
) -> None:
    demo = await seed(database)
    server = await start_server(database)
    alice = await TestScreen(server.base_url, server.ws_url, LIVE).open()
    moderator = await TestScreen(
        server.base_url, server.ws_url, LIVE, moderator_key=demo.moderator_key
    ).open()
    popular = await alice.act(
        "submit_question", text="How will you protect human rights defenders?"
    )
    before = await alice.act(
        "submit_question", text="What would you change first in how the Secretariat works??"
    )
    await _drain(server)

    async with httpx.AsyncClient(base_url=server.base_url) as http:
        organiser = await _organiser(database, server, http)
        common = await _put_common(organiser)
        await _drain(server)
        later = (await http.get(f"/api/events/{LATER}/queue")).json()
    after = await alice.act(
        "submit_question", text="What would you change first in the way the Secretariat works?"
    )
    await _drain(server)
    await alice.wait_for(
        lambda: (
            bool(alice.queue["open"])
            and alice.queue["open"][0].get("common", {}).get("id") == common["id"]
            and len(alice.queue["open"][0]["merged"]) == 2
        )
    )

    top = alice.queue["open"][0]
    assert common["texts"] == COMMON and common["text"] == COMMON["en"]
    assert top["common"] == {"id": common["id"], "texts": COMMON}
    assert sorted(m["id"] for m in top["merged"]) == sorted(
        [before["result"]["question_id"], after["result"]["question_id"]]
    )
    assert alice.open_ids()[1:] == [popular["result"]["question_id"]]
    assert [item.get("common", {}).get("id") for item in later["open"]] == [common["id"]]
    refused = await moderator.act(
        "merge_questions", question_id=top["id"], into_id=popular["result"]["question_id"]
    )
    assert (refused["type"], refused["code"]) == ("refused", "common_question")
    for screen in (alice, moderator):
        await screen.close()


async def test_series_record_sets_answers_side_by_side(
    database: Database, start_server: ServerFactory
) -> None:
    demo = await seed(database)
    server = await start_server(database)
    async with httpx.AsyncClient(base_url=server.base_url) as http:
        organiser = await _organiser(database, server, http)
        common = await _put_common(organiser)
        live = (await http.get(f"/api/events/{LIVE}/queue")).json()
        copy_id = live["open"][0]["id"]
        answered = await http.post(
            f"/api/events/{LIVE}/actions/mark_answered",
            json={"client_id": "answer-1", "question_id": copy_id},
            headers={"Authorization": f"Bearer {demo.moderator_key}"},
        )
        assert answered.status_code == 200, answered.text
        cancelled = await organiser.post(f"/api/organiser/events/{LATER}/cancel")
        assert cancelled.status_code == 200, cancelled.text
        record = await http.get(f"/api/series/{SERIES}/record")

    body = record.json()
    assert record.status_code == 200
    assert [(e["slug"], e["candidates"], e["record_url"]) for e in body["events"]] == [
        (LIVE, ["Amina Diallo"], f"/e/{LIVE}/record")
    ]
    [row] = body["common_questions"]
    assert (row["id"], row["texts"]) == (common["id"], COMMON)
    [cell] = row["answers"]
    assert (cell["event"], cell["question_id"], cell["url"]) == (
        LIVE,
        copy_id,
        f"/e/{LIVE}/record#q-{copy_id}",
    )
    assert cell["answered_at"] is not None and cell["answered_at"].endswith("Z")


async def test_series_record_marks_not_reached_and_new_events_carry_the_question(
    sqlite_database: Database, start_server: ServerFactory
) -> None:
    await seed(sqlite_database)
    server = await start_server(sqlite_database)
    async with httpx.AsyncClient(base_url=server.base_url) as http:
        organiser = await _organiser(sqlite_database, server, http)
        common = await _put_common(organiser)
        day = (datetime.now(UTC) + timedelta(days=40)).date().isoformat()
        created = await organiser.post(
            f"/api/organiser/series/{SERIES}/events",
            {
                "title": "A third dialogue",
                "kind": "town_hall",
                "candidates": ["Amina Diallo"],
                "moderators": ["Lena Okafor"],
                "start": f"{day}T10:00",
                "duration_minutes": 60,
                "timezone": "UTC",
                "languages": ["en"],
            },
        )
        assert created.status_code == 201, created.text
        slug = created.json()["event"]["slug"]
        new_queue = (await http.get(f"/api/events/{slug}/queue")).json()
        record = (await http.get(f"/api/series/{SERIES}/record")).json()

    assert [item.get("common", {}).get("id") for item in new_queue["open"]] == [common["id"]]
    cells = {
        cell["event"]: cell["answered_at"] for cell in record["common_questions"][0]["answers"]
    }
    assert cells == {LIVE: None, LATER: None, slug: None}


async def test_series_record_of_unpublished_series_is_not_found(
    sqlite_database: Database, start_server: ServerFactory
) -> None:
    await seed(sqlite_database)
    engine = create_engine(sqlite_database.url)
    async with session_factory(engine, write=True)() as session, session.begin():
        await session.execute(update(Series).values(published_at=None))
    await engine.dispose()
    server = await start_server(sqlite_database)
    async with httpx.AsyncClient(base_url=server.base_url) as http:
        record = await http.get(f"/api/series/{SERIES}/record")
        unknown = await http.get("/api/series/no-such-series/record")

    assert [record.status_code, unknown.status_code] == [404, 404]
    assert record.json()["error"]["code"] == "unknown_series"


async def test_common_question_refuses_an_unknown_language(
    sqlite_database: Database, start_server: ServerFactory
) -> None:
    await seed(sqlite_database)
    server = await start_server(sqlite_database)
    async with httpx.AsyncClient(base_url=server.base_url) as http:
        organiser = await _organiser(sqlite_database, server, http)
        response = await organiser.post(
            f"/api/organiser/series/{SERIES}/common-questions", {"texts": {"de": "Was zuerst?"}}
        )
        queue = (await http.get(f"/api/events/{LIVE}/queue")).json()

    assert (response.status_code, response.json()["error"]["code"]) == (400, "invalid_text")
    assert queue["open"] == []


async def test_demo_series_flags_the_repeat_and_records_the_ended_event(
    sqlite_database: Database, start_server: ServerFactory
) -> None:
    engine = create_engine(sqlite_database.url)
    async with session_factory(engine, write=True)() as session, session.begin():
        created = await seed_demo(session, datetime.now(UTC), verified_event=True)
    await engine.dispose()
    live = next(event for event in created if event.slug == LIVE)
    server = await start_server(sqlite_database)
    state: AppState = server.app.state.townhall  # type: ignore[attr-defined]
    assert state.dedup is not None
    await state.dedup.sweep()
    async with httpx.AsyncClient(base_url=server.base_url) as http:
        queue = (
            await http.get(
                f"/api/events/{LIVE}/queue",
                headers={"Authorization": f"Bearer {live.moderator_key}"},
            )
        ).json()
        record = (await http.get(f"/api/series/{SERIES}/record")).json()

    flagged = [item["answered_in"]["event"] for item in queue["open"] if "answered_in" in item]
    assert flagged == ["dialogue-earlier"]
    assert queue["open"][0]["common"]["texts"]["fr"].startswith("Que changeriez")
    cells = {
        cell["event"]: cell["answered_at"] for cell in record["common_questions"][0]["answers"]
    }
    assert cells["dialogue-earlier"] is not None and cells[LIVE] is None
