"""Connections drop: a vote made offline, or whose acknowledgement was lost, lands once."""

from __future__ import annotations

import asyncio
import json
import re
from typing import Any

from browser.support import LiveEvent, Screens, eventually, participant_ready
from playwright.async_api import WebSocketRoute, expect

QUESTION = "Will you commit to gender parity at every level of the Secretariat?"


async def test_offline_vote_is_sent_on_reconnect_and_counted_once(
    live_event: LiveEvent, screens: Screens
) -> None:
    question_id = await live_event.ask(QUESTION)
    rows_before = await live_event.vote_rows(question_id)
    page = await screens.open(live_event.participant_url, width=390, height=844)
    await participant_ready(page)
    upvote = page.get_by_role("button", name=f"Upvote: {QUESTION}")
    await expect(upvote).to_be_visible()

    await page.context.set_offline(True)
    offline = page.get_by_role("status").filter(has_text="Offline")
    await expect(offline).to_be_visible()
    await upvote.click()

    remove = page.get_by_role("button", name=f"Remove upvote: {QUESTION}")
    await expect(remove).to_have_attribute("aria-pressed", "true")
    await expect(page.locator("#queue > li").first).to_contain_text("2 votes")
    await asyncio.sleep(0.5)
    assert await live_event.votes(question_id) == 1  # nothing reached the server

    await page.context.set_offline(False)

    await expect(offline).to_be_hidden(timeout=10_000)
    await eventually(lambda: _votes_are(live_event, question_id, 2), what="the vote lands")
    await expect(remove).to_be_visible()
    await page.wait_for_function(
        "() => !sessionStorage.getItem('townhall.outbox.participant.' + location.pathname.split('/')[2])"
    )
    await asyncio.sleep(1.0)  # room for a duplicate to arrive, if there were one
    assert await live_event.votes(question_id) == 2
    assert await live_event.vote_rows(question_id) == rows_before + 1
    await page.reload()
    await participant_ready(page)
    await expect(remove).to_have_attribute("aria-pressed", "true")
    await expect(page.locator("#queue > li").first).to_contain_text("2 votes")


async def test_offline_vote_whose_ack_was_lost_is_resent_and_replayed_once(
    live_event: LiveEvent, screens: Screens
) -> None:
    question_id = await live_event.ask(QUESTION)
    rows_before = await live_event.vote_rows(question_id)
    sent: list[dict[str, Any]] = []
    received: list[dict[str, Any]] = []
    dropped: list[dict[str, Any]] = []

    async def route(page_side: WebSocketRoute) -> None:
        server_side = page_side.connect_to_server()

        def to_server(message: str | bytes) -> None:
            sent.append(json.loads(message))
            server_side.send(message)

        async def to_page(message: str | bytes) -> None:
            frame = json.loads(message)
            if frame["type"] == "ack" and frame["action"] == "vote" and not dropped:
                # The vote is committed but its answer never arrives; the socket then dies.
                dropped.append(frame)
                await page_side.close(code=4000, reason="test: connection lost")
                return
            received.append(frame)
            page_side.send(message)

        page_side.on_message(to_server)
        server_side.on_message(to_page)

    page = await screens.open(None, width=390, height=844)
    await page.route_web_socket(re.compile(r"/ws/events/"), route)
    await page.goto(live_event.participant_url)
    await participant_ready(page)

    await page.get_by_role("button", name=f"Upvote: {QUESTION}").click()

    remove = page.get_by_role("button", name=f"Remove upvote: {QUESTION}")
    await expect(remove).to_have_attribute("aria-pressed", "true")
    await eventually(lambda: _replayed(received), what="the resent vote is answered")
    votes = [frame for frame in sent if frame["type"] == "vote"]
    assert [frame["client_id"] for frame in votes] == [dropped[0]["client_id"]] * 2
    assert [frame["replayed"] for frame in received if frame["type"] == "ack"] == [True]
    assert await live_event.votes(question_id) == 2
    assert await live_event.vote_rows(question_id) == rows_before + 1
    await expect(page.locator("#queue > li").first).to_contain_text("2 votes")
    await expect(page.get_by_role("status").filter(has_text="Offline")).to_be_hidden()


async def _votes_are(live_event: LiveEvent, question_id: int, votes: int) -> bool:
    return await live_event.votes(question_id) == votes


async def _replayed(received: list[dict[str, Any]]) -> bool:
    return any(frame["type"] == "ack" for frame in received)
