"""The pages in the six UN languages: the browser's language picks the catalogue, the switch
overrides it and is remembered, Arabic lays out right to left without overflowing a phone,
user text carries its own direction, and axe-core finds nothing in any language.
With TOWNHALL_SCREENSHOTS=1 the participant page is saved as docs/screenshots/participant-<lang>.png."""

from __future__ import annotations

import os
from typing import Any

import pytest
from browser.support import (
    ORGANISER_EMAIL,
    ORGANISER_PASSWORD,
    SCREENSHOTS,
    LiveEvent,
    Screens,
    axe_violations,
    eventually,
    populate,
)
from playwright.async_api import Page, expect
from test_catalogues import ALLOWED_FORMS, LANGUAGES, catalogue

SAVE = os.environ.get("TOWNHALL_SCREENSHOTS") == "1"
LOCALES = {"ar": "ar-EG", "zh": "zh-CN", "en": "en-US", "fr": "fr-FR", "ru": "ru-RU", "es": "es-ES"}
DIRECTION = {"ar": "rtl"}
ENDONYMS = ("العربية", "中文", "English", "Français", "Русский", "Español")
# Not translations of the English demo questions: those would merge into them (by design).
ARABIC_QUESTION = "ما خطتك لمكافحة الجوع في منطقة الساحل؟"
CHINESE_QUESTION = "您将如何保障难民儿童的受教育权利\uff1f"


def text(lang: str, key: str, **values: Any) -> str:
    entry = catalogue(lang)[key]
    assert isinstance(entry, str)
    for name, value in values.items():
        entry = entry.replace(f"{{{name}}}", str(value))
    return entry


async def no_violations(page: Page) -> None:
    violations = await axe_violations(page)
    assert not violations, "axe-core found:\n" + "\n".join(violations)


async def page_language(page: Page) -> tuple[str, str]:
    lang, direction = await page.evaluate(
        "[document.documentElement.lang, document.documentElement.dir]"
    )
    return lang, direction


async def ready(page: Page, lang: str) -> None:
    """The participant page has its snapshot: "Now answering" no longer says "Connecting…"."""
    await expect(page.locator("#now-h")).to_have_text(text(lang, "now_answering"))
    await expect(page.locator("#now")).not_to_contain_text(text(lang, "connecting"))


@pytest.mark.parametrize("lang", LANGUAGES)
async def test_languages_participant_page_follows_the_browser_language(
    lang: str, live_event: LiveEvent, screens: Screens
) -> None:
    await populate(live_event)
    await live_event.ask(ARABIC_QUESTION)
    await live_event.ask(CHINESE_QUESTION)

    page = await screens.open(
        live_event.participant_url, width=360, height=780, locale=LOCALES[lang]
    )
    await ready(page, lang)

    assert await page_language(page) == (lang, DIRECTION.get(lang, "ltr"))
    await expect(page.locator("#now-h")).to_have_text(text(lang, "now_answering"))
    await expect(page.get_by_role("button", name=text(lang, "ask"), exact=True)).to_be_visible()
    await expect(page.locator("#lang")).to_have_value(lang)
    if SAVE:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        await page.screenshot(path=SCREENSHOTS / f"participant-{lang}.png", full_page=True)
    await no_violations(page)


async def test_languages_chromium_selects_the_plural_forms_the_catalogues_hold(
    screens: Screens, live_event: LiveEvent
) -> None:
    page = await screens.open(live_event.participant_url)
    # Its catalogue loaded: a page closed mid-import would have nothing to show.
    await ready(page, "en")

    categories = await page.evaluate(
        "(langs) => Object.fromEntries(langs.map((l) => "
        "[l, new Intl.PluralRules(l).resolvedOptions().pluralCategories.sort()]))",
        list(LANGUAGES),
    )

    assert categories == {lang: sorted(ALLOWED_FORMS[lang]) for lang in LANGUAGES}


async def test_languages_arabic_participant_page_has_no_horizontal_scroll_at_360px(
    live_event: LiveEvent, screens: Screens
) -> None:
    await populate(live_event)
    await live_event.ask("How will the next Secretary-General respond to " + "very " * 60 + "?")
    page = await screens.open(live_event.participant_url, width=360, height=780, locale="ar")
    await ready(page, "ar")

    widths = await page.evaluate(
        "[document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    outside = await page.evaluate(
        """() => [...document.querySelectorAll('body *')].filter((el) => {
            const r = el.getBoundingClientRect();
            return r.width && (r.left < -1 || r.right > innerWidth + 1) && !el.closest('.sr');
        }).map((el) => el.id || el.className || el.tagName)"""
    )

    assert (widths[0] <= widths[1], outside) == (True, [])
    # Numbers are not isolated like words, so the counter keeps its order ("0/500").
    await expect(page.locator("#count")).to_have_text("0/500")
    # The vote button sits on the inline end: in right to left, that is the left.
    box = await page.locator("#queue > li").first.bounding_box()
    vote = await page.locator("#queue > li .vote").first.bounding_box()
    assert box is not None and vote is not None
    assert vote["x"] - box["x"] < box["width"] / 2


async def test_languages_switch_changes_the_language_and_is_remembered(
    live_event: LiveEvent, screens: Screens
) -> None:
    page = await screens.open(live_event.participant_url, locale="en-US")
    await ready(page, "en")

    await page.get_by_label("Language").select_option("ar")
    await expect(page.locator("#now-h")).to_have_text(text("ar", "now_answering"))
    assert await page_language(page) == ("ar", "rtl")
    await page.reload()
    await ready(page, "ar")

    assert await page_language(page) == ("ar", "rtl")
    await expect(page.locator("#lang")).to_have_value("ar")
    await page.goto(f"{live_event.base_url}/")  # another page of the site keeps the choice
    await expect(page.locator("#lang")).to_have_value("ar")
    assert await page_language(page) == ("ar", "rtl")


async def test_languages_question_text_takes_its_own_direction(
    live_event: LiveEvent, screens: Screens
) -> None:
    await live_event.ask(ARABIC_QUESTION)
    await live_event.ask("How will you fund climate adaptation in small island states?")

    english = await screens.open(live_event.participant_url, locale="en-US")
    arabic = await screens.open(live_event.participant_url, locale="ar")
    await ready(english, "en")
    await ready(arabic, "ar")

    script = """() => [...document.querySelectorAll('#queue .q-text')].map((el) =>
        [el.textContent.slice(0, 3), el.getAttribute('dir'), getComputedStyle(el).direction])"""
    expected = [["How", "auto", "ltr"], [ARABIC_QUESTION[:3], "auto", "rtl"]]
    assert sorted(await english.evaluate(script)) == expected
    assert sorted(await arabic.evaluate(script)) == expected


async def test_languages_server_refusals_are_translated_by_code(
    live_event: LiveEvent, screens: Screens
) -> None:
    page = await screens.open(live_event.participant_url, locale="ar")
    await ready(page, "ar")

    explained = await page.evaluate(
        """async () => {
            const { explain } = await import('/static/js/i18n.js');
            return [
                explain({ type: 'refused', code: 'bad_code', message: 'English text' }),
                explain({ type: 'refused', code: 'network_vote_limit', retry_after: 120 }),
                explain({ type: 'refused', code: 'no_such_code', message: 'English text' }),
                explain({ type: 'error', code: 'flood', message: 'Too many messages.' }),
            ];
        }"""
    )

    assert explained == [
        text("ar", "refused_bad_code"),
        text("ar", "refused_network_vote_limit", wait="\u2068دقيقتين\u2069"),
        text("ar", "refused_other"),
        text("ar", "error_flood"),
    ]


async def _moderator(page: Page, lang: str, live_event: LiveEvent) -> None:
    # The Arabic question may be merged into its English original by the dedup worker (issue
    # 14), so the console shows as many groups as the server has once the worker is through.
    await eventually(live_event.dedup_done, what="dedup worker done")
    groups = len((await live_event.queue(moderator=True))["open"])
    await expect(page.locator("#queue > li")).to_have_count(groups)
    await page.locator("#queue > li [data-k=merge_into]").first.click()
    await expect(page.locator(".mergeform")).to_be_visible()


async def _stage(page: Page, lang: str, live_event: LiveEvent) -> None:
    await expect(page.locator("#stage-now .stage-question")).not_to_have_text(
        text(lang, "nothing_answering")
    )


async def _schedule(page: Page, lang: str, live_event: LiveEvent) -> None:
    await expect(page.get_by_role("heading", name=text(lang, "sch_upcoming"))).to_be_visible()


async def _organiser(page: Page, lang: str, live_event: LiveEvent) -> None:
    await page.get_by_label(text(lang, "org_email"), exact=True).fill(ORGANISER_EMAIL)
    await page.get_by_label(text(lang, "org_password"), exact=True).fill(ORGANISER_PASSWORD)
    await page.get_by_role("button", name=text(lang, "org_sign_in")).click()
    await expect(page.get_by_role("heading", name=text(lang, "org_series_heading"))).to_be_visible()


OTHER_PAGES = {
    "moderator": ("/e/{slug}/moderate#key={key}", _moderator),
    "stage": ("/e/{slug}/stage", _stage),
    "schedule": ("/s/sg-dialogues", _schedule),
    "organiser": ("/organise", _organiser),
    "home": ("/", None),
}


@pytest.mark.parametrize("lang", ["ar", "zh"])
@pytest.mark.parametrize("name", OTHER_PAGES)
async def test_languages_every_page_in_arabic_and_chinese_has_no_violations(
    name: str, lang: str, live_event: LiveEvent, screens: Screens
) -> None:
    await populate(live_event)
    await live_event.ask(ARABIC_QUESTION)
    await live_event.add_organiser()
    path, act = OTHER_PAGES[name]
    url = live_event.base_url + path.format(slug=live_event.slug, key=live_event.moderator_key)

    page = await screens.open(url, locale=LOCALES[lang])
    await expect(page.locator("html")).to_have_attribute("lang", lang)
    if act is not None:
        await act(page, lang, live_event)

    assert await page_language(page) == (lang, DIRECTION.get(lang, "ltr"))
    await expect(page.locator("#lang option")).to_have_text(list(ENDONYMS))
    await expect(page.locator("#lang")).to_have_value(lang)
    await no_violations(page)
