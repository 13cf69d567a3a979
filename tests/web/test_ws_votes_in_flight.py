"""A socket's votes do not wait for each other's answers: sent together, they commit together,
in the order sent, and an action of another kind applies after them."""

from __future__ import annotations

import json
from typing import Any

from conftest import Database, ServerFactory, seed
from screens import TestScreen


async def _send_all(screen: TestScreen, actions: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Send every action at once, then wait for each one's answer (in the order sent)."""
    seen = len(screen.messages)
    for action in actions:
        await screen.send_raw(json.dumps(action))
    return [
        await screen.next_message(
            lambda m, cid=action["client_id"]: (
                m["type"] in ("ack", "refused") and m.get("client_id") == cid
            ),
            after=seen,
        )
        for action in actions
    ]


async def _ask(server: Any, slug: str, count: int) -> list[int]:
    asker = await TestScreen(server.base_url, server.ws_url, slug).open()
    texts = [
        "Will you reform the Security Council?",
        "How will you fund the United Nations?",
        "What will you do about climate finance?",
    ]
    ids = [
        (await asker.act("submit_question", text=text))["result"]["question_id"] for text in texts
    ]
    await asker.close()
    return ids[:count]


async def test_votes_sent_together_commit_in_one_batch_in_the_order_sent(
    sqlite_database: Database, start_server: ServerFactory
) -> None:
    demo = await seed(sqlite_database)
    # A long tick: one at a time, each vote would wait for the batch after the one before.
    server = await start_server(sqlite_database, tick_seconds=0.5)
    services = server.app.state.townhall.services  # type: ignore[attr-defined]
    screen = await TestScreen(server.base_url, server.ws_url, demo.slug).open()
    first, second, third = await _ask(server, demo.slug, 3)
    commits = services.committer.commits

    answers = await _send_all(
        screen,
        [
            {"type": "vote", "client_id": "a", "question_id": first},
            {"type": "vote", "client_id": "b", "question_id": second},
            {"type": "unvote", "client_id": "c", "question_id": second},
            {"type": "vote", "client_id": "d", "question_id": third},
        ],
    )

    assert [a["type"] for a in answers] == ["ack"] * 4
    assert [a["result"]["voted"] for a in answers] == [True, True, False, True]
    assert services.committer.commits == commits + 1
    await screen.close()


async def test_an_action_of_another_kind_applies_after_the_votes_sent_before_it(
    sqlite_database: Database, start_server: ServerFactory
) -> None:
    demo = await seed(sqlite_database)
    server = await start_server(sqlite_database, tick_seconds=0.5)
    moderator = await TestScreen(
        server.base_url, server.ws_url, demo.slug, moderator_key=demo.moderator_key
    ).open()
    (question,) = await _ask(server, demo.slug, 1)

    # The moderator votes, then marks the question answered: the vote must apply first (an
    # answered question takes no votes), as it was sent first.
    vote, answered = await _send_all(
        moderator,
        [
            {"type": "vote", "client_id": "m1", "question_id": question},
            {"type": "mark_answered", "client_id": "m2", "question_id": question},
        ],
    )

    assert (vote["type"], answered["type"]) == ("ack", "ack")
    await moderator.close()
