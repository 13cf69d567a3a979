"""Across a series, with the real model: a new question that repeats one answered in an earlier
event of the series (same candidate) is flagged, never merged; a merged-in wording of the
answered group counts, a wording split off it does not."""

from __future__ import annotations

from typing import Any

import httpx
from conftest import Database, RunningServer, ServerFactory, seed
from screens import TestScreen
from series import MERGED, ROOT, SPLIT, Earlier, seed_earlier

from townhall.web.state import AppState

LIVE = "dialogue-diallo"  # the demo's live event: the same candidate as the earlier one


async def _settle(server: RunningServer) -> None:
    state: AppState = server.app.state.townhall  # type: ignore[attr-defined]
    assert state.dedup is not None
    await state.dedup.sweep()  # the earlier event's questions, seeded without embeddings
    await state.dedup.drain()


async def _similar(server: RunningServer, text: str) -> list[dict[str, Any]]:
    async with httpx.AsyncClient(base_url=server.base_url) as http:
        response = await http.get(f"/api/events/{LIVE}/similar", params={"text": text})
    assert response.status_code == 200, response.text
    found: list[dict[str, Any]] = response.json()["similar"]
    return found


def _answered_in(found: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [item["answered_in"] for item in found if "answered_in" in item]


async def _started(
    database: Database, start_server: ServerFactory
) -> tuple[RunningServer, Earlier, str]:
    demo = await seed(database)
    assert demo.slug == LIVE
    earlier = await seed_earlier(database, LIVE)
    server = await start_server(database)
    await _settle(server)
    return server, earlier, demo.moderator_key


async def test_series_repeat_of_answered_question_is_flagged_not_merged(
    database: Database, start_server: ServerFactory
) -> None:
    server, earlier, key = await _started(database, start_server)
    alice = await TestScreen(server.base_url, server.ws_url, LIVE).open()
    moderator = await TestScreen(server.base_url, server.ws_url, LIVE, moderator_key=key).open()

    asked = await alice.act("submit_question", text=ROOT.replace("will", "would"))
    question_id = asked["result"]["question_id"]
    await _settle(server)
    await moderator.wait_for(lambda: "answered_in" in (moderator.find(question_id) or {}))

    assert moderator.item(question_id)["answered_in"] == {
        "event": earlier.slug,
        "at": "2026-05-12T14:25:00Z",
        "title": "The first dialogue",
        "candidates": ["Amina Diallo"],
        "question_id": earlier.root_id,
        "url": f"/e/{earlier.slug}/record#q-{earlier.root_id}",
    }
    assert alice.open_ids() == [question_id]  # in its own event's queue, not merged away
    assert "answered_in" not in alice.item(question_id)  # a moderator's hint
    for screen in (alice, moderator):
        await screen.close()


async def test_series_repeat_of_merged_wording_counts_for_its_answered_group(
    database: Database, start_server: ServerFactory
) -> None:
    server, earlier, _ = await _started(database, start_server)

    found = await _similar(server, MERGED.replace("will", "would"))

    assert [(a["event"], a["question_id"]) for a in _answered_in(found)] == [
        (earlier.slug, earlier.root_id)
    ]
    assert found[0]["answered_in"]["at"] == "2026-05-12T14:25:00Z"


async def test_series_wording_split_off_an_answered_group_is_not_answered(
    database: Database, start_server: ServerFactory
) -> None:
    server, earlier, _ = await _started(database, start_server)
    draft = SPLIT.replace("will", "would")
    before = _answered_in(await _similar(server, draft))

    async with httpx.AsyncClient(base_url=server.base_url) as http:
        unmerged = await http.post(
            f"/api/events/{earlier.slug}/actions/unmerge_question",
            json={"client_id": "split-1", "question_id": earlier.split_id},
            headers={"Authorization": f"Bearer {earlier.moderator_key}"},
        )
    assert unmerged.status_code == 200, unmerged.text
    after = _answered_in(await _similar(server, draft))

    assert [a["question_id"] for a in before] == [earlier.root_id]
    assert after == []


async def test_series_repeat_across_languages_is_flagged(
    sqlite_database: Database, start_server: ServerFactory
) -> None:
    server, earlier, _ = await _started(sqlite_database, start_server)

    found = await _similar(
        server, "Comment rendrez-vous le Conseil de sécurité plus représentatif de l'Afrique ?"
    )

    assert [a["question_id"] for a in _answered_in(found)] == [earlier.root_id]


async def test_series_unrelated_question_is_not_a_repeat(
    sqlite_database: Database, start_server: ServerFactory
) -> None:
    server, _, _ = await _started(sqlite_database, start_server)

    found = await _similar(
        server, "What is your plan for financing the Sustainable Development Goals?"
    )

    assert _answered_in(found) == []
