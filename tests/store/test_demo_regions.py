"""The demo's regional balance: in the live dialogue that `make serve` seeds, "most regions"
orders the backed questions differently from "most votes"."""

from __future__ import annotations

from datetime import UTC, datetime

from conftest import Database
from sqlalchemy import select

from townhall.actions.spread import event_spread
from townhall.store.db import create_engine, session_factory
from townhall.store.demo import seed_demo
from townhall.store.demo_regions import BACKED, LIVE_SLUG
from townhall.store.tables import Event, Question


async def test_demo_regions_order_the_live_queue_unlike_votes(database: Database) -> None:
    engine = create_engine(database.url, schema=database.schema)
    try:
        async with session_factory(engine, write=True)() as session, session.begin():
            await seed_demo(session, datetime.now(UTC), verified_event=True, record=True)
        async with session_factory(engine)() as session:
            event = await session.scalar(select(Event).where(Event.slug == LIVE_SLUG))
            assert event is not None
            texts = [text for text, _ in BACKED]
            ids = {
                text: question_id
                for question_id, text in await session.execute(
                    select(Question.id, Question.text).where(
                        Question.event_id == event.id, Question.text.in_(texts)
                    )
                )
            }
        spread = await event_spread(session_factory(engine), event.id, minimum=5)
    finally:
        await engine.dispose()

    by_id = {q["id"]: q for q in spread["questions"]}
    assert [by_id[ids[text]]["regions"] for text in texts] == [1, 3, 2]
    assert [by_id[ids[text]]["supporters"] for text in texts] == [20, 15, 15]
    backed = [
        question_id for question_id in spread["order_by_regions"] if question_id in ids.values()
    ]
    assert backed == [ids[texts[1]], ids[texts[2]], ids[texts[0]]]
