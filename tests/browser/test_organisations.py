"""Organisations in the browser: an organiser keeps a profile and invites it; its delegate (in
an open event) asks on its behalf and endorses a question; the participant, moderator and stage
screens show who asked and the endorsements, apart from the votes. No axe-core violation."""

from __future__ import annotations

import asyncio

import httpx
from browser.support import (
    ORGANISER_EMAIL,
    ORGANISER_PASSWORD,
    LiveEvent,
    Screens,
    axe_violations,
    moderator_ready,
    participant_ready,
)
from playwright.async_api import Page, Route, expect


async def _sign_in(page: Page) -> None:
    await page.get_by_label("Email", exact=True).fill(ORGANISER_EMAIL)
    await page.get_by_label("Password", exact=True).fill(ORGANISER_PASSWORD)
    await page.get_by_role("button", name="Sign in").click()


async def _delegate_link(live_event: LiveEvent) -> str:
    """Oxfam invited to the open demo event through the organiser API; its delegate link."""
    await live_event.add_organiser(admin=True)
    async with httpx.AsyncClient(base_url=live_event.base_url) as http:
        signed_in = await http.post(
            "/api/organiser/sign-in",
            json={"email": ORGANISER_EMAIL, "password": ORGANISER_PASSWORD},
        )
        made = await http.post(
            f"/api/organiser/events/{live_event.slug}/invitations",
            json={"organisations": [{"name": "Oxfam", "country": "KE"}]},
            headers={"X-CSRF-Token": signed_in.json()["csrf_token"]},
        )
    link: str = made.json()["invitations"][0]["link"]
    return link


async def test_organiser_keeps_a_profile_and_invites_it_to_an_open_event(
    live_event: LiveEvent, screens: Screens
) -> None:
    await live_event.add_organiser(admin=True)
    page = await screens.open(f"{live_event.base_url}/organise")
    await _sign_in(page)
    block = page.locator("#orgs-sg-dialogues")
    await block.locator("summary").click()
    await block.get_by_role("button", name="Add an organisation").click()
    await block.get_by_label("Name").fill("ActionAid")
    await block.get_by_label("Country (ISO code)").fill("ng")
    await block.get_by_label("Stakeholder group").select_option("civil_society")
    await block.get_by_label("Website").fill("javascript:alert(1)")
    await block.get_by_role("button", name="Save").click()
    await expect(block.get_by_role("alert")).to_contain_text("http:// or https://")
    await expect(block.get_by_label("Website")).to_have_attribute("aria-invalid", "true")
    await block.get_by_label("Website").fill("https://actionaid.org")
    await block.get_by_role("button", name="Save").click()
    await expect(block.locator("summary")).to_contain_text("1 organisation")
    await expect(block).to_contain_text("Nigeria")
    await expect(block.get_by_role("link", name="https://actionaid.org")).to_be_visible()

    panel = page.locator(f"#acc-{live_event.slug}")
    await panel.locator("summary").click()
    await expect(panel).to_contain_text("Delegate links work in every mode")
    # The series' organisations are loaded already (the block above): ticked, then invited.
    await expect(panel).to_contain_text("0 organisations invited")
    await panel.get_by_label("ActionAid").check()
    await panel.get_by_role("button", name="Invite those ticked").click()
    await expect(panel).to_contain_text("1 organisation invited")
    await expect(panel.get_by_label("Delegate link")).to_have_count(1)

    assert await axe_violations(page) == []


async def test_delegate_asks_on_behalf_and_endorses_apart_from_votes(
    live_event: LiveEvent, screens: Screens
) -> None:
    link = await _delegate_link(live_event)
    other = await live_event.ask("Will you commit to gender parity in the Secretariat?")
    delegate = await screens.open(link)
    await participant_ready(delegate)
    await expect(delegate.get_by_text("You take part as the delegate of Oxfam")).to_be_visible()

    await delegate.get_by_label("Oxfam (as its delegate)").check()
    await delegate.get_by_label("Your question").fill("How will you fund climate adaptation?")
    await delegate.get_by_role("button", name="Ask", exact=True).click()
    own = delegate.locator("#queue .q", has_text="How will you fund climate adaptation?")
    await expect(own.locator(".org")).to_have_text("asked by Oxfam")
    await expect(own.locator(".org bdi")).to_have_attribute("dir", "auto")
    endorse = delegate.locator(f'#queue .q[data-key="{other}"] .endorse')
    await expect(endorse).to_have_text("Endorse as Oxfam")
    await endorse.click()
    await expect(endorse).to_have_attribute("aria-pressed", "true")

    reader = await screens.open(live_event.participant_url)
    await participant_ready(reader)
    endorsed = reader.locator(f'#queue .q[data-key="{other}"]')
    await expect(endorsed.locator(".endorsed")).to_have_text(
        "endorsed by 1 organisation from 1 region"
    )
    await expect(endorsed.locator(".vote .n")).to_have_text("1")  # the asker's vote only
    assert await live_event.votes(other) == 1
    assert await axe_violations(reader) == []
    assert await axe_violations(delegate) == []

    moderator = await screens.open(live_event.moderator_url)
    await moderator_ready(moderator)
    console_item = moderator.locator(".q", has_text="gender parity").first
    await expect(console_item.locator(".endorsers")).to_contain_text("Endorsed by: Oxfam (Africa)")
    await expect(
        moderator.locator(".q", has_text="fund climate adaptation").first.locator(".org")
    ).to_have_text("asked by Oxfam")
    assert await axe_violations(moderator) == []

    stage = await screens.open(f"{live_event.participant_url}/stage")
    await expect(stage.locator("#stage-queue")).to_contain_text("asked by Oxfam")
    await expect(stage.locator("#stage-queue")).to_contain_text("endorsed by 1 organisation")
    assert await axe_violations(stage) == []


async def test_endorsement_is_shown_in_arabic_with_its_plural(
    live_event: LiveEvent, screens: Screens
) -> None:
    link = await _delegate_link(live_event)
    question = await live_event.ask("How will you protect civic space?")
    delegate = await screens.open(link)
    await participant_ready(delegate)
    await delegate.locator(f'#queue .q[data-key="{question}"] .endorse').click()

    reader = await screens.open(live_event.participant_url, locale="ar")

    await expect(reader.locator(f'#queue .q[data-key="{question}"] .endorsed')).to_have_text(
        "أيّدته منظمة واحدة من منطقة واحدة"
    )
    assert await axe_violations(reader) == []


async def test_organisation_form_keeps_what_was_typed_when_the_list_arrives_later(
    live_event: LiveEvent, screens: Screens
) -> None:
    """The block's list loads when it is opened; an organiser who starts typing before it
    arrives keeps what they typed when the console redraws (CI found the name wiped)."""
    await live_event.add_organiser(admin=True)
    page = await screens.open(f"{live_event.base_url}/organise")
    await _sign_in(page)
    release = asyncio.Event()

    async def slow_list(route: Route) -> None:
        if route.request.method == "GET":
            await release.wait()
        await route.continue_()

    await page.route("**/api/organiser/series/*/organisations", slow_list)
    block = page.locator("#orgs-sg-dialogues")
    await block.locator("summary").click()
    await block.get_by_role("button", name="Add an organisation").click()
    await block.get_by_label("Name").fill("ActionAid")
    await block.get_by_label("Website").fill("https://actionaid.org")
    release.set()

    await expect(block.locator("summary")).to_contain_text("0 organisations")
    await expect(block.get_by_label("Name")).to_have_value("ActionAid")
    await expect(block.get_by_label("Website")).to_have_value("https://actionaid.org")
