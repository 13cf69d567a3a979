"""The pages' message catalogues (frontend/js/messages/<lang>/, a module per concept merged by
its index.js) read on the server: for the one page rendered there (the widget, which must work
without script), and served to the pages as one module per language, so that a phone fetches
one file, not fifteen in two waves. tests/test_catalogues.py keeps each line `  key: 'text',`
and every part of a folder imported by its index."""

from __future__ import annotations

import functools
import hashlib
import re

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from townhall.web.pages import FRONTEND, STATIC_CACHE_CONTROL

MESSAGES = FRONTEND / "js" / "messages"

LANGUAGES = ("en", "fr", "es", "ru", "zh", "ar")
RTL = frozenset({"ar"})
_ENTRY = re.compile(r"""^  (\w+): ('[^'\\]*'|"[^"\\]*"),$""")
_PLACEHOLDER = re.compile(r"\{(\w+)\}")


@functools.cache
def catalogue(language: str) -> dict[str, str]:
    """The plain (not plural) entries of a catalogue."""
    entries = {}
    for part in sorted((MESSAGES / language).glob("*.js")):
        if part.name == "index.js":
            continue
        for line in part.read_text(encoding="utf-8").splitlines():
            match = _ENTRY.match(line)
            if match:
                entries[match.group(1)] = match.group(2)[1:-1]
    return entries


_IMPORT = re.compile(r"^import \w+ from '\./([\w-]+\.js)';$")


@functools.cache
def catalogue_module(language: str) -> bytes:
    """The language's parts, in its index.js's order, as the one object the index exports."""
    folder = MESSAGES / language
    lines = [
        "export default {",
        f"  // merged from frontend/js/messages/{language}/ (web/catalogue.py)",
    ]
    for index_line in (folder / "index.js").read_text(encoding="utf-8").splitlines():
        match = _IMPORT.match(index_line)
        if match:
            part = (folder / match.group(1)).read_text(encoding="utf-8").splitlines()
            body = part[part.index("export default {") + 1 : len(part) - part[::-1].index("};") - 1]
            lines.extend(body)
    lines.append("};")
    return ("\n".join(lines) + "\n").encode("utf-8")


async def serve_catalogue(request: Request) -> Response:
    language = request.path_params["language"]
    if language not in LANGUAGES:
        return Response("no such catalogue", status_code=404, media_type="text/plain")
    body = catalogue_module(language)
    etag = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
    headers = {"Cache-Control": STATIC_CACHE_CONTROL, "ETag": etag}
    if request.headers.get("if-none-match") == etag:
        return Response(status_code=304, headers=headers)
    return Response(body, media_type="text/javascript; charset=utf-8", headers=headers)


# Before the static files' mount, which would serve the folders' index.js and parts.
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
