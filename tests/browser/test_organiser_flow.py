"""An organiser plans a three-event series in the browser, reschedules one event and cancels
another; the subscribed feed shows both changes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
from browser.support import ORGANISER_EMAIL, ORGANISER_PASSWORD, LiveEvent, Screens
from playwright.async_api import Page, expect

SERIES = "Town halls with candidates 2027"
SERIES_SLUG = "town-halls-with-candidates-2027"


def _day(days: int, hour: int) -> str:
    day = (datetime.now(UTC) + timedelta(days=days)).date()
    return f"{day.isoformat()}T{hour:02d}:00"


async def _new_event(page: Page, title: str, candidate: str, start: str, venue: str) -> None:
    await page.locator(f"#new-ev-{SERIES_SLUG}").click()
    form = page.locator("#event-form")
    await form.get_by_label("Title").fill(title)
    await form.get_by_label(candidate).check()
    await form.get_by_label("Lena Okafor").check()
    await form.get_by_label("Start (local time at the venue)").fill(start)
    await form.get_by_label("Duration in minutes").fill("90")
    await form.get_by_label("Time zone of the venue").fill("America/New_York")
    await form.get_by_label("Venue (optional)").fill(venue)
    await page.locator("#ef-submit").click()
    await expect(page.locator("#created-h")).to_contain_text(title)
    await page.locator("#created-close").click()


async def test_organiser_plans_reschedules_and_cancels_in_the_browser(
    live_event: LiveEvent, screens: Screens
) -> None:
    await live_event.add_organiser()
    page = await screens.open(f"{live_event.base_url}/organise")
    await page.get_by_label("Email", exact=True).fill(ORGANISER_EMAIL)
    await page.get_by_label("Password", exact=True).fill(ORGANISER_PASSWORD)
    await page.get_by_role("button", name="Sign in").click()
    await page.get_by_role("button", name="New series").click()
    await page.locator("#series-form").get_by_label("Title").fill(SERIES)
    await page.get_by_role("button", name="Create series").click()
    await expect(page.locator(f"#new-ev-{SERIES_SLUG}")).to_be_visible()

    await _new_event(page, "Town hall one", "Amina Diallo (Senegal)", _day(20, 10), "Hall A")
    await _new_event(page, "Town hall two", "Tomás Herrera (Chile)", _day(21, 10), "Hall B")
    await _new_event(page, "Town hall three", "Amina Diallo (Senegal)", _day(22, 10), "Hall C")
    await page.locator(f"#pub-{SERIES_SLUG}").click()
    await expect(page.locator(f"#pub-{SERIES_SLUG}")).to_have_text("Unpublish")
    async with httpx.AsyncClient(base_url=live_event.base_url) as http:
        before = (await http.get(f"/series/{SERIES_SLUG}/feed.ics")).text

    await page.locator("#rs-town-hall-one").click()
    await page.locator("#rsf-town-hall-one-start").fill(_day(25, 15))
    await page.get_by_role("button", name="Save the new time").click()
    await expect(page.get_by_role("status").filter(has_text="Rescheduled")).to_be_visible()
    page.once("dialog", lambda dialog: dialog.accept())
    await page.locator("#cancel-town-hall-two").click()
    await expect(page.locator("#cancel-town-hall-two")).to_have_count(0)
    async with httpx.AsyncClient(base_url=live_event.base_url) as http:
        after = (await http.get(f"/series/{SERIES_SLUG}/feed.ics")).text

    def events(ics: str) -> dict[str, tuple[str, int, str]]:
        # icalendar, not vobject: vobject keeps every VTIMEZONE it has read in a process-wide
        # registry by TZID, which would leak this feed's zone into other tests.
        from icalendar import Calendar

        return {
            str(e["UID"]): (str(e["SUMMARY"]), int(e["SEQUENCE"]), str(e["STATUS"]))
            for e in Calendar.from_ical(ics).walk("VEVENT")
        }

    first, then = events(before), events(after)
    assert sorted(v for v in first.values()) == [
        ("Town hall one", 0, "CONFIRMED"),
        ("Town hall three", 0, "CONFIRMED"),
        ("Town hall two", 0, "CONFIRMED"),
    ]
    assert then.keys() == first.keys()  # UIDs never change
    assert sorted(v for v in then.values()) == [
        ("Cancelled: Town hall two", 1, "CANCELLED"),
        ("Town hall one", 1, "CONFIRMED"),
        ("Town hall three", 0, "CONFIRMED"),
    ]
