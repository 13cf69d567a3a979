"""The demo's ended dialogue with its public record (townhall/store/demo_record.py), added to
the seeded demo for the tests that read a record."""

from __future__ import annotations

from datetime import UTC, datetime

from conftest import Database, seed
from sqlalchemy import select

from townhall.store.db import create_engine, session_factory
from townhall.store.demo import DemoEvent
from townhall.store.demo_record import seed_record_demo
from townhall.store.tables import Series


async def add_record_demo(database: Database) -> str:
    """Seeds the ended dialogue into the demo series; answers its slug."""
    engine = create_engine(database.url, schema=database.schema)
    try:
        async with session_factory(engine, write=True)() as session, session.begin():
            series = await session.scalar(select(Series).where(Series.slug == "sg-dialogues"))
            assert series is not None
            return await seed_record_demo(session, series, datetime.now(UTC))
    finally:
        await engine.dispose()


async def seed_with_record(database: Database, **changes: object) -> DemoEvent:
    """The demo (its open event, as `seed`) with the ended dialogue added."""
    demo = await seed(database, **changes)
    await add_record_demo(database)
    return demo
