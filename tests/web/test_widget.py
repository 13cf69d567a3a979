"""The media partners' widget: server-rendered, small, framable by any site (only it), in the
reader's language."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser

import httpx
from conftest import Database, ServerFactory
from records import seed_with_record
from sqlalchemy import update

from townhall.domain.record import Group, Recording, Wording
from townhall.settings import PROJECT_ROOT
from townhall.store.db import create_engine, session_factory
from townhall.store.demo_record import RECORD_SLUG
from townhall.store.tables import Event
from townhall.web.widget import WIDGET_ANSWERED, Page, shorten

LIMIT = 20 * 1024
STATIC = PROJECT_ROOT / "frontend"


class Texts(HTMLParser):
    """The text of each <q> and the attributes of <html>."""

    def __init__(self) -> None:
        super().__init__()
        self.quotes: list[tuple[str | None, str]] = []
        self.root: dict[str, str | None] = {}
        self._in_q: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "html":
            self.root = dict(attrs)
        if tag == "q":
            self._in_q = dict(attrs).get("lang") or ""

    def handle_data(self, data: str) -> None:
        if self._in_q is not None:
            self.quotes.append((self._in_q or None, data))
            self._in_q = None


def parse(html: str) -> Texts:
    texts = Texts()
    texts.feed(html)
    return texts


async def test_widget_live_shows_the_question_on_stage_and_the_next_three(
    database: Database, start_server: ServerFactory
) -> None:
    demo = await seed_with_record(database)
    server = await start_server(database)
    key = {"Authorization": f"Bearer {demo.moderator_key}"}
    texts = [
        "Which reform of the Security Council do you favour?",
        "How would you fund development goals by 2030?",
        "What will you do about refugees crossing the Mediterranean?",
        "How will you strengthen the World Health Organization?",
        "Will you visit every region in your first year?",
    ]
    async with httpx.AsyncClient(base_url=server.base_url) as http:
        ids = []
        for number, text in enumerate(texts):
            asked = await http.post(
                f"/api/events/{demo.slug}/actions/submit_question",
                json={"client_id": f"w{number}", "text": text},
            )
            ids.append(asked.json()["result"]["question_id"])
        await http.post(
            f"/api/events/{demo.slug}/actions/mark_answering",
            json={"client_id": "st", "question_id": ids[2]},
            headers=key,
        )
        english = await http.get(f"/e/{demo.slug}/widget")
        arabic = await http.get(f"/e/{demo.slug}/widget", headers={"Accept-Language": "ar;q=0.9"})
        french = await http.get(f"/e/{demo.slug}/widget?lang=fr", headers={"Accept-Language": "ar"})

    page = parse(english.text)
    assert [text for _, text in page.quotes] == [texts[2], texts[0], texts[1], texts[3]]
    assert english.headers["content-language"] == "en"
    assert page.root == {"lang": "en", "dir": "ltr"}
    assert parse(arabic.text).root == {"lang": "ar", "dir": "rtl"}
    assert "تتم الإجابة الآن" in arabic.text
    assert parse(french.text).root["lang"] == "fr"
    assert "En cours de réponse" in french.text


async def test_widget_after_the_event_shows_the_record_with_recording_links(
    database: Database, start_server: ServerFactory
) -> None:
    await seed_with_record(database)
    server = await start_server(database)

    async with httpx.AsyncClient(base_url=server.base_url) as http:
        page = await http.get(f"/e/{RECORD_SLUG}/widget?lang=fr")

    assert page.status_code == 200
    quotes = parse(page.text).quotes
    # The French wording of the merged group, for a French reader.
    assert quotes[0] == (
        "fr",
        "Comment renforceriez-vous la réponse de l'ONU à la prochaine pandémie ?",
    )
    assert len(quotes) == 4
    assert page.text.count("https://media.un.org/en/asset/k1d/k1demo0000#t=") == 4
    assert f'href="{server.base_url}/e/{RECORD_SLUG}/record#q-1"' in page.text
    assert "Buy cheap followers" not in page.text


async def test_widget_before_and_cancelled(database: Database, start_server: ServerFactory) -> None:
    await seed_with_record(database)
    engine = create_engine(database.url, schema=database.schema)
    async with session_factory(engine, write=True)() as session, session.begin():
        await session.execute(
            update(Event).where(Event.slug == "dialogue-diallo").values(status="cancelled")
        )
    await engine.dispose()
    server = await start_server(database)

    async with httpx.AsyncClient(base_url=server.base_url) as http:
        later = await http.get("/e/dialogue-herrera/widget")
        cancelled = await http.get("/e/dialogue-diallo/widget")
        missing = await http.get("/e/nope/widget")

    assert 'data-status="scheduled"' in later.text
    assert "This event was cancelled." in cancelled.text
    assert missing.status_code == 404


def test_widget_stays_under_20_kb_at_its_largest() -> None:
    """A finished event's widget at its largest: the most rows it shows, each a question of
    the longest allowed in Arabic (two bytes a letter), with a recording link; plus its style
    sheet and script."""
    moment = datetime(2026, 12, 1, 15, 0, tzinfo=UTC)
    longest = "س" * 500
    groups = [
        Group(
            n,
            "answered",
            99,
            (Wording(n, longest, "ar", moment),),
            (moment + timedelta(minutes=n),),
        )
        for n in range(1, WIDGET_ANSWERED + 40)
    ]
    recording = Recording("https://www.youtube.com/watch?v=" + "x" * 400, moment)
    page = Page("ar", "https://townhall.example.org", "a-rather-long-event-slug-" + "x" * 50)
    html = page.document("ع" * 200, "ended", page.ended(groups, recording, "America/New_York"))
    assets = [STATIC / "css" / "widget.css", STATIC / "js" / "widget.js"]

    total = len(html.encode()) + sum(len(path.read_bytes()) for path in assets)

    assert total < LIMIT, total


def test_shorten_cuts_long_questions_at_a_space() -> None:
    assert shorten("word " * 100, 24) == "word word word word…"
    assert shorten("短" * 30, 24) == "短" * 24 + "…"
    assert shorten("Short enough?", 24) == "Short enough?"
