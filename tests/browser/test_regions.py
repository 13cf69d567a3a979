"""Regional balance in the browser: a participant gives a country from a picker named in
their language, and the moderator orders the queue by support from the most regions."""

from __future__ import annotations

import itertools

import httpx
import pytest
from browser.support import LiveEvent, Screens, axe_violations, moderator_ready
from conftest import Database, ServerFactory, seed
from playwright.async_api import Page, expect
from sqlalchemy import select

from townhall.store.db import create_engine, session_factory
from townhall.store.tables import Participant

_ids = itertools.count(1)


@pytest.fixture
async def regional_event(sqlite_database: Database, start_server: ServerFactory) -> LiveEvent:
    """The demo's open event on a server that shows a region from 2 supporters on."""
    demo = await seed(sqlite_database)
    server = await start_server(sqlite_database, privacy_min_group=2)
    return LiveEvent(server.base_url, demo.slug, demo.code, demo.moderator_key, sqlite_database)


async def _person(event: LiveEvent, country: str, action: str, **fields: object) -> int | None:
    """A new participant from `country` asks or votes; returns a new question's id."""
    async with httpx.AsyncClient(base_url=event.base_url) as http:
        for name, body in (("set_profile", {"country": country}), (action, fields)):
            response = await http.post(
                f"/api/events/{event.slug}/actions/{name}",
                json={"client_id": f"r{next(_ids)}", **body},
            )
            assert response.status_code == 200, response.text
    result = response.json()["result"]
    return int(result["question_id"]) if action == "submit_question" else None


async def _order(page: Page, *ids: int) -> list[int]:
    keys = await page.locator("#queue > li").evaluate_all("(els) => els.map((e) => e.dataset.key)")
    return [int(key) for key in keys if int(key) in ids]


async def test_moderator_orders_the_queue_by_most_regions(
    screens: Screens, regional_event: LiveEvent
) -> None:
    event = regional_event
    crowded = await _person(event, "FR", "submit_question", text="Will the shortlist be public?")
    for _ in range(5):
        await _person(event, "DE", "vote", question_id=crowded)
    wide = await _person(
        event, "BR", "submit_question", text="How will small island states be heard?"
    )
    for country in ("BR", "KE", "KE"):
        await _person(event, country, "vote", question_id=wide)
    assert crowded is not None and wide is not None

    moderator = await screens.open(event.moderator_url)
    await moderator_ready(moderator)
    by_votes = moderator.get_by_role("button", name="Most votes")
    by_regions = moderator.get_by_role("button", name="Most regions")
    await expect(by_votes).to_have_attribute("aria-pressed", "true")
    wide_item = moderator.locator(f'#queue > li[data-key="{wide}"]')
    await expect(wide_item.locator(".spread-line")).to_have_text(
        "Support from 2 regions: Africa: 2 · Americas: 2"
    )
    assert await _order(moderator, crowded, wide) == [crowded, wide]

    await by_regions.click()

    await expect(by_regions).to_have_attribute("aria-pressed", "true")
    await expect(moderator.locator("#order-note")).to_contain_text("from 2 supporters")
    await expect(moderator.locator("#queue > li").first).to_have_attribute("data-key", str(wide))
    assert await _order(moderator, crowded, wide) == [wide, crowded]
    crowded_item = moderator.locator(f'#queue > li[data-key="{crowded}"]')
    await expect(crowded_item.locator(".spread-line")).to_have_text(
        "Support from 1 region: Europe: 6"
    )
    await wide_item.locator(".spread-more > summary").click()
    await expect(wide_item.locator(".spread-groups")).to_have_text(
        "UN regional groups: African Group: 2 · Latin American and Caribbean Group: 2"
    )
    violations = await axe_violations(moderator)
    assert not violations, "axe-core found:\n" + "\n".join(violations)

    await moderator.reload()  # the choice is remembered for this moderator
    await moderator_ready(moderator)
    await expect(by_regions).to_have_attribute("aria-pressed", "true")
    await expect(moderator.locator("#queue > li").first).to_have_attribute("data-key", str(wide))


async def _countries(event: LiveEvent) -> list[str]:
    """Every country participants have given (the seeded demo's people gave none)."""
    engine = create_engine(event.database.url, schema=event.database.schema)
    try:
        async with session_factory(engine)() as session:
            rows = (await session.execute(select(Participant.country))).scalars().all()
    finally:
        await engine.dispose()
    return [country for country in rows if country]


@pytest.mark.parametrize(
    ("locale", "kenya", "youth", "saved"),
    [
        ("en-US", "Kenya", "Youth", "Saved."),
        ("ar-EG", "كينيا", "الشباب", "تم الحفظ."),
    ],
)
async def test_participant_gives_a_country_named_in_their_language(
    screens: Screens, live_event: LiveEvent, locale: str, kenya: str, youth: str, saved: str
) -> None:
    page = await screens.open(live_event.participant_url, width=360, height=780, locale=locale)
    await page.locator("#profile-box > summary").click()
    await page.locator("#profile-country").select_option(label=kenya)
    await page.locator("#profile-group").select_option(label=youth)

    await page.locator("#profile button[type=submit]").click()

    await expect(page.locator("#profile-msg")).to_have_text(saved)
    assert await _countries(live_event) == ["KE"]
    violations = await axe_violations(page)
    assert not violations, "axe-core found:\n" + "\n".join(violations)
    await page.reload()
    await page.locator("#profile-box > summary").click()
    await expect(page.locator("#profile-country")).to_have_value("KE")
