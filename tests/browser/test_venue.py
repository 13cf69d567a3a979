"""The hall's path in the browser: the keyed stage screen shows a QR code with a venue token,
the participant page passes it on by itself, and a newcomer refused by the per-network limit
reads the reason, translated, with how long to wait."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import httpx
from browser.support import LiveEvent, Screens, eventually, participant_ready
from conftest import Database, ServerFactory, seed
from playwright.async_api import expect

QUESTION = "How will you fund climate adaptation in small island states?"


async def test_venue_stage_qr_lets_the_hall_vote_past_the_network_limit(
    sqlite_database: Database, start_server: ServerFactory, screens: Screens
) -> None:
    demo = await seed(sqlite_database)
    server = await start_server(
        sqlite_database, rate_new_identities="2/hour", rate_network_supporters="100/hour"
    )
    event = LiveEvent(server.base_url, demo.slug, demo.code, demo.moderator_key, sqlite_database)
    question = await event.ask(QUESTION)  # identity 1 of 2 from 127.0.0.1
    await event.act("vote", question_id=question)  # identity 2: the network's allowance is used
    async with httpx.AsyncClient(base_url=server.base_url) as http:
        stage_url = (
            await http.get(
                f"/api/events/{demo.slug}/venue",
                headers={"Authorization": f"Bearer {demo.moderator_key}"},
            )
        ).json()["stage_url"]

    outside = await screens.open(event.participant_url, width=360, height=780)
    await participant_ready(outside)
    await outside.get_by_role("button", name=re.compile("^Upvote: How will you fund")).click()
    await expect(outside.locator("#msg")).to_have_text(
        re.compile(r"^Many people have just joined from your network\. .* in 30 minutes\.$")
    )

    stage = await screens.open(stage_url)
    qr = stage.locator("#stage-qr")
    await expect(qr).to_have_attribute("src", re.compile(r"/qr\.svg\?venue="))
    assert "#stage=" not in stage.url  # the key leaves the address bar
    token = parse_qs(urlsplit(await qr.get_attribute("src") or "").query)["venue"][0]

    hall = await screens.open(f"{event.participant_url}?venue={token}", width=360, height=780)
    await participant_ready(hall)
    assert hall.url == event.participant_url  # the token is passed on, not left in the link
    await hall.get_by_role("button", name=re.compile("^Upvote: How will you fund")).click()
    await expect(
        hall.get_by_role("button", name=re.compile("^Remove upvote: How will you fund"))
    ).to_be_visible()
    await expect(hall.locator("#msg")).to_have_text("")
    # The button turns at once (the vote waits in the page's outbox); the server's count follows.

    async def counted() -> bool:
        return await event.votes(question) == 3

    await eventually(counted, what="the hall's vote counted")
