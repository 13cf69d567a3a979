"""The pages' message catalogues (frontend/js/messages/<lang>/, a module per concept) read on
the server: for the one page rendered there (the widget, which must work without script), and
merged into one module per language for the pages, so that a phone fetches one file, not
fourteen. tests/test_catalogues.py keeps each line `  key: 'text',` and the same parts in every
language."""

from __future__ import annotations

import functools
import hashlib
import re
from pathlib import Path

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from townhall.web.pages import FRONTEND, STATIC_CACHE_CONTROL

MESSAGES = FRONTEND / "js" / "messages"

LANGUAGES = ("en", "fr", "es", "ru", "zh", "ar")
RTL = frozenset({"ar"})
_ENTRY = re.compile(r"""^  (\w+): ('[^'\\]*'|"[^"\\]*"),$""")
_PLACEHOLDER = re.compile(r"\{(\w+)\}")


def _parts(language: str) -> list[Path]:
    """The language's part files, a module per concept (the same files in every language)."""
    return sorted((MESSAGES / language).glob("*.js"))


@functools.cache
def catalogue(language: str) -> dict[str, str]:
    """The plain (not plural) entries of a catalogue."""
    entries = {}
    for part in _parts(language):
        for line in part.read_text(encoding="utf-8").splitlines():
            match = _ENTRY.match(line)
            if match:
                entries[match.group(1)] = match.group(2)[1:-1]
    return entries


@functools.cache
def catalogue_module(language: str) -> tuple[bytes, str]:
    """The language's parts as one module exporting one object, and its ETag."""
    lines = [
        "export default {",
        f"  // merged from frontend/js/messages/{language}/ (web/catalogue.py)",
    ]
    for part in _parts(language):
        part_lines = part.read_text(encoding="utf-8").splitlines()
        # Each part is `export default {`, its entries, `};` (tests/test_catalogues.py).
        lines.extend(part_lines[1:-1])
    lines.append("};")
    body = ("\n".join(lines) + "\n").encode("utf-8")
    return body, '"' + hashlib.sha256(body).hexdigest()[:32] + '"'


async def serve_catalogue(request: Request) -> Response:
    language = request.path_params["language"]
    if language not in LANGUAGES:
        return Response("no such catalogue", status_code=404, media_type="text/plain")
    body, etag = catalogue_module(language)
    headers = {"Cache-Control": STATIC_CACHE_CONTROL, "ETag": etag}
    if request.headers.get("if-none-match") == etag:
        return Response(status_code=304, headers=headers)
    return Response(body, media_type="text/javascript; charset=utf-8", headers=headers)


# Before the static files' mount, which serves the parts themselves.
routes = [Route("/static/js/messages/{language}.js", serve_catalogue)]


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
