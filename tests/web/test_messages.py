"""The queue body as screens receive it, read from a real database (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from conftest import Database, seed
from sqlalchemy import select

from townhall.actions.views import load_queue
from townhall.store.db import create_engine, session_factory
from townhall.store.tables import Event, Participant, Question
from townhall.web.messages import queue_body

NOW = datetime(2026, 11, 24, 18, 0, tzinfo=UTC)
AUTHOR = "00000000-0000-4000-8000-0000000000a1"


def _question(event_id: int, text: str, language: str | None, minute: int, **more: Any) -> Question:
    return Question(
        event_id=event_id,
        author_id=AUTHOR,
        text=text,
        status=more.pop("status", "open"),
        language=language,
        created_at=NOW + timedelta(minutes=minute),
        **more,
    )


async def _store_group(database: Database) -> tuple[int, dict[str, int]]:
    """An English root with a Spanish wording (public) and an Arabic one still pending, plus a
    question whose language the dedup worker has not detected yet."""
    demo = await seed(database)
    engine = create_engine(database.url, schema=database.schema)
    try:
        async with session_factory(engine, write=True)() as session, session.begin():
            event = (
                await session.execute(select(Event).where(Event.slug == demo.slug))
            ).scalar_one()
            session.add(Participant(id=AUTHOR, created_at=NOW))
            root = _question(event.id, "How will you fund climate adaptation?", "en", 0)
            session.add(root)
            await session.flush()
            root.root_id = root.id
            spanish = _question(
                event.id,
                "¿Cómo financiará la adaptación al clima?",
                "es",
                1,
                canonical_id=root.id,
                root_id=root.id,
                similarity=0.97,
            )
            arabic = _question(
                event.id,
                "كيف ستمول التكيف مع المناخ؟",
                "ar",
                2,
                status="pending",
                canonical_id=root.id,
                root_id=root.id,
                similarity=0.95,
            )
            fresh = _question(event.id, "Will you publish your travel schedule?", None, 3)
            session.add_all([spanish, arabic, fresh])
            await session.flush()
            fresh.root_id = fresh.id
            ids = {"root": root.id, "es": spanish.id, "ar": arabic.id, "fresh": fresh.id}
            return event.id, ids
    finally:
        await engine.dispose()


def _wordings(body: dict[str, Any], root_id: int) -> list[tuple[int, str | None]]:
    item = next(item for item in body["open"] if item["id"] == root_id)
    return [(item["id"], item["language"])] + [(w["id"], w["language"]) for w in item["merged"]]


async def test_queue_body_wordings_carry_their_language(database: Database) -> None:
    event_id, ids = await _store_group(database)
    engine = create_engine(database.url, schema=database.schema)
    try:
        current = await load_queue(session_factory(engine), event_id, online=1, now=NOW)
    finally:
        await engine.dispose()
    assert current is not None

    public = queue_body(current.event, current.queue, "participant")
    moderator = queue_body(current.event, current.queue, "moderator")

    assert _wordings(public, ids["root"]) == [(ids["root"], "en"), (ids["es"], "es")]
    assert _wordings(moderator, ids["root"]) == [
        (ids["root"], "en"),
        (ids["es"], "es"),
        (ids["ar"], "ar"),
    ]
    assert _wordings(public, ids["fresh"]) == [(ids["fresh"], None)]
    spanish = next(item for item in public["open"] if item["id"] == ids["root"])["merged"][0]
    assert spanish == {
        "id": ids["es"],
        "text": "¿Cómo financiará la adaptación al clima?",
        "language": "es",
        "similarity": 0.97,
        "organisation": None,
    }
