"""The participation-mode gate inside the bulk vote and question batches."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from conftest import Database, seed
from sqlalchemy import event as sa_event
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from townhall.actions.asking import QuestionRequest, apply_questions
from townhall.actions.base import ActionRefused, Actor, Reply
from townhall.actions.votes import VoteRequest, apply_votes
from townhall.store import access as store
from townhall.store.db import create_engine, session_factory
from townhall.store.tables import Event, Question, Vote


class CountingStatements:
    def __init__(self) -> None:
        self.reads_of_grants = 0

    def __call__(self, conn: object, cursor: object, statement: str, *args: object) -> None:
        if "event_access" in statement:
            self.reads_of_grants += 1


async def _question(session: AsyncSession, slug: str, author: str, now: datetime) -> int:
    request = QuestionRequest(
        Actor(author, moderator_of=await _event_id(session, slug)),
        slug,
        "seed",
        "Will you publish the shortlist of envoys before the vote?",
    )
    await apply_questions(session, [request], now, set())
    assert isinstance(request.outcome, Reply)
    return int(request.outcome.result["question_id"])


async def _event_id(session: AsyncSession, slug: str) -> int:
    return int(await session.scalar(select(Event.id).where(Event.slug == slug)) or 0)


async def test_batch_of_many_unverified_votes_lands_none(database: Database) -> None:
    demo = await seed(database, access_mode="email")
    engine = create_engine(database.url, schema=database.schema)
    sessions = session_factory(engine, write=True)
    now = datetime.now(UTC)
    counter = CountingStatements()
    async with sessions() as session, session.begin():
        event_id = await _event_id(session, demo.slug)
        moderator = str(uuid.uuid4())
        question_id = await _question(session, demo.slug, moderator, now)
        verified = str(uuid.uuid4())
        await store.grant(session, event_id, verified, "email", "a" * 64, now)
        strangers = [
            VoteRequest(Actor(str(uuid.uuid4())), demo.slug, f"v{n}", question_id)
            for n in range(1000)
        ]
        allowed = [
            VoteRequest(Actor(verified), demo.slug, "ok", question_id),
            VoteRequest(
                Actor(str(uuid.uuid4()), moderator_of=event_id), demo.slug, "m", question_id
            ),
        ]
        sa_event.listen(engine.sync_engine, "before_cursor_execute", counter)
        await apply_votes(session, [*strangers[:500], *allowed, *strangers[500:]], now, set())
        sa_event.remove(engine.sync_engine, "before_cursor_execute", counter)
    async with sessions() as session:
        votes = await session.scalar(
            select(func.count()).select_from(Vote).where(Vote.question_id == question_id)
        )
        supporters = await session.scalar(
            select(Question.supporters).where(Question.id == question_id)
        )
    await engine.dispose()

    codes = {(type(r.outcome).__name__, getattr(r.outcome, "code", None)) for r in strangers}
    assert codes == {("ActionRefused", "verification_required")}
    assert {
        r.outcome.details["mode"] for r in strangers if isinstance(r.outcome, ActionRefused)
    } == {"email"}
    assert [r.outcome.result["votes"] for r in allowed if isinstance(r.outcome, Reply)] == [3, 3]
    assert (votes, supporters) == (3, 3)
    assert counter.reads_of_grants == 1


async def test_question_batch_refuses_ungranted_askers_only(database: Database) -> None:
    demo = await seed(database, access_mode="code")
    engine = create_engine(database.url, schema=database.schema)
    sessions = session_factory(engine, write=True)
    now = datetime.now(UTC)
    async with sessions() as session, session.begin():
        event_id = await _event_id(session, demo.slug)
        joined = str(uuid.uuid4())
        await store.grant(session, event_id, joined, "code", "", now)
        text = "How would you reform the selection of the Secretary-General?"
        requests = [
            QuestionRequest(Actor(str(uuid.uuid4())), demo.slug, "a", text),
            QuestionRequest(Actor(joined), demo.slug, "b", text + " Concretely."),
            QuestionRequest(Actor(str(uuid.uuid4())), demo.slug, "c", text + " Soon?"),
        ]
        await apply_questions(session, requests, now, set())
    async with sessions() as session:
        stored = await session.scalar(select(func.count()).select_from(Question))
    await engine.dispose()

    assert [getattr(r.outcome, "code", "ok") for r in requests] == [
        "verification_required",
        "ok",
        "verification_required",
    ]
    assert stored == 1
