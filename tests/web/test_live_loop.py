"""The whole loop over real WebSockets: two participants and a moderator."""

from __future__ import annotations

import asyncio

import pytest
from conftest import POSTGRES_URL, REDIS_URL, Database, ServerFactory, seed
from screens import TestScreen


async def test_live_loop_two_participants_and_moderator_follow_each_other(
    database: Database, start_server: ServerFactory
) -> None:
    demo = await seed(database)
    server = await start_server(database)
    alice = await TestScreen(server.base_url, server.ws_url, demo.slug).open()
    bruno = await TestScreen(server.base_url, server.ws_url, demo.slug).open()
    moderator = await TestScreen(
        server.base_url, server.ws_url, demo.slug, moderator_key=demo.moderator_key
    ).open()

    first = await alice.act(
        "submit_question", text="How will you fund climate adaptation in small island states?"
    )
    second = await bruno.act(
        "submit_question", text="What is your plan for reforming peacekeeping mandates?"
    )
    first_id, second_id = first["result"]["question_id"], second["result"]["question_id"]
    for screen in (alice, bruno, moderator):
        waited = await screen.wait_for(
            lambda s=screen: set(s.open_ids()) == {first_id, second_id}, within=1.0
        )
        assert waited < 1.0
    assert alice.open_ids() == [first_id, second_id]  # one vote each (their askers): older first

    vote = await alice.act("vote", question_id=second_id)
    assert vote["result"] == {"question_id": second_id, "voted": True, "votes": 2}
    for screen in (alice, bruno, moderator):
        await screen.wait_for(lambda s=screen: s.open_ids() == [second_id, first_id], within=1.0)

    undo = await alice.act("unvote", question_id=second_id)
    assert undo["result"] == {"question_id": second_id, "voted": False, "votes": 1}
    await bruno.wait_for(lambda: bruno.open_ids() == [first_id, second_id], within=1.0)

    on_stage = await moderator.act("mark_answering", question_id=first_id)
    assert on_stage["type"] == "ack"
    for screen in (alice, bruno):
        await screen.wait_for(
            lambda s=screen: (
                (s.queue or {}).get("now_answering", {}) is not None
                and s.queue["now_answering"]["id"] == first_id
            ),
            within=1.0,
        )
    await moderator.act("mark_answered", question_id=first_id)
    await moderator.act("hide_question", question_id=second_id)
    await bruno.wait_for(
        lambda: (
            bruno.queue["open"] == [] and [i["id"] for i in bruno.queue["answered"]] == [first_id]
        ),
        within=1.0,
    )
    await moderator.wait_for(lambda: [i["id"] for i in moderator.queue["hidden"]] == [second_id])
    assert "hidden" not in bruno.queue

    for screen in (alice, bruno, moderator):
        await screen.close()


async def test_live_loop_participant_cannot_moderate(
    sqlite_database: Database, start_server: ServerFactory
) -> None:
    demo = await seed(sqlite_database)
    server = await start_server(sqlite_database)
    alice = await TestScreen(server.base_url, server.ws_url, demo.slug).open()
    asked = await alice.act("submit_question", text="Will you publish your financial disclosures?")

    reply = await alice.act("mark_answering", question_id=asked["result"]["question_id"])

    assert (reply["type"], reply["code"]) == ("refused", "forbidden")
    await alice.close()


async def test_live_loop_pre_moderated_question_waits_for_approval(
    sqlite_database: Database, start_server: ServerFactory
) -> None:
    demo = await seed(sqlite_database, moderation_mode="pre")
    server = await start_server(sqlite_database)
    alice = await TestScreen(server.base_url, server.ws_url, demo.slug).open()
    moderator = await TestScreen(
        server.base_url, server.ws_url, demo.slug, moderator_key=demo.moderator_key
    ).open()

    asked = await alice.act(
        "submit_question", text="How will you protect civic space for activists?"
    )
    question_id = asked["result"]["question_id"]
    await moderator.wait_for(lambda: [i["id"] for i in moderator.queue["pending"]] == [question_id])
    assert alice.queue["open"] == []
    await moderator.act("approve_question", question_id=question_id)

    await alice.wait_for(lambda: alice.open_ids() == [question_id])
    for screen in (alice, moderator):
        await screen.close()


async def test_live_loop_burst_of_votes_coalesces_into_few_updates(
    sqlite_database: Database, start_server: ServerFactory
) -> None:
    demo = await seed(sqlite_database)
    server = await start_server(sqlite_database, tick_seconds=0.2)
    watcher = await TestScreen(server.base_url, server.ws_url, demo.slug).open()
    voters = [await TestScreen(server.base_url, server.ws_url, demo.slug).open() for _ in range(20)]
    asked = await voters[0].act(
        "submit_question", text="How will you make the selection process more transparent?"
    )
    question_id = asked["result"]["question_id"]
    await watcher.wait_for(lambda: watcher.open_ids() == [question_id])
    before = sum(1 for m in watcher.messages if m["type"] in ("queue", "queue_diff"))

    await asyncio.gather(*(v.act("vote", question_id=question_id) for v in voters[1:]))
    await watcher.wait_for(lambda: watcher.votes(question_id) == 20)

    updates = sum(1 for m in watcher.messages if m["type"] in ("queue", "queue_diff")) - before
    assert 0 < updates < 19
    for screen in (watcher, *voters):
        await screen.close()


@pytest.mark.postgres
@pytest.mark.redis
@pytest.mark.skipif(
    not (POSTGRES_URL and REDIS_URL),
    reason="needs TOWNHALL_TEST_POSTGRES_URL and TOWNHALL_TEST_REDIS_URL",
)
async def test_live_loop_two_servers_share_one_event_through_redis(
    postgres_database: Database, start_server: ServerFactory
) -> None:
    demo = await seed(postgres_database)
    one = await start_server(postgres_database, redis_url=REDIS_URL)
    two = await start_server(postgres_database, redis_url=REDIS_URL)
    alice = await TestScreen(one.base_url, one.ws_url, demo.slug).open()
    bruno = await TestScreen(two.base_url, two.ws_url, demo.slug).open()
    await asyncio.sleep(0.2)  # both servers subscribed

    asked = await alice.act(
        "submit_question", text="Will you commit to a single, non-renewable term?"
    )
    question_id = asked["result"]["question_id"]
    await bruno.wait_for(lambda: bruno.open_ids() == [question_id], within=1.0)
    await bruno.act("vote", question_id=question_id)

    await alice.wait_for(
        lambda: question_id in alice.open_ids() and alice.item(question_id)["votes"] == 2,
        within=1.0,
    )
    for screen in (alice, bruno):
        await screen.close()
