"""Reads and small writes shared by the actions, the hub and the pages."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import distinct, func, or_, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from townhall.domain.questions import QuestionRecord, Status
from townhall.store.tables import (
    ActionReceipt,
    Candidate,
    Event,
    EventCandidate,
    Participant,
    Question,
    Series,
    Vote,
)


async def event_by_slug(session: AsyncSession, slug: str) -> Event | None:
    return (await session.execute(select(Event).where(Event.slug == slug))).scalar_one_or_none()


async def event_by_code(session: AsyncSession, code: str) -> Event | None:
    query = select(Event).where(Event.code == code.strip().upper())
    return (await session.execute(query)).scalar_one_or_none()


async def list_public_events(session: AsyncSession) -> Sequence[Event]:
    """Events of published series (drafts stay with the organisers), soonest first."""
    query = (
        select(Event)
        .outerjoin(Series, Series.id == Event.series_id)
        .where(or_(Event.series_id.is_(None), Series.published_at.is_not(None)))
        .order_by(Event.starts_at, Event.id)
    )
    return (await session.execute(query)).scalars().all()


async def candidates_by_event(session: AsyncSession) -> dict[int, list[str]]:
    query = (
        select(EventCandidate.event_id, Candidate.name)
        .join(Candidate, Candidate.id == EventCandidate.candidate_id)
        .order_by(Candidate.name)
    )
    names: dict[int, list[str]] = {}
    for event_id, name in await session.execute(query):
        names.setdefault(event_id, []).append(name)
    return names


async def question_records(session: AsyncSession, event_id: int) -> list[QuestionRecord]:
    query = select(
        Question.id,
        Question.text,
        Question.status,
        Question.created_at,
        Question.canonical_id,
        Question.similarity,
        Question.suggested_id,
    ).where(Question.event_id == event_id)
    rows = await session.execute(query)
    return [
        QuestionRecord(
            id=row.id,
            text=row.text,
            status=Status(row.status),
            created_at=row.created_at,
            canonical_id=row.canonical_id,
            similarity=row.similarity if row.canonical_id is not None else None,
            suggested_id=row.suggested_id,
            suggested_score=row.similarity if row.suggested_id is not None else None,
        )
        for row in rows
    ]


async def votes_by_root(session: AsyncSession, event_id: int) -> dict[int, int]:
    """Distinct supporters per group: one participant counts once across merged wordings."""
    query = (
        select(Question.root_id, func.count(distinct(Vote.participant_id)))
        .join(Question, Question.id == Vote.question_id)
        .where(Question.event_id == event_id)
        .group_by(Question.root_id)
    )
    return {root: count for root, count in await session.execute(query) if root is not None}


async def supporters_of_group(session: AsyncSession, root_id: int) -> int:
    query = (
        select(func.count(distinct(Vote.participant_id)))
        .join(Question, Question.id == Vote.question_id)
        .where(Question.root_id == root_id)
    )
    return int((await session.execute(query)).scalar_one())


async def participant_view(
    session: AsyncSession, event_id: int, participant_id: str
) -> tuple[list[int], list[int]]:
    """The groups this participant backs and the questions they wrote."""
    voted = (
        select(Question.root_id)
        .distinct()
        .join(Vote, Vote.question_id == Question.id)
        .where(Question.event_id == event_id, Vote.participant_id == participant_id)
    )
    mine = select(Question.id).where(
        Question.event_id == event_id, Question.author_id == participant_id
    )
    voted_ids = sorted(r for r in (await session.execute(voted)).scalars() if r is not None)
    return voted_ids, sorted((await session.execute(mine)).scalars())


async def ensure_participant(session: AsyncSession, participant_id: str, now: datetime) -> None:
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = insert(Participant).values(id=participant_id, created_at=now)
    await session.execute(statement.on_conflict_do_nothing(index_elements=["id"]))


async def receipt(session: AsyncSession, actor: str, client_id: str) -> ActionReceipt | None:
    return await session.get(ActionReceipt, (actor, client_id))
