"""The whole loop in real browsers: two participants and a moderator, each in a browser
context of their own. Role and label locators prove the accessible names as well."""

from __future__ import annotations

from browser.support import LiveEvent, Screens, moderator_ready, participant_ready
from playwright.async_api import expect

FIRST = "What is your plan for reforming peacekeeping mandates?"
SECOND = "How will you fund climate adaptation in small island states?"
REPEAT = "How would you pay for climate adaptation in small island states?"


async def test_live_loop_participants_and_moderator_follow_each_other(
    live_event: LiveEvent, screens: Screens
) -> None:
    alice = await screens.open(live_event.participant_url, width=390, height=844)
    bruno = await screens.open(live_event.participant_url, width=390, height=844)
    moderator = await screens.open(live_event.moderator_url)
    for page in (alice, bruno):
        await participant_ready(page)
    await moderator_ready(moderator)

    # Bruno asks first, then Alice: one vote each (their askers), so the older comes first.
    await bruno.get_by_label("Your question").fill(FIRST)
    await bruno.get_by_role("button", name="Ask", exact=True).click()
    await expect(alice.get_by_role("button", name=f"Upvote: {FIRST}")).to_be_visible()
    await alice.get_by_label("Your question").fill(SECOND)
    await alice.get_by_role("button", name="Ask", exact=True).click()
    await expect(bruno.get_by_role("button", name=f"Upvote: {SECOND}")).to_be_visible()
    await expect(alice.get_by_label("Your question")).to_have_value("")
    for page in (alice, bruno):
        await expect(page.locator("#queue > li .q-text")).to_have_text([FIRST, SECOND])
    await expect(moderator.locator("#queue > li .tx")).to_have_text([FIRST, SECOND])
    second_id = next(i["id"] for i in (await live_event.queue())["open"] if i["text"] == SECOND)

    await live_event.wait_until_suggested(REPEAT, second_id)
    await bruno.get_by_label("Your question").fill(REPEAT)
    suggestion = bruno.locator("#similar li").filter(has_text=SECOND)
    await expect(suggestion).to_be_visible()
    await suggestion.get_by_role("button", name="Upvote this instead").click()

    await expect(bruno.get_by_role("button", name=f"Remove upvote: {SECOND}")).to_be_visible()
    await expect(bruno.get_by_role("button", name=f"Remove upvote: {SECOND}")).to_have_attribute(
        "aria-pressed", "true"
    )
    await expect(bruno.get_by_label("Your question")).to_have_value("")
    await expect(bruno.locator("#similar")).to_be_hidden()
    for page in (alice, bruno):
        await expect(page.locator("#queue > li .q-text")).to_have_text([SECOND, FIRST])
        await expect(page.locator("#queue > li").first).to_contain_text("2 votes")
    await expect(moderator.locator("#queue > li .tx")).to_have_text([SECOND, FIRST])
    await expect(moderator.locator("#queue > li").first).to_contain_text("2 votes")
    assert await live_event.votes(second_id) == 2

    await moderator.get_by_role("button", name=f"Now answering: #{second_id}").click()

    for page in (alice, bruno):
        now = page.get_by_role("region", name="Now answering")
        live_region = now.locator("[aria-live]")
        await expect(live_region).to_have_attribute("aria-live", "polite")
        await expect(live_region).to_contain_text(SECOND)
        await expect(page.locator("#queue > li .q-text")).to_have_text([FIRST])
    await expect(moderator.get_by_role("region", name="Now answering")).to_contain_text(SECOND)
