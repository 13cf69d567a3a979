"""The UI's message catalogues: every language as complete as English, placeholders intact,
every plural form its language can select, and a key for every code the server sends.
A language's catalogue is a folder, frontend/js/messages/<lang>/: a part per concept (the same
parts, holding the same keys, in every language), merged by the server into the one module
the pages import (townhall/web/catalogue.py)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from townhall.settings import PROJECT_ROOT
from townhall.web.catalogue import catalogue_module

MESSAGES = PROJECT_ROOT / "frontend" / "js" / "messages"
LANGUAGES = ("en", "fr", "ar", "zh", "ru", "es")

# CLDR plural categories (cardinal) that Intl.PluralRules selects for each language. French and
# Spanish also select `many` (1,000,000 and up); t() in i18n.js falls back to `other` for it,
# so those two may leave it out.
REQUIRED_FORMS = {
    "en": {"one", "other"},
    "fr": {"one", "other"},
    "es": {"one", "other"},
    "ar": {"zero", "one", "two", "few", "many", "other"},
    "ru": {"one", "few", "many", "other"},
    "zh": {"other"},
}
ALLOWED_FORMS = {**REQUIRED_FORMS, "fr": {"one", "many", "other"}, "es": {"one", "many", "other"}}

_STRING = r"'[^'\\]*'|\"[^\"\\]*\""
_ENTRY = re.compile(rf"^  (\w+): (\{{.*\}}|{_STRING}),$")
_FORM = re.compile(rf"(\w+): ({_STRING})")
_PLACEHOLDER = re.compile(r"\{(\w+)\}")

Entry = str | dict[str, str]


def parts(language: str) -> list[Path]:
    """A language's part files (one per concept)."""
    return sorted((MESSAGES / language).glob("*.js"))


def part(path: Path) -> dict[str, Entry]:
    """Reads one part; its lines keep one strict shape so that this stays a parser."""
    return entries_of(f"{path.parent.name}/{path.name}", path.read_text(encoding="utf-8"))


def entries_of(name: str, text: str) -> dict[str, Entry]:
    lines = text.splitlines()
    assert (lines[:1], lines[-1:]) == (["export default {"], ["};"]), f"{name}: not one object"
    entries: dict[str, Entry] = {}
    for number, line in enumerate(lines[1:-1], 2):
        if line.startswith("  //") or not line:
            continue
        match = _ENTRY.match(line)
        assert match, f"{name}:{number} is not `  key: 'text',` or a plural object"
        key, value = match.groups()
        assert key not in entries, f"{name}:{number} repeats {key}"
        if value.startswith("{"):
            entries[key] = {form: text[1:-1] for form, text in _FORM.findall(value)}
        else:
            entries[key] = value[1:-1]
    return entries


def catalogue(language: str) -> dict[str, Entry]:
    """A language's catalogue: all its parts, no key in two of them."""
    entries: dict[str, Entry] = {}
    for path in parts(language):
        found = part(path)
        assert not found.keys() & entries.keys(), (
            f"{language}/{path.name} repeats {sorted(found.keys() & entries.keys())}"
        )
        entries |= found
    return entries


def placeholders(entry: Entry) -> set[str]:
    texts = entry.values() if isinstance(entry, dict) else [entry]
    return {name for text in texts for name in _PLACEHOLDER.findall(text)}


@pytest.mark.parametrize("language", LANGUAGES[1:])
def test_catalogues_every_language_has_the_keys_of_english(language: str) -> None:
    english, other = set(catalogue("en")), set(catalogue(language))

    assert len(english) > 400
    assert (english - other, other - english) == (set(), set())


@pytest.mark.parametrize("language", LANGUAGES[1:])
def test_catalogues_placeholders_match_english(language: str) -> None:
    english, other = catalogue("en"), catalogue(language)

    differ = {
        key: (placeholders(english[key]), placeholders(other[key]))
        for key in english.keys() & other.keys()
        if placeholders(english[key]) != placeholders(other[key])
    }

    assert differ == {}


@pytest.mark.parametrize("language", LANGUAGES)
def test_catalogues_plural_entries_have_every_form_the_language_selects(language: str) -> None:
    english, other = catalogue("en"), catalogue(language)

    wrong = {
        key: sorted(other[key].keys() if isinstance(other[key], dict) else ["(not plural)"])
        for key, entry in english.items()
        if isinstance(entry, dict)
        and (
            not isinstance(other.get(key), dict)
            or not REQUIRED_FORMS[language] <= set(other[key])  # type: ignore[arg-type]
            or not set(other[key]) <= ALLOWED_FORMS[language]  # type: ignore[arg-type]
        )
    }

    assert wrong == {}


def test_catalogues_plural_forms_come_from_cldr_as_chromium_has_them() -> None:
    """The same lists as `new Intl.PluralRules(lang).resolvedOptions().pluralCategories` in the
    Chromium the browser tests use (tests/browser/test_languages.py checks it live)."""
    assert {lang: sorted(ALLOWED_FORMS[lang]) for lang in ("ar", "ru", "zh")} == {
        "ar": ["few", "many", "one", "other", "two", "zero"],
        "ru": ["few", "many", "one", "other"],
        "zh": ["other"],
    }


# --- every code the server can send has a translation --------------------------------------
_SOURCE = PROJECT_ROOT / "townhall"
_REFUSAL = re.compile(r"\b(?:ActionRefused|BadJson|problem)\(\s*(?:\d+\s*,\s*)?\"([a-z_]+)\"")
_WS_ERROR = re.compile(r"\b(?:messages\.error|revoke)\(\s*\"([a-z_]+)\"")
_CONSTANT = re.compile(r"^[A-Z_]+ = \"([a-z_]+_limit)\"$", re.MULTILINE)
_BODY_CODE = re.compile(r"\"code\": \"([a-z_]+)\"")


def _scan(pattern: re.Pattern[str]) -> set[str]:
    """Codes in the served package (the bench's own reports never reach a page)."""
    return {
        code
        for path in _SOURCE.rglob("*.py")
        if "bench" not in path.relative_to(_SOURCE).parts
        for code in pattern.findall(path.read_text())
    }


def server_refusal_codes() -> set[str]:
    return _scan(_REFUSAL) | _scan(_CONSTANT) | _scan(_BODY_CODE)


def server_error_codes() -> set[str]:
    return _scan(_WS_ERROR)


def test_catalogues_scan_finds_the_codes_the_server_sends() -> None:
    """Guards the scan itself: a regex that matched nothing would pass every language."""
    refusals, errors = server_refusal_codes(), server_error_codes()

    assert {"invalid_text", "new_identity_limit", "too_deep", "too_large", "bad_credentials"} <= (
        refusals
    )
    assert {"bad_hello", "flood", "key_rotated", "slow_down"} <= errors


@pytest.mark.parametrize("language", LANGUAGES)
def test_catalogues_translate_every_server_code(language: str) -> None:
    keys = set(catalogue(language))
    wanted = {f"refused_{code}" for code in server_refusal_codes()} | {
        f"error_{code}" for code in server_error_codes()
    }

    assert sorted(wanted - keys) == []
    assert {"refused_other", "error_other"} <= keys


def test_catalogues_are_loaded_on_demand_not_bundled() -> None:
    """Each catalogue is a module of its own, imported by i18n.js for the chosen language
    only (the server merges the language's parts into it: web/catalogue.py)."""
    i18n = (PROJECT_ROOT / "frontend" / "js" / "i18n.js").read_text()
    pages = [p.read_text() for p in Path(PROJECT_ROOT / "frontend").glob("*.html")]

    assert "import(`./messages/${code}.js`)" in i18n
    assert [p for p in pages if "messages/" in p] == []


@pytest.mark.parametrize("language", LANGUAGES)
def test_catalogues_served_module_holds_every_part_of_the_language(language: str) -> None:
    """A part left out would pass the other tests yet be missing in the browser."""
    served = catalogue_module(language)[0].decode("utf-8")

    assert entries_of(f"{language}.js (served)", served) == catalogue(language)


@pytest.mark.parametrize("language", LANGUAGES[1:])
def test_catalogues_every_language_splits_its_keys_as_english_does(language: str) -> None:
    """The same part files in every language, each holding the keys it holds in English."""
    english = {path.name: set(part(path)) for path in parts("en")}
    other = {path.name: set(part(path)) for path in parts(language)}

    assert len(english) > 1
    assert sorted(other) == sorted(english)
    assert {
        name: sorted(keys ^ other[name]) for name, keys in english.items() if keys != other[name]
    } == {}


@pytest.mark.parametrize("language", LANGUAGES)
def test_catalogues_name_every_refusal_of_the_invitation_list(language: str) -> None:
    # The organiser console shows `org_err_<code>`; `invalid` carries the line at fault in its
    # message, shown as it is.
    source = (PROJECT_ROOT / "townhall" / "actions" / "invitations.py").read_text()
    codes = set(re.findall(r'ActionRefused\(\s*"(\w+)"', source)) - {"invalid"}

    assert codes
    assert {code for code in codes if f"org_err_{code}" not in catalogue(language)} == set()
