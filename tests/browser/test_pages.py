"""Every page, filled with a lively event: no WCAG 2.1 A/AA violations found by axe-core.
With TOWNHALL_SCREENSHOTS=1 each page is also saved to docs/screenshots/ for the docs."""

from __future__ import annotations

import asyncio
import os
import shutil
from collections.abc import Awaitable, Callable
from pathlib import Path

import pytest
from browser.support import (
    DEMO_QUESTIONS,
    ORGANISER_EMAIL,
    ORGANISER_PASSWORD,
    SCREENSHOTS,
    LiveEvent,
    Screens,
    axe_violations,
    moderator_ready,
    participant_ready,
    populate,
)
from playwright.async_api import Page, expect

SAVE = os.environ.get("TOWNHALL_SCREENSHOTS") == "1"


async def _check(page: Page, screenshot: str | None = None) -> None:
    if SAVE and screenshot:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / screenshot
        await page.screenshot(path=path, animations="disabled")
        await _shrink(path)
    violations = await axe_violations(page)
    assert not violations, "axe-core found:\n" + "\n".join(violations)


async def check_home(live_event: LiveEvent, screens: Screens, ids: dict[str, int]) -> None:
    page = await screens.open(f"{live_event.base_url}/")
    await expect(
        page.get_by_role("link", name="Informal dialogue with Amina Diallo")
    ).to_be_visible()
    await expect(page.get_by_label("Event code")).to_be_visible()
    await _check(page, "home.png")


async def check_participant(live_event: LiveEvent, screens: Screens, ids: dict[str, int]) -> None:
    page = await screens.open(live_event.participant_url, width=360, height=780)
    await participant_ready(page)
    await expect(page.locator("#queue > li")).to_have_count(4)
    await _check(page, "participant.png")

    # The page in its other states: a suggestion shown, the answered list open.
    similar = "How would you make the Security Council represent today's world better?"
    await live_event.wait_until_suggested(similar, ids[DEMO_QUESTIONS[0][0]])
    await page.get_by_label("Your question").fill(similar)
    await expect(page.get_by_role("button", name="Upvote this instead")).to_be_visible(
        timeout=10_000
    )
    await page.get_by_text("Answered (1)").click()
    await expect(page.get_by_text(DEMO_QUESTIONS[4][0])).to_be_visible()
    await _check(page)


async def check_moderator(live_event: LiveEvent, screens: Screens, ids: dict[str, int]) -> None:
    page = await screens.open(live_event.moderator_url)
    await moderator_ready(page)
    await expect(page.locator("#queue > li")).to_have_count(4)
    await _check(page, "moderator.png")

    await page.get_by_role("button", name="Merge into…").first.click()
    await expect(page.get_by_role("button", name="Merge", exact=True)).to_be_visible()
    await _check(page)


async def check_stage(live_event: LiveEvent, screens: Screens, ids: dict[str, int]) -> None:
    page = await screens.open(f"{live_event.participant_url}/stage")
    await expect(page.locator("#stage-now")).to_contain_text(DEMO_QUESTIONS[5][0])
    await _check(page, "stage.png")


async def check_schedule(live_event: LiveEvent, screens: Screens, ids: dict[str, int]) -> None:
    page = await screens.open(f"{live_event.base_url}/s/sg-dialogues")
    await expect(page.get_by_role("heading", name="Upcoming")).to_be_visible()
    await _check(page, "schedule.png")


async def check_organiser(live_event: LiveEvent, screens: Screens, ids: dict[str, int]) -> None:
    await live_event.add_organiser()
    page = await screens.open(f"{live_event.base_url}/organise")
    await expect(page.get_by_label("Email", exact=True)).to_be_visible()
    await _check(page)

    await page.get_by_label("Email", exact=True).fill(ORGANISER_EMAIL)
    await page.get_by_label("Password", exact=True).fill(ORGANISER_PASSWORD)
    await page.get_by_role("button", name="Sign in").click()
    await expect(page.get_by_role("heading", name="Series")).to_be_visible()
    await expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    await _check(page, "organiser.png")


async def _shrink(path: Path) -> None:
    """Quantise the PNG to a palette (a third of the size) when pngquant is installed."""
    if shutil.which("pngquant") is None:
        return
    process = await asyncio.create_subprocess_exec(
        "pngquant",
        "--quality=70-95",
        "--speed=1",
        "--strip",
        "--force",
        "--output",
        str(path),
        str(path),
    )
    await process.wait()


PAGES: dict[str, Callable[[LiveEvent, Screens, dict[str, int]], Awaitable[None]]] = {
    "home": check_home,
    "participant": check_participant,
    "moderator": check_moderator,
    "stage": check_stage,
    "schedule": check_schedule,
    "organiser": check_organiser,
}


@pytest.mark.parametrize("name", PAGES)
async def test_pages_have_no_accessibility_violations(
    name: str, live_event: LiveEvent, screens: Screens
) -> None:
    ids = await populate(live_event)

    await PAGES[name](live_event, screens, ids)
