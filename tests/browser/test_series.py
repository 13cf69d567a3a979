"""Across a series in the browser (the demo as `make serve` seeds it): the moderator sees the
repeat of a question answered in the earlier dialogue with its link, and the common question
on top; a participant sees the earlier answer while typing; the series record page sets the
answers side by side, free of axe-core violations in English and Arabic."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from browser.support import LiveEvent, Screens, axe_violations, eventually
from conftest import Database, ServerFactory
from playwright.async_api import expect
from sqlalchemy import select

from townhall.store.db import create_engine, session_factory
from townhall.store.demo import seed_demo
from townhall.store.demo_series import ANSWERED, ENDED_SLUG, REPEAT
from townhall.store.tables import Question

LIVE = "dialogue-diallo"
EARLIER_TITLE = "First informal dialogue with Amina Diallo"


@pytest.fixture
async def demo(sqlite_database: Database, start_server: ServerFactory) -> LiveEvent:
    engine = create_engine(sqlite_database.url)
    async with session_factory(engine, write=True)() as session, session.begin():
        created = await seed_demo(session, datetime.now(UTC), verified_event=True)
    await engine.dispose()
    live = next(event for event in created if event.slug == LIVE)
    server = await start_server(sqlite_database)
    event = LiveEvent(server.base_url, LIVE, live.code, live.moderator_key, sqlite_database)
    await eventually(event.dedup_done, within=30, what="the start-up sweep embedded the demo")
    return event


async def _answered_id(demo: LiveEvent) -> int:
    engine = create_engine(demo.database.url)
    try:
        async with session_factory(engine)() as session:
            found = await session.scalar(select(Question.id).where(Question.text == ANSWERED))
    finally:
        await engine.dispose()
    assert found is not None
    return int(found)


async def test_series_moderator_sees_the_repeat_flag_and_participant_while_typing(
    demo: LiveEvent, screens: Screens
) -> None:
    answered = await _answered_id(demo)
    link = f"/e/{ENDED_SLUG}/record#q-{answered}"
    sentence = re.compile(rf"^Answered on .+ in .?{EARLIER_TITLE}.?$")

    moderator = await screens.open(demo.moderator_url)
    repeat = moderator.locator("#queue li.q", has_text=REPEAT)
    await expect(repeat.get_by_role("link", name=sentence)).to_have_attribute("href", link)
    first = moderator.locator("#queue > li").first
    await expect(first.locator(".common-tag")).to_have_text("Common question of the series")

    participant = await screens.open(demo.participant_url)
    await participant.locator("#text").fill(
        "How could you make the Security Council more representative of Africa?"
    )
    suggestion = participant.locator("#similar-list li.answered")
    await expect(suggestion.get_by_role("link", name=sentence)).to_have_attribute("href", link)


@pytest.mark.parametrize("locale", ["en-US", "ar"])
async def test_series_record_page_sets_answers_side_by_side(
    demo: LiveEvent, screens: Screens, locale: str
) -> None:
    page = await screens.open(f"{demo.base_url}/s/sg-dialogues/record", locale=locale)
    grid = page.locator("#grid")
    await expect(grid.locator("tbody tr")).to_have_count(1)

    earlier = grid.locator("td.answered a")
    await expect(earlier).to_have_count(1)
    assert (await earlier.get_attribute("href") or "").startswith(f"/e/{ENDED_SLUG}/record#q-")
    assert await grid.locator("td.not-reached").count() >= 2
    assert await page.locator("html").get_attribute("dir") == ("rtl" if locale == "ar" else "ltr")
    violations = await axe_violations(page)
    assert not violations, "axe-core found:\n" + "\n".join(violations)
