"""The public record over HTTP on SQLite and PostgreSQL: JSON (checked against its JSON
Schema), CSV, the Atom feed, `record_url` in the event lists and the organisers' settings."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

import feedparser
import httpx
import jsonschema_rs
from conftest import Database, ServerFactory
from organisers import add_organiser, sign_in
from records import seed_with_record
from sqlalchemy import update

from townhall.settings import PROJECT_ROOT
from townhall.store.db import create_engine, session_factory
from townhall.store.demo_record import RECORD_SLUG
from townhall.store.tables import Event

SCHEMA = json.loads((PROJECT_ROOT / "docs" / "record.schema.json").read_text())


async def _end(database: Database, slug: str, **values: Any) -> None:
    engine = create_engine(database.url, schema=database.schema)
    try:
        async with session_factory(engine, write=True)() as session, session.begin():
            await session.execute(
                update(Event).where(Event.slug == slug).values(status="ended", **values)
            )
    finally:
        await engine.dispose()


async def _ask(http: httpx.AsyncClient, slug: str, texts: list[str]) -> list[int]:
    ids = []
    for number, text in enumerate(texts):
        asked = await http.post(
            f"/api/events/{slug}/actions/submit_question",
            json={"client_id": f"ask-{number}", "text": text},
        )
        assert asked.status_code == 200, asked.text
        ids.append(asked.json()["result"]["question_id"])
    return ids


async def test_record_answers_in_the_order_taken_with_links_into_the_recording(
    database: Database, start_server: ServerFactory
) -> None:
    demo = await seed_with_record(database)
    server = await start_server(database)
    key = {"Authorization": f"Bearer {demo.moderator_key}"}
    base = f"/api/events/{demo.slug}"

    async def moderate(name: str, client_id: str, **payload: int) -> None:
        done = await http.post(
            f"{base}/actions/{name}", json={"client_id": client_id, **payload}, headers=key
        )
        assert done.status_code == 200, done.text

    async with httpx.AsyncClient(base_url=server.base_url) as http:
        first, second, third, fourth, hidden = await _ask(
            http,
            demo.slug,
            [
                "How will you reform peacekeeping missions?",
                "What is your plan for the climate emergency?",
                "Quel budget prévoyez-vous pour le Secrétariat général ?",
                "Will you publish your financial disclosures?",
                "Please visit my totally unrelated website now?",
            ],
        )
        await moderate("merge_questions", "m1", question_id=third, into_id=first)
        await moderate("hide_question", "h1", question_id=hidden)
        await moderate("mark_answering", "a1", question_id=second)
        await moderate("mark_answering", "a2", question_id=first)  # answers `second` too
        await moderate("mark_answered", "a3", question_id=first)
        live = await http.get(f"{base}/record")
        await _end(database, demo.slug)
        record = (await http.get(f"{base}/record")).json()
        listed = (await http.get("/api/events")).json()["events"]

    assert (live.status_code, live.json()["error"]["code"]) == (404, "no_record_yet")
    assert [(q["position"], q["id"]) for q in record["answered"]] == [(1, second), (2, first)]
    assert [[w["id"] for w in q["wordings"]] for q in record["answered"]] == [
        [second],
        [first, third],
    ]
    assert [q["id"] for q in record["not_reached"]] == [fourth]
    assert "totally unrelated" not in json.dumps(record)
    assert record["answered"][1]["url"] == f"{server.base_url}/e/{demo.slug}/record#q-{first}"
    assert record["recording"] is None
    assert record["licence"] == {
        "name": "CC BY 4.0",
        "url": "https://creativecommons.org/licenses/by/4.0/",
    }
    urls = {event["slug"]: event["record_url"] for event in listed}
    assert urls[demo.slug] == f"{server.base_url}/e/{demo.slug}/record"
    assert urls["dialogue-herrera"] is None  # not ended yet


async def test_record_demo_matches_the_json_schema_and_links_the_recording(
    database: Database, start_server: ServerFactory
) -> None:
    await seed_with_record(database)
    server = await start_server(database)

    async with httpx.AsyncClient(base_url=server.base_url) as http:
        response = await http.get(f"/api/events/{RECORD_SLUG}/record")

    record = response.json()
    jsonschema_rs.validator_for(SCHEMA).validate(record)
    assert response.headers["cache-control"] == "public, max-age=60"
    assert [q["recording_link"].rsplit("#", 1)[1] for q in record["answered"]] == [
        "t=480",
        "t=1260",
        "t=2100",
        "t=3180",
    ]
    merged = record["answered"][0]["wordings"]
    assert [w["language"] for w in merged] == ["en", "fr"]
    assert [q["supporters"] for q in record["not_reached"]] == [8, 5, 3]


def test_record_schema_refuses_a_record_without_its_order() -> None:
    broken = {"version": 1, "answered": [{"id": 1}]}

    assert jsonschema_rs.validator_for(SCHEMA).is_valid(broken) is False


async def test_record_unknown_event_is_404(
    sqlite_database: Database, start_server: ServerFactory
) -> None:
    server = await start_server(sqlite_database)

    async with httpx.AsyncClient(base_url=server.base_url) as http:
        response = await http.get("/api/events/nope/record")

    assert (response.status_code, response.json()["error"]["code"]) == (404, "unknown_event")


async def test_record_csv_one_line_per_wording_with_formulas_neutralised(
    sqlite_database: Database, start_server: ServerFactory
) -> None:
    demo = await seed_with_record(sqlite_database)
    server = await start_server(sqlite_database)

    async with httpx.AsyncClient(base_url=server.base_url) as http:
        await _ask(http, demo.slug, ['=HYPERLINK("https://evil.example","x") is this a question?'])
        await _end(sqlite_database, demo.slug)
        exported = await http.get(f"/api/events/{demo.slug}/record.csv")
        demo_csv = await http.get(f"/api/events/{RECORD_SLUG}/record.csv")

    rows = list(csv.DictReader(io.StringIO(exported.text)))
    assert exported.headers["content-type"] == "text/csv; charset=utf-8"
    assert [(r["section"], r["text"]) for r in rows] == [
        ("not_reached", '\'=HYPERLINK("https://evil.example","x") is this a question?')
    ]
    assert exported.text.startswith('"section","position"')
    lines = list(csv.DictReader(io.StringIO(demo_csv.text)))
    assert [(r["section"], r["position"], r["language"]) for r in lines[:3]] == [
        ("answered", "1", "en"),
        ("answered", "1", "fr"),
        ("answered", "2", "en"),
    ]


async def test_records_feed_lists_ended_events_of_published_series(
    database: Database, start_server: ServerFactory
) -> None:
    await seed_with_record(database)
    server = await start_server(database)

    async with httpx.AsyncClient(base_url=server.base_url) as http:
        response = await http.get("/records.atom")

    feed = feedparser.parse(response.content)
    assert response.headers["content-type"] == "application/atom+xml; charset=utf-8"
    assert (feed.bozo, feed.version) == (False, "atom10")
    assert [entry.link for entry in feed.entries] == [f"{server.base_url}/e/{RECORD_SLUG}/record"]
    assert feed.entries[0].rights.startswith("CC BY 4.0")


async def test_organiser_sets_recording_and_licence_and_the_record_follows(
    database: Database, start_server: ServerFactory
) -> None:
    await seed_with_record(database)
    await add_organiser(database, "admin@example.org", admin=True)
    server = await start_server(database)
    recording = f"/api/organiser/events/{RECORD_SLUG}/recording"

    async with httpx.AsyncClient(base_url=server.base_url) as http:
        organiser = await sign_in(http, "admin@example.org")
        script = await organiser.post(
            recording,
            {
                "recording_url": "javascript:alert(1)",
                "recording_started_at": "2026-01-01T00:00:00Z",
            },
        )
        half = await organiser.post(recording, {"recording_url": "https://youtu.be/abc"})
        naive = await organiser.post(
            recording,
            {
                "recording_url": "https://youtu.be/abc",
                "recording_started_at": "2026-01-01T00:00:00",
            },
        )
        before = (await http.get(f"/api/events/{RECORD_SLUG}/record")).json()
        event = (await http.get(f"/api/events/{RECORD_SLUG}/record")).json()["event"]
        start = event["starts_at"]
        saved = await organiser.post(
            recording, {"recording_url": "https://youtu.be/abc", "recording_started_at": start}
        )
        licence = await organiser.post(
            "/api/organiser/series/sg-dialogues/licence",
            {
                "licence_name": "CC0 1.0",
                "licence_url": "https://creativecommons.org/publicdomain/zero/1.0/",
            },
        )
        bad_licence = await organiser.post(
            "/api/organiser/series/sg-dialogues/licence",
            {"licence_name": "Mine", "licence_url": "javascript:x"},
        )
        after = (await http.get(f"/api/events/{RECORD_SLUG}/record")).json()
        anonymous = await http.post(
            recording, json={"recording_url": None, "recording_started_at": None}
        )

    assert (script.status_code, script.json()["error"]["code"]) == (400, "bad_url")
    assert (half.status_code, half.json()["error"]["field"]) == (400, "recording_started_at")
    assert naive.status_code == 400
    assert saved.json()["recording_url"] == "https://youtu.be/abc"
    assert (licence.status_code, bad_licence.status_code) == (200, 400)
    assert before["recording"]["url"].startswith("https://media.un.org/")
    assert [q["recording_link"] for q in after["answered"]] == [
        "https://youtu.be/abc?t=360",
        "https://youtu.be/abc?t=1140",
        "https://youtu.be/abc?t=1980",
        "https://youtu.be/abc?t=3060",
    ]
    assert after["licence"]["name"] == "CC0 1.0"
    assert anonymous.status_code in (401, 403)


async def test_record_shows_the_spread_of_questions_not_reached_folded_at_the_threshold(
    database: Database, start_server: ServerFactory
) -> None:
    demo = await seed_with_record(database)
    server = await start_server(database)
    async with httpx.AsyncClient(base_url=server.base_url) as http:
        (question,) = await _ask(http, demo.slug, ["How will you widen access to the UN?"])
    # Five supporters from Senegal, two from France: the two never show, even as "other".
    for number, country in enumerate(["SN"] * 5 + ["FR"] * 2):
        async with httpx.AsyncClient(base_url=server.base_url) as person:
            await person.get(f"/e/{demo.slug}")
            profile = await person.post(
                f"/api/events/{demo.slug}/actions/set_profile",
                json={"client_id": f"p{number}", "country": country},
            )
            vote = await person.post(
                f"/api/events/{demo.slug}/actions/vote",
                json={"client_id": f"v{number}", "question_id": question},
            )
            assert (profile.status_code, vote.status_code) == (200, 200), vote.text
    await _end(database, demo.slug)

    async with httpx.AsyncClient(base_url=server.base_url) as http:
        record = (await http.get(f"/api/events/{demo.slug}/record")).json()
        table = list(
            csv.DictReader(
                io.StringIO((await http.get(f"/api/events/{demo.slug}/record.csv")).text)
            )
        )

    assert jsonschema_rs.validator_for(SCHEMA).is_valid(record)
    (row,) = [q for q in record["not_reached"] if q["id"] == question]
    assert (record["privacy_threshold"], row["supporters"]) == (5, 8)
    assert row["spread"] == {
        "regions": 1,
        "by_region": [{"key": "Africa", "supporters": 5}],
        "by_group": [{"key": "African Group", "supporters": 5}],
        "by_stakeholder": [{"key": "other", "supporters": 8}],
    }
    (line,) = [line for line in table if line["question_id"] == str(question)]
    assert line["support_by_region"] == "Africa: 5"
