"""The pages under their Content-Security-Policy, and framing by other sites.

`Screens` (browser/support.py) records every CSP violation a page reports, in every browser
test; here each page is opened on its own, the detector is shown to catch an inline script, and
framing is checked from a page on another origin.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Iterable

from browser.support import (
    ORGANISER_EMAIL,
    ORGANISER_PASSWORD,
    LiveEvent,
    Screens,
    moderator_ready,
    participant_ready,
)
from conftest import Database, ServerFactory, seed
from playwright.async_api import Frame, Page, Route, expect


async def test_pages_break_no_content_security_policy(
    live_event: LiveEvent, screens: Screens
) -> None:
    await live_event.ask("Will every page keep to its Content-Security-Policy?")
    await live_event.add_organiser()

    home = await screens.open(f"{live_event.base_url}/")
    await expect(home.get_by_label("Event code")).to_be_visible()
    participant = await screens.open(live_event.participant_url)
    await participant_ready(participant)
    await expect(participant.locator("#queue > li")).to_have_count(1)
    moderator = await screens.open(live_event.moderator_url)
    await moderator_ready(moderator)
    stage = await screens.open(f"{live_event.participant_url}/stage")
    await expect(stage.locator("#stage-qr")).to_have_attribute(
        "src", f"/e/{live_event.slug}/qr.svg"
    )
    schedule = await screens.open(f"{live_event.base_url}/s/sg-dialogues")
    await expect(schedule.get_by_role("heading", name="Upcoming")).to_be_visible()
    organiser = await screens.open(f"{live_event.base_url}/organise")
    await organiser.get_by_label("Email", exact=True).fill(ORGANISER_EMAIL)
    await organiser.get_by_label("Password", exact=True).fill(ORGANISER_PASSWORD)
    await organiser.get_by_role("button", name="Sign in").click()
    await expect(organiser.get_by_role("heading", name="Series")).to_be_visible()

    assert screens.errors == []


async def test_pages_csp_violation_is_detected(live_event: LiveEvent, screens: Screens) -> None:
    """The detector itself: the stage page, served with an inline script added, is caught."""
    page = await screens.open(None)

    async def with_inline_script(route: Route) -> None:
        response = await route.fetch()
        body = (await response.text()).replace("</body>", "<script>document.title='x'</script>")
        await route.fulfill(response=response, body=body)

    await page.route(f"{live_event.participant_url}/stage", with_inline_script)
    await page.goto(f"{live_event.participant_url}/stage")
    await expect(page.locator("#stage-qr")).to_have_attribute("src", f"/e/{live_event.slug}/qr.svg")

    found = [error for error in screens.errors if "script-src" in error]
    assert found != [] and await page.title() != "x"
    screens.errors.clear()


@contextlib.asynccontextmanager
async def other_site() -> AsyncIterator[tuple[str, dict[str, str]]]:
    """A plain HTTP server on another origin (127.0.0.1, another port): its page at `/` frames
    each URL put in the dict it yields, by name."""
    urls: dict[str, str] = {}

    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readuntil(b"\r\n\r\n")
        frames = "".join(f'<iframe name="{n}" src="{u}"></iframe>' for n, u in urls.items())
        body = f"<!doctype html><title>Another site</title>{frames}".encode()
        head = f"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: {len(body)}\r\n"
        writer.write(head.encode() + b"Connection: close\r\n\r\n" + body)
        await writer.drain()
        writer.close()

    server = await asyncio.start_server(serve, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    async with server:
        yield f"http://127.0.0.1:{port}", urls


async def _frames(page: Page, origin: str, names: Iterable[str]) -> dict[str, Frame]:
    await page.goto(f"{origin}/")
    found: dict[str, Frame] = {}
    for name in names:
        frame = page.frame(name=name)
        assert frame is not None
        await frame.wait_for_load_state()
        found[name] = frame
    return found


async def _shows(frame: Frame, selector: str) -> bool:
    try:
        return bool(await frame.evaluate("(s) => document.querySelector(s) !== null", selector))
    except Exception:  # a refused frame holds Chromium's error page, closed to scripts
        return False


async def test_moderator_console_refuses_cross_origin_frame(
    live_event: LiveEvent, screens: Screens
) -> None:
    page = await screens.open(None)

    async with other_site() as (origin, urls):
        urls["moderator"] = live_event.moderator_url
        urls["stage"] = f"{live_event.participant_url}/stage"
        frames = await _frames(page, origin, urls)

    assert (
        await _shows(frames["moderator"], "#queue"),
        await _shows(frames["stage"], "#stage-now"),
    ) == (
        False,
        False,
    )
    refused = [error for error in screens.errors if "frame-ancestors 'none'" in error]
    assert len(refused) == 2
    screens.errors.clear()


async def test_stage_and_schedule_embed_where_the_organiser_allows(
    sqlite_database: Database, start_server: ServerFactory, screens: Screens
) -> None:
    demo = await seed(sqlite_database)
    page = await screens.open(None)

    async with other_site() as (origin, urls):
        server = await start_server(sqlite_database, frame_ancestors=origin)
        urls["stage"] = f"{server.base_url}/e/{demo.slug}/stage"
        urls["schedule"] = f"{server.base_url}/s/sg-dialogues"
        urls["moderator"] = f"{server.base_url}/e/{demo.slug}/moderate#key={demo.moderator_key}"
        frames = await _frames(page, origin, urls)

    assert (
        await _shows(frames["stage"], "#stage-now"),
        await _shows(frames["schedule"], "main"),
        await _shows(frames["moderator"], "#queue"),
    ) == (True, True, False)
    refused = [error for error in screens.errors if "frame-ancestors" in error]
    assert len(refused) == 1 and "frame-ancestors 'none'" in refused[0]  # the moderator's
    screens.errors.clear()
