"""The pages' catalogues served as one module per language (web/catalogue.py)."""

from __future__ import annotations

import httpx
from conftest import Database, ServerFactory

from townhall.web.catalogue import catalogue_module


async def test_catalogue_one_module_per_language_cached_by_etag(
    sqlite_database: Database, start_server: ServerFactory
) -> None:
    server = await start_server(sqlite_database)
    async with httpx.AsyncClient(base_url=server.base_url) as http:
        served = await http.get("/static/js/messages/ar.js")
        again = await http.get(
            "/static/js/messages/ar.js", headers={"If-None-Match": served.headers["etag"]}
        )
        unknown = await http.get("/static/js/messages/xx.js")
        part = await http.get("/static/js/messages/ar/home.js")

    assert served.status_code == 200
    assert served.headers["content-type"] == "text/javascript; charset=utf-8"
    assert served.headers["cache-control"].startswith("public, max-age=")
    assert (served.content, served.headers["etag"]) == catalogue_module("ar")
    assert (again.status_code, again.content) == (304, b"")
    assert unknown.status_code == 404
    assert part.status_code == 200  # the parts stay reachable as the folder's own modules
