"""The moderator sees where support comes from: a burst of new identities from one network is
flagged on the question, set aside in one click and restored in one click."""

from __future__ import annotations

from browser.support import LiveEvent, Screens, moderator_ready, participant_ready
from playwright.async_api import expect

TEXT = "Why was the budget cut without a public vote?"


async def test_moderator_sets_a_flagged_burst_aside_and_restores_it(
    screens: Screens, live_event: LiveEvent
) -> None:
    question = await live_event.ask(TEXT)
    moderator = await screens.open(live_event.moderator_url)
    participant = await screens.open(live_event.participant_url)
    await moderator_ready(moderator)
    await participant_ready(participant)

    for _ in range(24):  # one address, a new identity for every vote
        await live_event.act("vote", question_id=question)

    item = moderator.locator(f'#queue > li[data-key="{question}"]')
    await expect(item.locator(".flag")).to_have_text(
        "Looks automated: new identities on one network"
    )
    await expect(item.locator(".meta").first).to_contain_text("25 votes")
    await item.get_by_role("button", name=f"Where support comes from: #{question}").click()
    panel = item.locator(".support-panel")
    await expect(panel).to_contain_text(
        "25 supporters; 100% from identities under 10 minutes old when they voted."
    )
    await panel.get_by_role("button", name="Set this burst aside").click()

    await expect(item.locator(".meta").first).to_contain_text("0 votes")
    await expect(item.locator(".flag")).to_be_hidden()
    await expect(panel.locator(".set-asides")).to_contain_text("25 votes set aside at")
    assert await live_event.vote_rows(question) == 25  # every vote is still stored
    assert await live_event.votes(question) == 0
    await expect(participant.locator(".flag")).to_have_count(0)

    await panel.get_by_role("button", name="Restore").click()

    await expect(item.locator(".meta").first).to_contain_text("25 votes")
    await expect(panel.locator(".set-asides")).to_contain_text("counted again at")
    log = moderator.locator("#log")
    await expect(log).to_contain_text("votes counted again")
    await expect(log).to_contain_text("votes set aside")
