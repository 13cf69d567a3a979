"""Dedup in the live loop with the real model: clear repeats merge, different questions don't."""

from __future__ import annotations

from conftest import Database, ServerFactory, seed
from screens import TestScreen

from townhall.web.state import AppState


async def _drain(server_app: object) -> None:
    state: AppState = server_app.state.townhall  # type: ignore[attr-defined]
    assert state.dedup is not None
    await state.dedup.drain()


async def test_dedup_clear_repeat_merges_into_earlier_question(
    database: Database, start_server: ServerFactory
) -> None:
    demo = await seed(database)
    server = await start_server(database)
    alice = await TestScreen(server.base_url, server.ws_url, demo.slug).open()
    bruno = await TestScreen(server.base_url, server.ws_url, demo.slug).open()

    first = await alice.act("submit_question", text="What will you do about climate change?")
    second = await bruno.act("submit_question", text="What will you do about climate change??")
    await _drain(server.app)
    first_id, second_id = first["result"]["question_id"], second["result"]["question_id"]
    await alice.wait_for(
        lambda: alice.open_ids() == [first_id] and alice.item(first_id)["merged"] != []
    )

    item = alice.item(first_id)
    assert (item["votes"], item["asked_by"]) == (2, 2)
    assert [m["id"] for m in item["merged"]] == [second_id]
    for screen in (alice, bruno):
        await screen.close()


async def test_dedup_paraphrase_merges_and_different_questions_stay_apart(
    sqlite_database: Database, start_server: ServerFactory
) -> None:
    demo = await seed(sqlite_database)
    server = await start_server(sqlite_database)
    alice = await TestScreen(server.base_url, server.ws_url, demo.slug).open()
    texts = [
        "How will you make the Security Council more representative of Africa?",
        "What is your plan for financing the Sustainable Development Goals?",
        "How would you make the Security Council more representative of Africa?",
        "What would you do to protect journalists in conflict zones?",
    ]

    ids = [(await alice.act("submit_question", text=t))["result"]["question_id"] for t in texts]
    await _drain(server.app)
    await alice.wait_for(
        lambda: (
            len(alice.open_ids()) == 3
            and (alice.find(ids[0]) or {}).get("merged") not in (None, [])
        )
    )

    assert sorted(alice.open_ids()) == [ids[0], ids[1], ids[3]]
    assert [m["id"] for m in alice.item(ids[0])["merged"]] == [ids[2]]
    await alice.close()


async def test_dedup_short_questions_never_merge_automatically(
    sqlite_database: Database, start_server: ServerFactory
) -> None:
    demo = await seed(sqlite_database)
    server = await start_server(sqlite_database)
    alice = await TestScreen(server.base_url, server.ws_url, demo.slug).open()

    first = await alice.act("submit_question", text="And Africa?")
    second = await alice.act("submit_question", text="And Asia?")
    await _drain(server.app)
    await alice.wait_for(lambda: len(alice.open_ids()) == 2)

    assert sorted(alice.open_ids()) == [
        first["result"]["question_id"],
        second["result"]["question_id"],
    ]
    await alice.close()


async def test_manual_merge_and_unmerge_are_logged_with_the_score(
    sqlite_database: Database, start_server: ServerFactory
) -> None:
    import httpx

    demo = await seed(sqlite_database)
    server = await start_server(sqlite_database)
    alice = await TestScreen(server.base_url, server.ws_url, demo.slug).open()
    moderator = await TestScreen(
        server.base_url, server.ws_url, demo.slug, moderator_key=demo.moderator_key
    ).open()
    one = await alice.act("submit_question", text="How will you protect human rights defenders?")
    two = await alice.act("submit_question", text="What will you do about the climate crisis?")
    await _drain(server.app)
    ids = one["result"]["question_id"], two["result"]["question_id"]

    await moderator.act("merge_questions", question_id=ids[1], into_id=ids[0])
    await moderator.act("unmerge_question", question_id=ids[1])
    async with httpx.AsyncClient(base_url=server.base_url) as http:
        log = await http.get(
            f"/api/events/{demo.slug}/log",
            headers={"Authorization": f"Bearer {demo.moderator_key}"},
        )

    entries = [(e["action"], e["question_id"]) for e in log.json()["entries"]]
    scores = [e["score"] for e in log.json()["entries"]]
    assert entries == [("merge", ids[1]), ("unmerge", ids[1])]
    assert all(isinstance(score, float) and 0 <= score < 0.5 for score in scores)
    for screen in (alice, moderator):
        await screen.close()
