"""A participant in a verified-e-mail event is told why they cannot vote yet, verifies through
the link a real SMTP server received, then votes; the organiser invites organisations."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from browser.support import (
    ORGANISER_EMAIL,
    ORGANISER_PASSWORD,
    LiveEvent,
    Screens,
    eventually,
    participant_ready,
)
from conftest import Database, ServerFactory, seed
from playwright.async_api import expect
from smtp_inbox import Inbox, running_inbox, sign_in_link


@pytest.fixture
def inbox() -> Iterator[Inbox]:
    with running_inbox() as running:
        yield running


async def test_verified_event_participant_is_told_why_then_verifies_and_votes(
    sqlite_database: Database, start_server: ServerFactory, screens: Screens, inbox: Inbox
) -> None:
    demo = await seed(sqlite_database, access_mode="email")
    server = await start_server(
        sqlite_database, smtp_url=inbox.smtp_url, mail_from="th@example.org"
    )
    event = LiveEvent(server.base_url, demo.slug, demo.code, demo.moderator_key, sqlite_database)
    question = await event.act(
        "submit_question", moderator=True, text="How will you fund the peacekeeping budget?"
    )
    page = await screens.open(event.participant_url)
    await participant_ready(page)
    gate = page.get_by_role("region", name="Before you ask or vote")

    await expect(gate).to_contain_text("only participants with a verified e-mail address")
    await expect(page.get_by_label("Your question")).to_be_disabled()
    await page.locator("#queue .vote").first.click()
    await expect(gate).to_be_focused()
    await expect(gate).to_contain_text("first follow the steps")
    await page.get_by_label("Your e-mail address").fill("ada@example.org")
    await page.get_by_role("button", name="Send me a link").click()
    await expect(gate).to_contain_text("We sent a link to ada@example.org")
    link = sign_in_link((await inbox.wait_for(1))[0])
    opened = await page.context.new_page()  # the link clicked in the mail app: a new tab
    await opened.goto(link)
    await participant_ready(opened)
    await expect(opened.get_by_text("Your e-mail address is verified")).to_be_visible()
    await opened.locator("#queue .vote").first.click()
    await expect(opened.locator("#queue .vote").first).to_have_attribute("aria-pressed", "true")

    async def counted() -> bool:
        return await event.votes(question["question_id"]) == 2

    await eventually(counted, what="the verified vote is counted")
    assert opened.url == event.participant_url  # the one-time token left the address bar


async def test_organiser_invites_organisations_and_a_delegate_link_lets_them_vote(
    live_event: LiveEvent, screens: Screens
) -> None:
    await live_event.add_organiser(admin=True)
    question = await live_event.ask("Will you appoint a gender-balanced senior team?")
    page = await screens.open(f"{live_event.base_url}/organise")
    await page.get_by_label("Email", exact=True).fill(ORGANISER_EMAIL)
    await page.get_by_label("Password", exact=True).fill(ORGANISER_PASSWORD)
    await page.get_by_role("button", name="Sign in").click()
    panel = page.locator(f"#acc-{live_event.slug}")
    await panel.locator("summary").click()
    await panel.get_by_label("Participation").select_option("invited")
    await panel.get_by_role("button", name="Save").click()
    await expect(panel.locator("summary")).to_contain_text("Invited organisations")
    await panel.get_by_label("Organisations to invite").fill(
        "Oxfam International,info@oxfam.example\nCIVICUS"
    )
    await panel.get_by_role("button", name="Invite").click()
    await expect(panel).to_contain_text("2 organisations invited")
    link = await panel.get_by_label("Delegate link").last.input_value()

    delegate = await screens.open(link)
    await participant_ready(delegate)
    await expect(delegate.get_by_text("You take part as the delegate of CIVICUS")).to_be_visible()
    await delegate.locator("#queue .vote").first.click()
    await expect(delegate.locator("#queue .vote").first).to_have_attribute("aria-pressed", "true")

    async def counted() -> bool:
        return await live_event.votes(question) == 2

    await eventually(counted, what="the delegate's vote is counted")
    page.on("dialog", lambda dialog: dialog.accept())
    await panel.get_by_role("button", name="Withdraw link").last.click()
    await expect(panel).to_contain_text("Link withdrawn")
    await delegate.reload()
    await participant_ready(delegate)
    await expect(delegate.get_by_role("region", name="Before you ask or vote")).to_contain_text(
        "delegate link"
    )
