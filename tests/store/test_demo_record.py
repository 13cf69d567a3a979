"""The demo's record: its own ended dialogue, or the series demo's `dialogue-earlier` when
that exists (one ended event, not two)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from conftest import Database
from sqlalchemy import func, select

from townhall.store import record as store
from townhall.store.db import create_engine, session_factory
from townhall.store.demo import seed_demo
from townhall.store.demo_record import EARLIER_SLUG, RECORD_SLUG, seed_record_demo
from townhall.store.tables import Event, Series


async def _seed(database: Database, *, earlier: bool) -> tuple[str, int, int, int]:
    engine = create_engine(database.url, schema=database.schema)
    now = datetime.now(UTC)
    try:
        async with session_factory(engine, write=True)() as session, session.begin():
            await seed_demo(session, now)
            series = await session.scalar(select(Series))
            assert series is not None
            if earlier:
                template = await session.scalar(
                    select(Event).where(Event.slug == "dialogue-herrera")
                )
                assert template is not None
                session.add(
                    Event(
                        **{
                            column: getattr(template, column)
                            for column in (
                                "series_id",
                                "kind",
                                "timezone",
                                "moderation_mode",
                                "moderator_key_hash",
                                "languages",
                            )
                        },
                        slug=EARLIER_SLUG,
                        uid="earlier@townhall",
                        code="EARLY1",
                        title="An earlier dialogue",
                        starts_at=now - timedelta(days=7),
                        duration_minutes=60,
                        status="ended",
                        created_at=now,
                        updated_at=now,
                    )
                )
                await session.flush()
            slug = await seed_record_demo(session, series, now)
        async with session_factory(engine)() as session:
            event = await session.scalar(select(Event).where(Event.slug == slug))
            assert event is not None
            record = await store.record_inputs(session, event, "https://th.example")
            ended = await session.scalar(
                select(func.count()).select_from(Event).where(Event.status == "ended")
            )
    finally:
        await engine.dispose()
    answered = sum(group.status == "answered" for group in record.groups)
    return slug, answered, len(record.groups), int(ended or 0)


async def test_demo_record_makes_its_own_ended_dialogue(database: Database) -> None:
    assert await _seed(database, earlier=False) == (RECORD_SLUG, 4, 7, 1)


async def test_demo_record_goes_into_dialogue_earlier_when_it_exists(database: Database) -> None:
    assert await _seed(database, earlier=True) == (EARLIER_SLUG, 4, 7, 1)
