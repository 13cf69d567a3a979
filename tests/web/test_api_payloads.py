"""Payloads over HTTP are strict: ids the databases cannot hold, numbers written as strings and
booleans standing for numbers are refused at the edge with `bad_payload`, never a 500."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from conftest import Database, ServerFactory, seed

BAD_IDS: list[Any] = [2**63, 10**30, 2**31, "1", True, 1.5, 0, -1]


async def _post(
    http: httpx.AsyncClient, slug: str, name: str, body: dict[str, Any], key: str | None = None
) -> tuple[int, str]:
    headers = {"Authorization": f"Bearer {key}"} if key else {}
    response = await http.post(f"/api/events/{slug}/actions/{name}", json=body, headers=headers)
    assert response.headers["content-type"] == "application/json", response.text
    return response.status_code, response.json()["error"]["code"]


@pytest.mark.parametrize("bad", BAD_IDS, ids=repr)
async def test_api_vote_with_id_out_of_range_or_not_an_integer_refused(
    database: Database, start_server: ServerFactory, bad: Any
) -> None:
    demo = await seed(database)
    server = await start_server(database)

    async with httpx.AsyncClient(base_url=server.base_url) as http:
        vote = await _post(http, demo.slug, "vote", {"client_id": "v1", "question_id": bad})
        unvote = await _post(http, demo.slug, "unvote", {"client_id": "u1", "question_id": bad})
        asked = await http.post(
            f"/api/events/{demo.slug}/actions/submit_question",
            json={"client_id": "q1", "text": "Is an honest question still taken afterwards?"},
        )

    assert (vote, unvote) == ((400, "bad_payload"), (400, "bad_payload"))
    assert asked.status_code == 200


@pytest.mark.parametrize("bad", BAD_IDS, ids=repr)
async def test_api_moderator_actions_with_id_out_of_range_or_not_an_integer_refused(
    database: Database, start_server: ServerFactory, bad: Any
) -> None:
    demo = await seed(database)
    server = await start_server(database)
    key = demo.moderator_key

    async with httpx.AsyncClient(base_url=server.base_url) as http:
        answers = [
            await _post(http, demo.slug, "merge_questions", body, key)
            for body in (
                {"client_id": "m1", "question_id": 1, "into_id": bad},
                {"client_id": "m2", "question_id": bad, "into_id": 1},
            )
        ] + [
            await _post(http, demo.slug, name, {"client_id": f"{name}-1", "question_id": bad}, key)
            for name in ("hide_question", "approve_question", "unmerge_question", "keep_apart")
        ]

    assert answers == [(400, "bad_payload")] * 6


@pytest.mark.parametrize("bad", ["true", 1, 0, "yes", None])
async def test_api_questions_open_takes_only_a_boolean(
    sqlite_database: Database, start_server: ServerFactory, bad: Any
) -> None:
    demo = await seed(sqlite_database)
    server = await start_server(sqlite_database)

    async with httpx.AsyncClient(base_url=server.base_url) as http:
        answer = await _post(
            http,
            demo.slug,
            "set_questions_open",
            {"client_id": "o1", "open": bad},
            demo.moderator_key,
        )

    assert answer == (400, "bad_payload")


async def test_api_text_with_nul_refused_and_slug_with_nul_unknown(
    database: Database, start_server: ServerFactory
) -> None:
    demo = await seed(database)
    server = await start_server(database)

    async with httpx.AsyncClient(base_url=server.base_url) as http:
        profile = await _post(
            http, demo.slug, "set_profile", {"client_id": "p1", "display_name": "Ann\x00"}
        )
        event = await http.get("/api/events/a%00b")
        queue = await http.get("/api/events/a%00b/queue")
        vote = await _post(http, "a%00b", "vote", {"client_id": "v1", "question_id": 1})

    assert profile == (400, "bad_payload")
    assert (event.status_code, event.json()["error"]["code"]) == (404, "unknown_event")
    assert (queue.status_code, queue.json()["error"]["code"]) == (404, "unknown_event")
    assert vote == (404, "unknown_event")
