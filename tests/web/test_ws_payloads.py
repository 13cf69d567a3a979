"""Payloads over the WebSocket are strict too: a refusal with `bad_payload`, never `internal`,
and the socket goes on serving."""

from __future__ import annotations

from typing import Any

import pytest
from conftest import Database, ServerFactory, seed
from screens import TestScreen


@pytest.mark.parametrize("bad", [2**63, 10**30, 2**31, "1", True, 1.5, 0], ids=repr)
async def test_ws_actions_with_id_out_of_range_or_not_an_integer_refused(
    database: Database, start_server: ServerFactory, bad: Any
) -> None:
    demo = await seed(database)
    server = await start_server(database)
    screen = await TestScreen(server.base_url, server.ws_url, demo.slug).open()
    moderator = await TestScreen(
        server.base_url, server.ws_url, demo.slug, moderator_key=demo.moderator_key
    ).open()

    answers = [
        await screen.act("vote", question_id=bad),
        await screen.act("unvote", question_id=bad),
        await moderator.act("merge_questions", question_id=1, into_id=bad),
        await moderator.act("hide_question", question_id=bad),
    ]
    asked = await screen.act("submit_question", text="Does the socket still take questions?")

    assert [(a["type"], a["code"]) for a in answers] == [("refused", "bad_payload")] * 4
    assert asked["type"] == "ack"
    await screen.close()
    await moderator.close()
