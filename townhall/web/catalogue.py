"""The pages' message catalogues (frontend/js/messages/<lang>/, a module per concept merged by
its index.js) read on the server, for the one page rendered there (the widget, which must work
without script): one set of translations for both. tests/test_catalogues.py keeps each line
`  key: 'text',` and every part of a folder imported by its index."""

from __future__ import annotations

import functools
import re

from townhall.web.pages import FRONTEND

LANGUAGES = ("en", "fr", "es", "ru", "zh", "ar")
RTL = frozenset({"ar"})
_ENTRY = re.compile(r"""^  (\w+): ('[^'\\]*'|"[^"\\]*"),$""")
_PLACEHOLDER = re.compile(r"\{(\w+)\}")


@functools.cache
def catalogue(language: str) -> dict[str, str]:
    """The plain (not plural) entries of a catalogue."""
    entries = {}
    for part in sorted((FRONTEND / "js" / "messages" / language).glob("*.js")):
        if part.name == "index.js":
            continue
        for line in part.read_text(encoding="utf-8").splitlines():
            match = _ENTRY.match(line)
            if match:
                entries[match.group(1)] = match.group(2)[1:-1]
    return entries


def translate(language: str, key: str, **values: str) -> str:
    text = catalogue(language).get(key) or catalogue("en").get(key, key)
    return _PLACEHOLDER.sub(lambda m: values.get(m.group(1), ""), text)


def choose_language(requested: str | None, accept_language: str | None) -> str:
    """`?lang=` when it is one of the six, else the first of Accept-Language (by q) that is."""
    if requested in LANGUAGES:
        return requested
    choices = []
    for position, item in enumerate((accept_language or "").split(",")):
        tag, _, params = item.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        base = tag.strip().lower().split("-")[0]
        if base in LANGUAGES and quality > 0:
            choices.append((-quality, position, base))
    return min(choices)[2] if choices else "en"
