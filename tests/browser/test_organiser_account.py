"""Sessions, roles and keys in the browser: a password change signs other browsers out, an
owner adds an editor, and a moderator page whose key was rotated says its link is dead."""

from __future__ import annotations

import httpx
from browser.support import (
    ORGANISER_EMAIL,
    ORGANISER_PASSWORD,
    LiveEvent,
    Screens,
    moderator_ready,
)
from organisers import add_organiser, sign_in
from playwright.async_api import Page, expect

NEW_PASSWORD = "another long passphrase"


async def _sign_in(page: Page) -> None:
    await page.get_by_label("Email", exact=True).fill(ORGANISER_EMAIL)
    await page.get_by_label("Password", exact=True).fill(ORGANISER_PASSWORD)
    await page.get_by_role("button", name="Sign in").click()
    await expect(page.get_by_role("button", name="Sign out")).to_be_visible()


async def test_organiser_changes_password_and_adds_an_editor_in_the_browser(
    live_event: LiveEvent, screens: Screens
) -> None:
    await live_event.add_organiser()
    await add_organiser(live_event.database, "editor@example.org")
    laptop = await screens.open(f"{live_event.base_url}/organise")
    phone = await screens.open(f"{live_event.base_url}/organise")
    await _sign_in(laptop)
    await _sign_in(phone)

    await laptop.get_by_role("button", name="New series").click()
    await laptop.locator("#series-form").get_by_label("Title").fill("Owned series")
    await laptop.get_by_role("button", name="Create series").click()
    await expect(laptop.get_by_text("You: Owner")).to_be_visible()
    await laptop.get_by_text("Who can edit this series (1 person)").click()
    await laptop.get_by_label("Organiser’s email").fill("editor@example.org")
    await laptop.get_by_role("button", name="Add", exact=True).click()
    await expect(laptop.get_by_role("status")).to_have_text(
        "editor@example.org can now edit this series."
    )
    await expect(laptop.get_by_text("Who can edit this series (2 people)")).to_be_visible()

    await laptop.get_by_text("Your account: change your password").click()
    await laptop.get_by_label("Current password").fill("not the password")
    await laptop.get_by_label("New password (12 characters or more)").fill(NEW_PASSWORD)
    await laptop.get_by_label("New password again").fill(NEW_PASSWORD)
    await laptop.get_by_role("button", name="Change password").click()
    await expect(laptop.locator("#pw-err")).to_have_text(
        "Enter your current password (the one you signed in with)."
    )
    await laptop.get_by_label("Current password").fill(ORGANISER_PASSWORD)
    await laptop.get_by_role("button", name="Change password").click()
    await expect(laptop.get_by_role("status")).to_have_text(
        "Password changed. Every other session of yours has ended."
    )

    await phone.reload()
    await expect(phone.get_by_role("heading", name="Sign in as an organiser")).to_be_visible()
    await laptop.reload()
    await expect(laptop.get_by_role("button", name="Sign out")).to_be_visible()


async def test_moderator_page_says_a_rotated_link_is_no_longer_valid(
    live_event: LiveEvent, screens: Screens
) -> None:
    await add_organiser(live_event.database, "admin@example.org", admin=True)
    page = await screens.open(live_event.moderator_url)
    await moderator_ready(page)

    async with httpx.AsyncClient(base_url=live_event.base_url) as http:
        organiser = await sign_in(http, "admin@example.org")
        rotated = await organiser.post(f"/api/organiser/events/{live_event.slug}/moderator-key")

    assert rotated.status_code == 200
    await expect(page.get_by_role("status").first).to_contain_text(
        "This moderator link is no longer valid"
    )
