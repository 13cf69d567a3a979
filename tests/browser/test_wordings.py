"""A group merged across languages: each participant reads it in their own language's wording,
marked as asked in two languages, and votes for the whole group; the moderator console and
the stage screen show every wording with its language.

The merge is made by the moderator and the languages are written to the database, so the test
does not hang on the dedup worker's timing (tests/dedup covers detection and merging)."""

from __future__ import annotations

from typing import Any

from browser.support import LiveEvent, Screens, axe_violations, eventually
from playwright.async_api import Page, expect
from sqlalchemy import select, update
from test_catalogues import catalogue

from townhall.store.db import create_engine, session_factory
from townhall.store.tables import Question

ENGLISH = "How will you fund climate adaptation in small island developing states?"
SPANISH = "¿Cómo financiará la adaptación climática en los pequeños estados insulares?"
OTHER = "Will you publish the names of everyone you meet as Secretary-General?"


def plural(lang: str, key: str, form: str, n: int) -> str:
    entry: Any = catalogue(lang)[key]
    return str(entry[form]).replace("{n}", str(n))


async def _groups(live_event: LiveEvent) -> dict[int, int | None]:
    """The group each question is in."""
    engine = create_engine(live_event.database.url, schema=live_event.database.schema)
    try:
        async with session_factory(engine)() as session:
            rows = await session.execute(select(Question.id, Question.root_id))
            return {row.id: row.root_id for row in rows}
    finally:
        await engine.dispose()


async def _set_languages(live_event: LiveEvent, languages: dict[int, str]) -> None:
    engine = create_engine(live_event.database.url, schema=live_event.database.schema)
    try:
        async with session_factory(engine, write=True)() as session, session.begin():
            for question_id, language in languages.items():
                await session.execute(
                    update(Question).where(Question.id == question_id).values(language=language)
                )
    finally:
        await engine.dispose()


async def merged_group(live_event: LiveEvent) -> tuple[int, int]:
    """An English question with its Spanish translation merged in; returns (root, spanish)."""
    root = await live_event.ask(ENGLISH)
    spanish = await live_event.ask(SPANISH)
    await live_event.ask(OTHER)

    # Let the worker finish first (it may merge the pair itself), so it writes nothing later.
    await eventually(live_event.dedup_done, within=30, what="dedup worker done")
    await _set_languages(live_event, {root: "en", spanish: "es"})
    if (await _groups(live_event))[spanish] != root:
        await live_event.act("merge_questions", moderator=True, question_id=spanish, into_id=root)
    else:  # any action re-renders the queue with the languages just written
        await live_event.act("vote", question_id=root)
    return root, spanish


async def no_violations(page: Page) -> None:
    violations = await axe_violations(page)
    assert not violations, "axe-core found:\n" + "\n".join(violations)


async def test_wordings_each_participant_reads_the_group_in_their_language(
    live_event: LiveEvent, screens: Screens
) -> None:
    root, _ = await merged_group(live_event)
    english = await screens.open(live_event.participant_url, locale="en-US")
    spanish = await screens.open(live_event.participant_url, locale="es-ES")
    group_en = english.locator(f'#queue > li[data-key="{root}"]')
    group_es = spanish.locator(f'#queue > li[data-key="{root}"]')

    await expect(group_en.locator(".q-text")).to_have_text(ENGLISH)
    await expect(group_es.locator(".q-text")).to_have_text(SPANISH)
    await expect(group_en.locator(".meta .languages")).to_have_text(
        plural("en", "asked_in_languages", "other", 2)
    )
    await expect(group_es.locator(".meta .languages")).to_have_text(
        plural("es", "asked_in_languages", "other", 2)
    )
    for group, lang in ((group_en, "en"), (group_es, "es")):
        await expect(group.locator(".q-text")).to_have_attribute("lang", lang)
        await expect(group.locator(".q-text")).to_have_attribute("dir", "auto")
    # The other wording stays readable under "also asked as", in its own language.
    await expect(group_es.locator(".merged > li")).to_have_text([ENGLISH])
    await expect(group_es.locator(".merged > li")).to_have_attribute("lang", "en")
    await no_violations(english)
    await no_violations(spanish)

    # The Spanish reader's vote goes to the group (the root), as from any wording.
    before = await live_event.votes(root)
    await group_es.locator(".vote").click()
    await expect(group_es.locator(".vote")).to_have_attribute("aria-pressed", "true")

    async def counted() -> bool:
        return await live_event.votes(root) == before + 1

    await eventually(counted, what="the Spanish reader's vote counted for the group")

    # Switching the page's language re-renders the group in the new language's wording.
    await english.locator("#lang").select_option("es")
    await expect(group_en.locator(".q-text")).to_have_text(SPANISH)
    await expect(group_en.locator(".q-text")).to_have_attribute("lang", "es")
    await english.locator("#lang").select_option("ar")  # no Arabic wording: the root's
    await expect(group_en.locator(".q-text")).to_have_text(ENGLISH)
    await expect(group_en.locator(".meta .languages")).to_have_text(
        plural("ar", "asked_in_languages", "two", 2)
    )
    await no_violations(english)


async def test_wordings_moderator_and_stage_show_every_wording_with_its_language(
    live_event: LiveEvent, screens: Screens
) -> None:
    root, spanish = await merged_group(live_event)
    moderator = await screens.open(live_event.moderator_url, locale="en-US")
    stage = await screens.open(f"{live_event.base_url}/e/{live_event.slug}/stage", locale="fr-FR")

    group = moderator.locator(f'#queue > li[data-key="{root}"]')
    await expect(group.locator(".q-text .tx")).to_have_text(ENGLISH)
    await expect(group.locator(".q-text")).to_have_attribute("lang", "en")
    await expect(group.locator(".q-text .lang-tag")).to_have_text("EN (English)")
    wording = group.locator(".merged > li")
    await expect(wording.locator("span[dir=auto]")).to_have_text(f"#{spanish} {SPANISH}")
    await expect(wording.locator("span[dir=auto]")).to_have_attribute("lang", "es")
    await expect(wording.locator(".lang-tag")).to_have_text("ES (Spanish)")
    await no_violations(moderator)

    shown = stage.locator("#stage-queue > li", has_text=ENGLISH)
    await expect(shown.locator(".merged span[dir=auto]")).to_have_text(SPANISH)
    await expect(shown.locator(".merged span[dir=auto]")).to_have_attribute("lang", "es")
    await expect(shown.locator(".merged .lang-tag")).to_have_text("ES (espagnol)")
    await no_violations(stage)
