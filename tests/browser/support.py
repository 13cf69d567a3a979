"""Helpers for the browser tests: the running event and waits on pages and on the server."""

from __future__ import annotations

import asyncio
import itertools
import re
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import httpx
from conftest import Database
from playwright.async_api import Browser, BrowserContext, Page, expect
from sqlalchemy import func, select

from townhall.domain.passwords import hash_password
from townhall.settings import PROJECT_ROOT
from townhall.store.db import create_engine, session_factory
from townhall.store.tables import Organiser, Question, Vote

AXE = PROJECT_ROOT / "node_modules" / "axe-core" / "axe.min.js"
SCREENSHOTS = PROJECT_ROOT / "docs" / "screenshots"
ORGANISER_EMAIL = "org@example.org"
ORGANISER_PASSWORD = "correct horse battery staple"

_client_ids = itertools.count(1)

# Runs in every page and frame before its own scripts (a DevTools injection, exempt from CSP).
CSP_LISTENER = """
document.addEventListener('securitypolicyviolation', (e) => {
  window.__townhallCsp(`${location.pathname}: CSP violation: ${e.violatedDirective} blocked `
    + `${e.blockedURI || 'inline'} (${e.sourceFile}:${e.lineNumber})`);
});
"""


@dataclass
class Screens:
    """Opens pages, each in a browser context of its own (its own cookies: its own person),
    and fails the test if a page threw an uncaught error or broke its Content-Security-Policy
    (an inline script or style, a connection elsewhere: caught by the page's
    `securitypolicyviolation` event and by Chromium's console)."""

    browser: Browser
    contexts: list[BrowserContext] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    async def open(
        self, url: str | None, *, width: int = 1280, height: int = 800, locale: str = "en-US"
    ) -> Page:
        """A new person's page, at `url` (or blank, to set up routes before going there);
        `locale` is the browser's language (navigator.languages and Accept-Language)."""
        context = await self.browser.new_context(
            viewport={"width": width, "height": height},
            locale=locale,
            timezone_id="America/New_York",
        )
        self.contexts.append(context)
        await context.expose_function("__townhallCsp", lambda text: self.errors.append(text))
        await context.add_init_script(CSP_LISTENER)
        page = await context.new_page()
        page.on("pageerror", lambda error: self.errors.append(f"{page.url}: {error}"))
        page.on(
            "console",
            lambda message: (
                self.errors.append(f"{page.url}: {message.text}")
                if message.type == "error" and "Content Security Policy" in message.text
                else None
            ),
        )
        if url is not None:
            await page.goto(url)
        return page


@dataclass(frozen=True)
class LiveEvent:
    """The seeded demo's open event on a running server, with HTTP helpers that act as
    other people (each call without a cookie is a new participant)."""

    base_url: str
    slug: str
    code: str
    moderator_key: str
    database: Database

    @property
    def participant_url(self) -> str:
        return f"{self.base_url}/e/{self.slug}"

    @property
    def moderator_url(self) -> str:
        return f"{self.base_url}/e/{self.slug}/moderate#key={self.moderator_key}"

    async def act(self, action: str, *, moderator: bool = False, **fields: Any) -> dict[str, Any]:
        headers = {"Authorization": f"Bearer {self.moderator_key}"} if moderator else {}
        async with httpx.AsyncClient(base_url=self.base_url) as http:
            response = await http.post(
                f"/api/events/{self.slug}/actions/{action}",
                json={"client_id": f"http-{next(_client_ids)}", **fields},
                headers=headers,
            )
        assert response.status_code == 200, response.text
        result: dict[str, Any] = response.json()["result"]
        return result

    async def ask(self, text: str) -> int:
        """A new participant asks `text`; returns the question id."""
        return int((await self.act("submit_question", text=text))["question_id"])

    async def queue(self, *, moderator: bool = False) -> dict[str, Any]:
        headers = {"Authorization": f"Bearer {self.moderator_key}"} if moderator else {}
        async with httpx.AsyncClient(base_url=self.base_url) as http:
            response = await http.get(f"/api/events/{self.slug}/queue", headers=headers)
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    async def votes(self, question_id: int) -> int:
        """The vote count the public queue shows for `question_id`."""
        body = await self.queue()
        items = [*body["open"], *body["answered"]]
        if body["now_answering"]:
            items.append(body["now_answering"])
        return int(next(item["votes"] for item in items if item["id"] == question_id))

    async def similar(self, text: str) -> list[int]:
        async with httpx.AsyncClient(base_url=self.base_url) as http:
            response = await http.get(f"/api/events/{self.slug}/similar", params={"text": text})
        assert response.status_code == 200, response.text
        return [item["id"] for item in response.json()["similar"]]

    async def wait_until_suggested(self, text: str, question_id: int) -> None:
        """Suggestions need the question embedded by the dedup worker first."""

        async def suggested() -> bool:
            return question_id in await self.similar(text)

        await eventually(suggested, what=f"question {question_id} suggested for {text!r}")

    async def vote_rows(self, question_id: int) -> int:
        """Rows in the votes table for `question_id`, read from the database directly."""
        engine = create_engine(self.database.url, schema=self.database.schema)
        try:
            async with session_factory(engine)() as session:
                count = await session.scalar(
                    select(func.count()).select_from(Vote).where(Vote.question_id == question_id)
                )
        finally:
            await engine.dispose()
        return int(count or 0)

    async def dedup_done(self) -> bool:
        """Whether the dedup worker has been through every question (languages set, merges made)."""
        engine = create_engine(self.database.url, schema=self.database.schema)
        try:
            async with session_factory(engine)() as session:
                waiting = await session.scalar(
                    select(func.count())
                    .select_from(Question)
                    .where(Question.dedup_state == "pending")
                )
        finally:
            await engine.dispose()
        return not waiting

    async def question_count(self) -> int:
        engine = create_engine(self.database.url, schema=self.database.schema)
        try:
            async with session_factory(engine)() as session:
                count = await session.scalar(select(func.count()).select_from(Question))
        finally:
            await engine.dispose()
        return int(count or 0)

    async def add_organiser(self, *, admin: bool = False) -> None:
        """An organiser account; an admin may change the demo series (which has its owner)."""
        engine = create_engine(self.database.url, schema=self.database.schema)
        try:
            async with session_factory(engine, write=True)() as session, session.begin():
                session.add(
                    Organiser(
                        email=ORGANISER_EMAIL,
                        name="Nadia Rahman",
                        password_hash=hash_password(ORGANISER_PASSWORD),
                        created_at=datetime.now(UTC),
                        is_admin=admin,
                    )
                )
        finally:
            await engine.dispose()


async def eventually(
    check: Callable[[], Awaitable[bool]], *, within: float = 10.0, what: str = "condition"
) -> None:
    """Poll `check` until it holds (for server-side state the pages cannot show)."""
    deadline = time.monotonic() + within
    while not await check():
        assert time.monotonic() < deadline, f"{what}: not reached within {within} s"
        await asyncio.sleep(0.1)


async def participant_ready(page: Page) -> None:
    """The snapshot arrived: the "Now answering" region no longer says "Connecting…"."""
    now = page.get_by_role("region", name="Now answering")
    await expect(now).not_to_contain_text("Connecting")


async def moderator_ready(page: Page) -> None:
    """The snapshot arrived: the queue's heading carries its count, "Queue (n)"."""
    await expect(page.get_by_role("heading", name=re.compile(r"^Queue \(\d+\)$"))).to_be_visible()


DEMO_QUESTIONS = (
    # (text, extra votes)
    ("How will you make the Security Council more representative of today's world?", 6),
    ("How will you protect civic space for human rights defenders and journalists?", 4),
    (
        "What would you do in your first hundred days to put the Sustainable Development "
        "Goals back on track, given that most targets are now off course?",
        3,
    ),
    ("How will you fund climate adaptation in small island developing states?", 2),
    ("Will you commit to gender parity at every level of the Secretariat?", 0),
    ("What is your plan for reforming peacekeeping mandates?", 1),
)


async def populate(live_event: LiveEvent) -> dict[str, int]:
    """A lively event: questions with votes, one being answered, one answered. Returns the
    question ids by text."""
    ids = {text: await live_event.ask(text) for text, _ in DEMO_QUESTIONS}
    for text, extra in DEMO_QUESTIONS:
        for _ in range(extra):
            await live_event.act("vote", question_id=ids[text])
    answered, answering = ids[DEMO_QUESTIONS[4][0]], ids[DEMO_QUESTIONS[5][0]]
    await live_event.act("mark_answering", moderator=True, question_id=answered)
    await live_event.act("mark_answered", moderator=True, question_id=answered)
    await live_event.act("mark_answering", moderator=True, question_id=answering)
    return ids


AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


async def axe_violations(page: Page) -> list[str]:
    """Runs axe-core (WCAG 2.1 A and AA rules) on the page; one line per failing node."""
    # Evaluated through DevTools, not added as a <script>: the pages' CSP would refuse that.
    await page.evaluate(AXE.read_text() + "\n;0")
    result = await page.evaluate(
        """async (tags) => {
            const r = await axe.run(document, {runOnly: {type: 'tag', values: tags}});
            return r.violations;
        }""",
        AXE_TAGS,
    )
    return [
        f"{violation['id']} ({violation['impact']}): {violation['help']} at "
        f"{node['target']}: {node['failureSummary']}"
        for violation in result
        for node in violation["nodes"]
    ]
