"""A saturated server refuses a vote with `busy`: the page says so, keeps the vote and sends it
again after the pause the refusal asked for; it lands once."""

from __future__ import annotations

import json
import re
from typing import Any

from browser.support import LiveEvent, Screens, eventually, participant_ready
from playwright.async_api import WebSocketRoute, expect

QUESTION = "Will you publish the shortlist of candidates before the straw polls begin?"


async def test_busy_vote_shows_the_notice_and_is_sent_again_once(
    live_event: LiveEvent, screens: Screens
) -> None:
    question_id = await live_event.ask(QUESTION)
    sent: list[dict[str, Any]] = []
    refused: list[dict[str, Any]] = []

    async def route(page_side: WebSocketRoute) -> None:
        server_side = page_side.connect_to_server()

        def to_server(message: str | bytes) -> None:
            frame = json.loads(message)
            sent.append(frame)
            if frame["type"] == "vote" and not refused:
                # What a saturated server answers: nothing applied, try again in a moment.
                answer = {
                    "type": "refused",
                    "action": "vote",
                    "client_id": frame["client_id"],
                    "code": "busy",
                    "message": "Many people are acting at once.",
                    "retry_after_ms": 1500,
                }
                refused.append(answer)
                page_side.send(json.dumps(answer))
                return
            server_side.send(message)

        page_side.on_message(to_server)
        server_side.on_message(page_side.send)

    page = await screens.open(None, width=390, height=844)
    await page.route_web_socket(re.compile(r"/ws/events/"), route)
    await page.goto(live_event.participant_url)
    await participant_ready(page)

    await page.get_by_role("button", name=f"Upvote: {QUESTION}").click()

    busy = page.get_by_role("status").filter(has_text="Many people are taking part")
    await expect(busy).to_be_visible()
    await expect(busy).to_be_hidden(timeout=10_000)
    await eventually(
        lambda: _votes_are(live_event, question_id, 2), what="the vote sent again lands"
    )
    votes = [frame["client_id"] for frame in sent if frame["type"] == "vote"]
    assert votes == [refused[0]["client_id"]] * 2
    remove = page.get_by_role("button", name=f"Remove upvote: {QUESTION}")
    await expect(remove).to_have_attribute("aria-pressed", "true")
    assert await live_event.vote_rows(question_id) == 2


async def _votes_are(live_event: LiveEvent, question_id: int, votes: int) -> bool:
    return await live_event.votes(question_id) == votes
