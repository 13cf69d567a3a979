"""The JSON HTTP API and its OpenAPI description."""

from __future__ import annotations

import httpx
from conftest import Database, ServerFactory, seed


async def test_api_events_list_slug_and_page_url(
    sqlite_database: Database, start_server: ServerFactory
) -> None:
    demo = await seed(sqlite_database)
    server = await start_server(sqlite_database)

    async with httpx.AsyncClient(base_url=server.base_url) as http:
        events = (await http.get("/api/events")).json()["events"]

    first = next(e for e in events if e["slug"] == demo.slug)
    assert first["url"] == f"{server.base_url}/e/{demo.slug}"
    assert first["candidates"] == ["Amina Diallo"]


async def test_api_actions_match_openapi_and_answer_like_the_socket(
    sqlite_database: Database, start_server: ServerFactory
) -> None:
    demo = await seed(sqlite_database)
    server = await start_server(sqlite_database)

    async with httpx.AsyncClient(base_url=server.base_url) as http:
        spec = (await http.get("/openapi.json")).json()
        asked = await http.post(
            f"/api/events/{demo.slug}/actions/submit_question",
            json={"client_id": "h1", "text": "Will you name a gender-balanced senior team?"},
        )
        retried = await http.post(
            f"/api/events/{demo.slug}/actions/submit_question",
            json={"client_id": "h1", "text": "Will you name a gender-balanced senior team?"},
        )
        forbidden = await http.post(
            f"/api/events/{demo.slug}/actions/hide_question",
            json={"client_id": "h2", "question_id": 1},
        )
        hidden = await http.post(
            f"/api/events/{demo.slug}/actions/hide_question",
            json={"client_id": "h3", "question_id": 1},
            headers={"Authorization": f"Bearer {demo.moderator_key}"},
        )
        empty = await http.post(
            f"/api/events/{demo.slug}/actions/submit_question",
            json={"client_id": "h4", "text": " "},
        )
        log = await http.get(
            f"/api/events/{demo.slug}/log",
            headers={"Authorization": f"Bearer {demo.moderator_key}"},
        )

    assert "/api/events/{slug}/actions/submit_question" in spec["paths"]
    assert "/api/events" in spec["paths"]
    assert asked.status_code == 200 and asked.json()["result"]["question_id"] == 1
    assert retried.json()["replayed"] is True
    assert (forbidden.status_code, forbidden.json()["error"]["code"]) == (403, "forbidden")
    assert hidden.json()["result"] == {"question_id": 1, "status": "hidden"}
    assert (empty.status_code, empty.json()["error"]["code"]) == (400, "invalid_text")
    assert [e["action"] for e in log.json()["entries"]] == ["hide"]


async def test_pages_set_signed_participant_cookie(
    sqlite_database: Database, start_server: ServerFactory
) -> None:
    demo = await seed(sqlite_database)
    server = await start_server(sqlite_database)

    async with httpx.AsyncClient(base_url=server.base_url) as http:
        page = await http.get(f"/e/{demo.slug}")
        joined = await http.get(f"/join?code={demo.code.lower()}")

    assert page.status_code == 200
    assert "." in page.cookies["townhall_participant"]
    assert "httponly" in page.headers["set-cookie"].lower()
    assert joined.headers["location"] == f"/e/{demo.slug}"


async def test_api_combining_mark_runs_are_cut_before_storing(
    database: Database, start_server: ServerFactory
) -> None:
    demo = await seed(database)
    server = await start_server(database)
    stack = "\u0301" * 499
    base = f"/api/events/{demo.slug}"

    async with httpx.AsyncClient(base_url=server.base_url) as http:
        asked = await http.post(
            f"{base}/actions/submit_question",
            json={"client_id": "z1", "text": f"H{stack}ow is this shown on every screen?"},
        )
        named = await http.post(
            f"{base}/actions/set_profile",
            json={"client_id": "z2", "display_name": f"Q{stack[:70]}uinn"},  # at most 80
        )
        queue = await http.get(f"{base}/queue")

    four = "\u0301" * 4
    assert asked.json()["result"]["text"] == f"H{four}ow is this shown on every screen?"
    assert [q["text"] for q in queue.json()["open"]] == [
        f"H{four}ow is this shown on every screen?"
    ]
    assert named.json()["result"]["display_name"] == f"Q{four}uinn"
