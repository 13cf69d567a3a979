"""The participant page on a small phone: nothing scrolls sideways, and the first load is
light (HTML, CSS and JavaScript as transferred, gzipped, under 60 KB)."""

from __future__ import annotations

from urllib.parse import urlsplit

from browser.support import LiveEvent, Screens, participant_ready, populate
from playwright.async_api import Page, expect

WEIGHT_BUDGET = 60 * 1024
LONG = (
    "Will you publish every selection document at "
    "https://www.un.org/en/ga/president/selection-of-the-secretary-general/documents-and-letters "
    "and answer our follow-up questions in writing within a week of this dialogue?"
)


async def _sideways_overflow(page: Page) -> int:
    """How many pixels the page is wider than its viewport."""
    overflow: int = await page.evaluate(
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    return overflow


async def test_participant_mobile_360px_has_no_horizontal_scroll(
    live_event: LiveEvent, screens: Screens
) -> None:
    await populate(live_event)
    long_id = await live_event.ask(LONG)
    page = await screens.open(live_event.participant_url, width=360, height=780)
    await participant_ready(page)
    await expect(page.locator("#queue > li")).to_have_count(5)

    assert await _sideways_overflow(page) == 0

    await live_event.wait_until_suggested(LONG, long_id)
    await page.get_by_label("Your question").fill(LONG)
    await expect(page.get_by_role("button", name="Upvote this instead")).to_be_visible(
        timeout=10_000
    )
    await page.context.set_offline(True)
    await expect(page.get_by_role("status").filter(has_text="Offline")).to_be_visible()
    assert await _sideways_overflow(page) == 0
    await page.context.set_offline(False)


async def test_participant_mobile_first_load_is_under_60_kb(
    live_event: LiveEvent, screens: Screens
) -> None:
    await populate(live_event)
    page = await screens.open(live_event.participant_url, width=360, height=780)
    await participant_ready(page)

    entries = await page.evaluate(
        """() => [...performance.getEntriesByType('navigation'),
                  ...performance.getEntriesByType('resource')]
             .map((e) => ({url: e.name, encoded: e.encodedBodySize, decoded: e.decodedBodySize}))"""
    )
    sizes: dict[str, tuple[int, int]] = {}
    for entry in entries:
        path = urlsplit(entry["url"]).path
        if entry["url"] == page.url or path.endswith((".js", ".css")):
            sizes[path] = (entry["encoded"], entry["decoded"])
    total = sum(encoded for encoded, _ in sizes.values())
    listing = "\n".join(f"{p}: {e} B transferred ({d} B)" for p, (e, d) in sorted(sizes.items()))

    assert {"/static/css/app.css", "/static/js/participant.js"} <= sizes.keys(), listing
    assert sizes["/static/js/participant.js"][0] < sizes["/static/js/participant.js"][1], (
        "participant.js was not compressed\n" + listing
    )
    assert total < WEIGHT_BUDGET, f"first load {total} B > {WEIGHT_BUDGET} B\n{listing}"


async def test_participant_page_works_on_a_slow_3g_profile(
    live_event: LiveEvent, screens: Screens
) -> None:
    await populate(live_event)
    page = await screens.open(None, width=360, height=780)
    cdp = await page.context.new_cdp_session(page)
    # Chrome DevTools' "Slow 3G": 400 ms round trips, about 50 kB/s down and up.
    await cdp.send("Network.enable")
    await cdp.send(
        "Network.emulateNetworkConditions",
        {
            "offline": False,
            "latency": 400,
            "downloadThroughput": 500 * 1024 / 8,
            "uploadThroughput": 500 * 1024 / 8,
        },
    )

    await page.goto(live_event.participant_url, timeout=60_000)
    await expect(page.get_by_role("region", name="Now answering")).not_to_contain_text(
        "Connecting", timeout=30_000
    )
    await page.get_by_label("Your question").fill(
        "Will the next Secretary-General visit the Sahel?"
    )
    await page.get_by_role("button", name="Ask").click()

    await expect(
        page.get_by_role("button", name="Upvote: Will the next Secretary-General visit the Sahel?")
    ).to_be_visible(timeout=30_000)
