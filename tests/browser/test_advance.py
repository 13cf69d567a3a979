"""The question page of an event that takes questions in advance (the demo's scheduled
dialogue, townhall/store/demo_advance.py): it says when questions are taken and when the event
starts, offers to add it to a calendar, and takes a question before the event is live; the
organiser's form shows the window in the venue's time and clears it."""

from __future__ import annotations

import re
from datetime import datetime
from zoneinfo import ZoneInfo

import httpx
from browser.support import (
    ORGANISER_EMAIL,
    ORGANISER_PASSWORD,
    LiveEvent,
    Screens,
    axe_violations,
    participant_ready,
)
from playwright.async_api import expect

from townhall.store.demo_advance import ADVANCE_SLUG


async def test_advance_page_shows_window_and_calendar_and_takes_a_question(
    live_event: LiveEvent, screens: Screens
) -> None:
    page = await screens.open(f"{live_event.base_url}/e/{ADVANCE_SLUG}")
    await participant_ready(page)
    advance = page.get_by_role("region", name="Questions in advance")

    await expect(advance).to_contain_text(re.compile(r"Questions open from .+ until .+\."))
    await expect(advance).to_contain_text("You can ask and vote now, before the event goes live")
    await expect(advance).to_contain_text("The event starts on ")
    calendar = advance.get_by_role("group", name=re.compile("to your calendar"))
    await expect(calendar.get_by_role("link", name="Calendar file (.ics)")).to_have_attribute(
        "href", re.compile(rf"/events/{ADVANCE_SLUG}/invite\.ics$")
    )
    await expect(calendar.get_by_role("link", name="Google Calendar")).to_have_attribute(
        "href", re.compile(r"^https://calendar\.google\.com/")
    )
    assert await axe_violations(page) == []

    await page.get_by_label("Your question").fill("Will you keep the question record public?")
    await page.get_by_role("button", name="Ask", exact=True).click()

    await expect(page.locator("#queue")).to_contain_text(
        "Will you keep the question record public?"
    )


async def test_organiser_form_shows_the_window_at_the_venue_and_clears_it(
    live_event: LiveEvent, screens: Screens
) -> None:
    await live_event.add_organiser(admin=True)
    async with httpx.AsyncClient(base_url=live_event.base_url) as http:
        before = (await http.get(f"/api/events/{ADVANCE_SLUG}")).json()
    opens = datetime.fromisoformat(before["questions_from"]).astimezone(
        ZoneInfo(before["timezone"])
    )
    page = await screens.open(f"{live_event.base_url}/organise")
    await page.get_by_label("Email", exact=True).fill(ORGANISER_EMAIL)
    await page.get_by_label("Password", exact=True).fill(ORGANISER_PASSWORD)
    await page.get_by_role("button", name="Sign in").click()
    await page.locator(f"#edit-{ADVANCE_SLUG}").click()
    form = page.locator("#event-form")
    taken_from = form.get_by_label("Take questions from (local time at the venue)")
    await expect(taken_from).to_have_value(f"{opens:%Y-%m-%dT%H:%M}")
    assert await axe_violations(page) == []

    await taken_from.fill("")
    await page.locator("#ef-submit").click()
    await expect(page.locator("#event-box")).to_be_hidden()
    async with httpx.AsyncClient(base_url=live_event.base_url) as http:
        after = (await http.get(f"/api/events/{ADVANCE_SLUG}")).json()

    assert (after["questions_from"], after["questions_until"]) == (
        None,
        before["questions_until"],
    )
