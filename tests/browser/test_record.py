"""The public record page and the widget in Chromium: order, anchors, links into the
recording, languages and direction; axe-core finds nothing; the widget works framed by another
site, and without script."""

from __future__ import annotations

import httpx
import pytest
from browser.support import (
    ORGANISER_EMAIL,
    ORGANISER_PASSWORD,
    LiveEvent,
    Screens,
    axe_violations,
)
from browser.test_security import _shows, other_site
from playwright.async_api import expect
from records import add_record_demo

from townhall.store.demo_record import RECORD_SLUG


@pytest.mark.parametrize("locale", ["en-US", "ar"])
async def test_record_page_lists_answers_in_order_with_recording_links(
    live_event: LiveEvent, screens: Screens, locale: str
) -> None:
    await add_record_demo(live_event.database)
    page = await screens.open(f"{live_event.base_url}/e/{RECORD_SLUG}/record#q-3", locale=locale)

    rows = page.locator("#answered > li")
    await expect(rows).to_have_count(4)
    assert await rows.evaluate_all("(els) => els.map((e) => e.id)") == ["q-1", "q-3", "q-4", "q-5"]
    await expect(page.locator("#q-3")).to_be_focused()
    links = page.locator("#answered a[href*='media.un.org']")
    assert [await a.get_attribute("href") for a in await links.all()] == [
        f"https://media.un.org/en/asset/k1d/k1demo0000#t={seconds}"
        for seconds in (480, 1260, 2100, 3180)
    ]
    await expect(page.locator("#waiting > li")).to_have_count(3)
    await expect(page.locator("#licence a[rel=license]")).to_have_text("CC BY 4.0")
    assert "Buy cheap followers" not in await page.content()
    direction = await page.evaluate("document.documentElement.dir")
    assert direction == ("rtl" if locale == "ar" else "ltr")
    if locale == "ar":
        # The Arabic question in its own language; the merged group's English root shown
        # (no Arabic wording), its French wording under it with its language.
        await expect(page.locator("#q-5 .text [lang=ar]")).to_have_attribute("dir", "auto")
        await expect(page.locator("#q-1 .merged [lang=fr]")).to_have_count(1)
    assert await axe_violations(page) == []


async def test_record_page_of_a_live_event_says_it_is_not_ready(
    live_event: LiveEvent, screens: Screens
) -> None:
    page = await screens.open(f"{live_event.participant_url}/record")

    await expect(page.locator("#msg")).to_have_text(
        "This event has not ended yet: its record appears when it ends."
    )
    assert await axe_violations(page) == []


@pytest.mark.parametrize("locale", ["en-US", "ar"])
async def test_widget_framed_by_another_site_shows_the_live_question_and_is_accessible(
    live_event: LiveEvent, screens: Screens, locale: str
) -> None:
    await add_record_demo(live_event.database)
    first = await live_event.ask("How will you make the United Nations more transparent?")
    await live_event.ask("ما هي خطتك لمكافحة الجوع في المناطق الريفية؟")
    await live_event.act("mark_answering", moderator=True, question_id=first)
    page = await screens.open(None, locale=locale)
    widget = f"{live_event.participant_url}/widget"

    async with other_site() as (origin, urls):
        urls["widget"] = widget
        urls["record"] = f"{live_event.base_url}/e/{RECORD_SLUG}/record"
        await page.goto(f"{origin}/")
        frame = page.frame_locator("iframe[name=widget]")
        await expect(frame.locator("section[aria-labelledby=w-now] q")).to_have_text(
            "How will you make the United Nations more transparent?"
        )
        # Its language is tagged once the dedup worker has detected it; the text is there now.
        await expect(frame.locator("section[aria-labelledby=w-next] q[dir=auto]")).to_have_text(
            "ما هي خطتك لمكافحة الجوع في المناطق الريفية؟"
        )
        record = page.frame(name="record")
        assert record is not None
        assert not await _shows(record, "#answered")  # the record page itself: not framable
    screens.errors.clear()  # Chromium's console reports the refused frame
    own = await screens.open(widget, locale=locale)
    assert await own.evaluate("document.documentElement.dir") == (
        "rtl" if locale == "ar" else "ltr"
    )
    assert await axe_violations(own) == []


async def test_widget_without_script_shows_the_record(
    live_event: LiveEvent, screens: Screens
) -> None:
    await add_record_demo(live_event.database)
    page = await screens.open(None)
    await page.context.close()
    context = await screens.browser.new_context(java_script_enabled=False)
    screens.contexts.append(context)
    page = await context.new_page()

    await page.goto(f"{live_event.base_url}/e/{RECORD_SLUG}/widget")

    await expect(page.locator("ol > li q")).to_have_count(4)
    await expect(page.locator("a[href*='media.un.org']")).to_have_count(4)


async def test_organiser_console_sets_the_recording_and_shows_the_embed_code(
    live_event: LiveEvent, screens: Screens
) -> None:
    await add_record_demo(live_event.database)
    await live_event.add_organiser(admin=True)
    page = await screens.open(f"{live_event.base_url}/organise")
    await page.get_by_label("Email", exact=True).fill(ORGANISER_EMAIL)
    await page.get_by_label("Password", exact=True).fill(ORGANISER_PASSWORD)
    await page.get_by_role("button", name="Sign in").click()
    panel = page.locator(f"#rec-{RECORD_SLUG}")
    await panel.locator("summary").click()

    await panel.get_by_label("Recording link (http or https)").fill("javascript:alert(1)")
    await panel.get_by_role("button", name="Save the recording").click()
    await expect(panel.locator("p[role=status]")).to_contain_text("http:// or https://")
    await panel.get_by_label("Recording link (http or https)").fill("https://youtu.be/abc")
    await panel.get_by_role("button", name="Save the recording").click()
    await expect(panel.locator("p[role=status]")).to_have_text("Saved.")

    code = await panel.get_by_label("Code to embed on a website").input_value()
    assert code.startswith(f'<iframe src="{live_event.base_url}/e/{RECORD_SLUG}/widget"')
    assert await axe_violations(page) == []
    async with httpx.AsyncClient(base_url=live_event.base_url) as http:
        record = (await http.get(f"/api/events/{RECORD_SLUG}/record")).json()
    assert record["recording"]["url"] == "https://youtu.be/abc"
    assert record["answered"][0]["recording_link"] == "https://youtu.be/abc?t=480"
