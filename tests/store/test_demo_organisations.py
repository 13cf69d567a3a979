"""The demo's organisations: profiles, a question asked on behalf of one, endorsements that
leave every vote count as it was, and a delegate link that works."""

from __future__ import annotations

from datetime import UTC, datetime

from conftest import Database
from sqlalchemy import func, select

from townhall.actions.views import load_queue
from townhall.domain.tokens import hash_token
from townhall.store.db import create_engine, session_factory
from townhall.store.demo import seed_demo
from townhall.store.demo_organisations import EARLIER_SLUG, seed_organisations
from townhall.store.tables import (
    Endorsement,
    Event,
    Invitation,
    Organisation,
    Participant,
    Question,
    Series,
    Vote,
)


async def test_demo_organisations_ask_and_endorse_without_votes(database: Database) -> None:
    engine = create_engine(database.url, schema=database.schema)
    sessions = session_factory(engine, write=True)
    async with sessions() as session, session.begin():
        created = await seed_demo(session, datetime.now(UTC), verified_event=True)
    live = created[0]
    async with sessions() as session:
        profiles = (await session.execute(select(Organisation.name, Organisation.country))).all()
        linked = await session.scalar(
            select(Invitation.name).where(
                Invitation.token_hash == hash_token(live.delegate_token or "")
            )
        )
        endorsements = await session.scalar(select(func.count()).select_from(Endorsement))
        counted = (
            await session.execute(
                select(Question.supporters, func.count(Vote.id))
                .join(Vote, Vote.question_id == Question.id)
                .group_by(Question.id, Question.supporters)
            )
        ).all()
        event_id = await session.scalar(
            select(Question.event_id).where(Question.organisation_id.is_not(None))
        )
    assert event_id is not None
    current = await load_queue(session_factory(engine), event_id, online=0)
    await engine.dispose()

    assert current is not None
    assert len(profiles) == 3 and all(country for _, country in profiles)
    assert linked == "Sahel Women's Network"
    assert endorsements == 4  # three in the live dialogue, one on an answer of the ended one
    assert [tuple(row) for row in counted] == [(1, 1), (1, 1)]  # endorsements add no votes
    asked = next(item for item in current.queue.open if item.organisation is not None)
    assert asked.organisation == "Sahel Women's Network"
    assert asked.endorsed is not None and asked.endorsed.count == 2
    assert asked.endorsed.regions == ("Europe", "Oceania")


async def test_demo_organisations_endorse_an_answered_question_of_the_earlier_dialogue(
    database: Database,
) -> None:
    engine = create_engine(database.url, schema=database.schema)
    sessions = session_factory(engine, write=True)
    now = datetime.now(UTC)
    async with sessions() as session, session.begin():
        created = await seed_demo(session, now)
        series = (await session.scalars(select(Series))).one()
        later = (await session.scalars(select(Event).where(Event.slug == created[1].slug))).one()
        later.slug = EARLIER_SLUG  # stands in for demo_series.py's ended dialogue
        session.add(Participant(id="asker", created_at=now))
        await session.flush()
        answered = Question(
            event_id=later.id,
            author_id="asker",
            text="Will you publish the selection criteria?",
            status="answered",
            supporters=1,
            created_at=now,
        )
        session.add(answered)
        await session.flush()
        answered.root_id = answered.id
        await seed_organisations(session, series, created[0].slug, now)
    async with sessions() as session:
        endorsed = (
            await session.execute(
                select(Endorsement.question_id, Organisation.name).join(
                    Organisation, Organisation.id == Endorsement.organisation_id
                )
            )
        ).all()
        supporters = await session.scalar(
            select(Question.supporters).where(Question.id == answered.id)
        )
    await engine.dispose()

    assert (answered.id, "Geneva Institute for Peace Studies") in [tuple(r) for r in endorsed]
    assert supporters == 1
