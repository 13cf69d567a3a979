import re

import pytest

from townhall.domain.mail_texts import (
    BODIES,
    LANGUAGES,
    SUBJECTS,
    accepted_languages,
    pick_language,
    sign_in_mail,
)

LINK = "https://townhall.example/e/town-hall#verify=abc"


@pytest.mark.parametrize("language", LANGUAGES)
def test_sign_in_mail_every_language_has_title_minutes_and_link(language: str) -> None:
    text = sign_in_mail(language, title="Town hall", minutes=15, link=LINK)

    assert text.language == language
    assert "Town hall" in text.subject
    assert ("Town hall" in text.body, "15" in text.body) == (True, True)
    assert f"\n{LINK}\n" in text.body  # alone on its line: left to right in any script


def test_sign_in_mail_texts_are_translations_not_english_copies() -> None:
    assert len({*SUBJECTS.values()}) == len(LANGUAGES)
    assert len({*BODIES.values()}) == len(LANGUAGES)
    assert set(SUBJECTS) == set(BODIES) == set(LANGUAGES)


def test_sign_in_mail_arabic_body_is_arabic_script() -> None:
    body = sign_in_mail("ar", title="T", minutes=15, link=LINK).body

    assert len(re.findall(r"[\u0600-\u06ff]", body)) > 50


def test_sign_in_mail_unknown_language_is_english() -> None:
    assert sign_in_mail("de", title="T", minutes=15, link=LINK).language == "en"


def test_accepted_languages_orders_by_weight_and_drops_q_zero() -> None:
    header = "de-CH, fr;q=0.8, ar-EG;q=0.9, en;q=0, zh-Hans-CN;q=bad"

    assert accepted_languages(header) == ["de", "ar", "fr"]


@pytest.mark.parametrize(
    ("requested", "header", "event", "expected"),
    [
        ("fr", "ar", ["es"], "fr"),  # the page's language first
        ("FR-ca", None, [], "fr"),
        ("xx", "de, ru;q=0.5", ["es"], "ru"),  # an unknown one: the browser's
        (None, "de", ["es", "en"], "es"),  # none of the six accepted: the event's first
        (None, None, ["de"], "en"),  # nothing known: English
    ],
)
def test_pick_language_falls_back_in_order(
    requested: str | None, header: str | None, event: list[str], expected: str
) -> None:
    assert pick_language(requested, header, event) == expected
