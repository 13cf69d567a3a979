"""Security headers on every HTTP response; framing only where the organiser allows it."""

from __future__ import annotations

import httpx
import pytest
from conftest import Database, ServerFactory, seed

from townhall.web.security import EMBEDDABLE, FRAMABLE_ANYWHERE, content_security_policy


def _csp(origin: str, frame_ancestors: str) -> str:
    socket = origin.replace("http://", "ws://")
    return (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        f"connect-src 'self' {socket}; object-src 'none'; base-uri 'none'; "
        f"form-action 'self'; frame-ancestors {frame_ancestors}"
    )


async def test_security_headers_on_every_response(
    sqlite_database: Database, start_server: ServerFactory
) -> None:
    demo = await seed(sqlite_database)
    server = await start_server(sqlite_database)
    paths = [
        "/",
        f"/e/{demo.slug}",
        f"/e/{demo.slug}/moderate",
        "/organise",
        "/static/js/live.js",
        "/api/events",
        f"/api/events/{demo.slug}/queue",
        f"/e/{demo.slug}/qr.svg",
        "/api/events/nope",  # 404
        "/no/such/page",
        "/healthz",
    ]

    async with httpx.AsyncClient(base_url=server.base_url) as http:
        responses = [await http.get(path) for path in paths]
        refused = await http.post(f"/api/events/{demo.slug}/actions/vote", content=b"x" * 70_000)

    expected = {
        "content-security-policy": _csp(server.base_url, "'none'"),
        "x-content-type-options": "nosniff",
        "referrer-policy": "no-referrer",
        "x-frame-options": "DENY",
    }
    for response in [*responses, refused]:
        assert {name: response.headers.get(name) for name in expected} == expected, response.url


async def test_security_headers_embeddable_views_follow_the_setting(
    sqlite_database: Database, start_server: ServerFactory
) -> None:
    demo = await seed(sqlite_database)
    allowed = "https://organiser.example https://*.city.example"
    server = await start_server(sqlite_database, frame_ancestors=allowed)

    async with httpx.AsyncClient(base_url=server.base_url) as http:
        stage = await http.get(f"/e/{demo.slug}/stage")
        schedule = await http.get("/s/sg-dialogues")
        moderator = await http.get(f"/e/{demo.slug}/moderate")
        participant = await http.get(f"/e/{demo.slug}")

    for embeddable in (stage, schedule):
        assert embeddable.headers["content-security-policy"] == _csp(server.base_url, allowed)
        assert "x-frame-options" not in embeddable.headers
    for private in (moderator, participant):
        assert private.headers["content-security-policy"] == _csp(server.base_url, "'none'")
        assert private.headers["x-frame-options"] == "DENY"


@pytest.mark.parametrize(
    ("path", "embeddable"),
    [
        ("/e/town-hall/stage", True),
        ("/s/sg-dialogues", True),
        ("/e/town-hall/moderate", False),
        ("/e/town-hall", False),
        ("/e/town-hall/stage/extra", False),
        ("/organise", False),
        ("/api/series/sg-dialogues", False),
    ],
)
def test_embeddable_views_are_the_stage_and_the_schedule(path: str, embeddable: bool) -> None:
    assert bool(EMBEDDABLE.match(path)) is embeddable


def test_content_security_policy_uses_wss_for_an_https_origin() -> None:
    policy = content_security_policy("https://townhall.example.org", "")

    assert "connect-src 'self' wss://townhall.example.org;" in policy


async def test_security_headers_only_the_widget_is_framable_by_any_site(
    sqlite_database: Database, start_server: ServerFactory
) -> None:
    demo = await seed(sqlite_database)
    server = await start_server(sqlite_database)

    async with httpx.AsyncClient(base_url=server.base_url) as http:
        widget = await http.get(f"/e/{demo.slug}/widget")
        others = [
            await http.get(path)
            for path in (
                f"/e/{demo.slug}/record",
                f"/e/{demo.slug}",
                f"/e/{demo.slug}/stage",
                f"/api/events/{demo.slug}/record",
                "/records.atom",
                "/static/js/widget.js",
            )
        ]

    assert widget.headers["content-security-policy"] == _csp(server.base_url, "*")
    assert "x-frame-options" not in widget.headers
    for response in others:
        assert response.headers["x-frame-options"] == "DENY", response.url
        assert response.headers["content-security-policy"].endswith("frame-ancestors 'none'")


@pytest.mark.parametrize(
    ("path", "anywhere"),
    [
        ("/e/town-hall/widget", True),
        ("/e/town-hall/widget/", True),
        ("/e/town-hall/widget/extra", False),
        ("/e/town-hall/record", False),
        ("/x/e/town-hall/widget", False),
    ],
)
def test_framable_anywhere_is_the_widget_alone(path: str, anywhere: bool) -> None:
    assert bool(FRAMABLE_ANYWHERE.match(path)) is anywhere
