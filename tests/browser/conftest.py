"""Browser tests: the real pages in Debian's Chromium, driven by Playwright, against real
servers (uvicorn in-process, real SQLite, the real embedding model).

Prerequisites (`make browser-deps`, which `make test` runs): /usr/bin/chromium and
node_modules/axe-core. When either is missing these tests fail and say what to install;
they skip only when TOWNHALL_SKIP_BROWSER=1 is set. TOWNHALL_SCREENSHOTS=1 makes the
screenshot test rewrite docs/screenshots/*.png.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from browser.support import AXE, LiveEvent, Screens
from conftest import Database, ServerFactory, seed
from playwright.async_api import Browser, async_playwright, expect

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SKIP = os.environ.get("TOWNHALL_SKIP_BROWSER") == "1"
HERE = Path(__file__).resolve().parent

expect.set_options(timeout=5_000)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if not SKIP:
        return
    marker = pytest.mark.skip(reason="TOWNHALL_SKIP_BROWSER=1")
    for item in items:
        if HERE in Path(str(item.path)).resolve().parents:
            item.add_marker(marker)


def _missing_prerequisites() -> list[str]:
    missing = []
    if not CHROMIUM.exists():
        missing.append(
            f"Chromium is not installed ({CHROMIUM} is missing): run `make browser-deps` as "
            "root, or `apt-get install chromium`"
        )
    if not AXE.exists():
        missing.append(f"axe-core is not installed ({AXE} is missing): run `npm ci`")
    return missing


@pytest.fixture(scope="session")
async def browser() -> AsyncIterator[Browser]:
    """One Chromium for the whole session; each test opens its own contexts."""
    missing = _missing_prerequisites()
    if missing:
        pytest.fail(
            "browser tests need: "
            + "; ".join(missing)
            + " (set TOWNHALL_SKIP_BROWSER=1 to skip them instead)",
            pytrace=False,
        )
    async with async_playwright() as playwright:
        chromium = await playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS
        )
        yield chromium
        await chromium.close()


@pytest.fixture
async def screens(browser: Browser) -> AsyncIterator[Screens]:
    opened = Screens(browser)
    yield opened
    # What the pages threw while the test ran: closing a page that is still importing (its
    # catalogue's parts, say) aborts the import, an error of the teardown, not of the page.
    errors = list(opened.errors)
    for context in opened.contexts:
        await context.close()
    assert errors == []


@pytest.fixture
async def live_event(sqlite_database: Database, start_server: ServerFactory) -> LiveEvent:
    demo = await seed(sqlite_database)
    server = await start_server(sqlite_database)
    return LiveEvent(server.base_url, demo.slug, demo.code, demo.moderator_key, sqlite_database)
