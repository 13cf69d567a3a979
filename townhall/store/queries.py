"""Reads and small writes shared by the actions, the hub and the pages."""

from __future__ import annotations

import functools
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, Subquery, and_, bindparam, case, distinct, func, or_, select, union
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import CursorResult
from sqlalchemy.ext.asyncio import AsyncSession

from townhall.domain.questions import QuestionRecord, Status
from townhall.store.pairs import STRING_STRING, joined_to_pairs
from townhall.store.tables import (
    ActionReceipt,
    Candidate,
    Event,
    EventCandidate,
    ModerationEntry,
    Organisation,
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


# How much of a queue screens receive: enough to read and vote on, bounded whatever the
# event's size (100,000 questions must not become a 10 MB message).
QUEUE_TOP = 100
QUEUE_NEWEST = 50
ANSWERING_MAX = 5
ANSWERED_RECENT = 50
PENDING_OLDEST = 100
HIDDEN_RECENT = 50
REVIEW_MAX = 50
COMMON_MAX = 20


@dataclass(frozen=True)
class QueueRows:
    records: list[QuestionRecord]
    votes: dict[int, int]
    totals: dict[str, int]


def _queue_statements() -> tuple[Any, Any, Any]:
    """The queue's two reads, and the read of some of its rows by id, built once (building a
    statement costs more than running it).

    Which roots a queue shows is one union of bounded, indexed selections, so a tick reads
    the queue in two round trips to the database however busy the event loop is.
    """
    event: Any = bindparam("event_id")
    root = and_(Question.event_id == event, Question.canonical_id.is_(None))
    by_votes = (Question.supporters.desc(), Question.created_at, Question.id)
    latest_change = (Question.status_changed_at.desc(), Question.id.desc())

    def shown(order: Sequence[Any], limit: int, *where: Any) -> Any:
        part = select(Question.id).where(root, *where).order_by(*order).limit(limit)
        return select(part.subquery().c.id)

    def status(value: Status) -> Any:
        return Question.status == value.value

    roots = union(
        shown(by_votes, QUEUE_TOP, status(Status.OPEN)),
        shown((Question.created_at.desc(), Question.id.desc()), QUEUE_NEWEST, status(Status.OPEN)),
        shown(by_votes, ANSWERING_MAX, status(Status.ANSWERING)),
        shown(latest_change, ANSWERED_RECENT, status(Status.ANSWERED)),
        shown((Question.created_at, Question.id), PENDING_OLDEST, status(Status.PENDING)),
        shown(latest_change, HIDDEN_RECENT, status(Status.HIDDEN)),
        shown(
            (Question.id.desc(),),
            REVIEW_MAX,
            Question.suggested_id.is_not(None),
            Question.status.in_([Status.OPEN.value, Status.PENDING.value]),
        ),
        # The series' common questions stand above the voted order, whatever their votes
        # (ordered by common_id so SQLite reads them from ix_questions_common, not every
        # open question of the event).
        shown(
            (Question.common_id, Question.id),
            COMMON_MAX,
            status(Status.OPEN),
            Question.common_id.is_not(None),
        ),
    ).cte("shown")
    rows = _queue_row_columns().where(
        Question.event_id == event,
        or_(Question.id.in_(select(roots.c.id)), Question.root_id.in_(select(roots.c.id))),
    )
    totals = select(
        func.count(Question.id),
        func.coalesce(func.sum(case((Question.canonical_id.is_(None), Question.supporters))), 0),
    ).where(Question.event_id == event)
    by_id = _queue_row_columns().where(
        Question.event_id == event, Question.id.in_(bindparam("ids", expanding=True))
    )
    return rows, totals, by_id


def _queue_row_columns() -> Any:
    return select(
        Question.id,
        Question.text,
        Question.status,
        Question.created_at,
        Question.canonical_id,
        Question.similarity,
        Question.suggested_id,
        Question.supporters,
        Question.language,
        Question.common_id,
        Question.repeat_of_id,
        Organisation.name.label("organisation"),
    ).outerjoin(Organisation, Organisation.id == Question.organisation_id)


_QUEUE_ROWS, _QUEUE_TOTALS, _ROWS_BY_ID = _queue_statements()


async def queue_rows(session: AsyncSession, event_id: int) -> QueueRows:
    """The roots a queue shows (top, newest, on stage, answered, pending, hidden, to review),
    the wordings merged into them, their supporter counts and the event's totals."""
    parameters = {"event_id": event_id}
    records, votes = _records(await session.execute(_QUEUE_ROWS, parameters))
    return QueueRows(records, votes, await _totals(session, event_id))


async def rows_by_id(session: AsyncSession, event_id: int, ids: Collection[int]) -> QueueRows:
    """These questions of the event as a queue reads them (those still there), and the
    event's totals."""
    parameters = {"event_id": event_id, "ids": sorted(ids)}
    records, votes = _records(await session.execute(_ROWS_BY_ID, parameters))
    return QueueRows(records, votes, await _totals(session, event_id))


def _records(rows: Any) -> tuple[list[QuestionRecord], dict[int, int]]:
    records, votes = [], {}
    for row in rows:
        records.append(
            QuestionRecord(
                id=row.id,
                text=row.text,
                status=Status(row.status),
                created_at=row.created_at,
                canonical_id=row.canonical_id,
                similarity=row.similarity if row.canonical_id is not None else None,
                suggested_id=row.suggested_id,
                suggested_score=row.similarity if row.suggested_id is not None else None,
                language=row.language,
                common_id=row.common_id,
                repeat_of_id=row.repeat_of_id,
                organisation=row.organisation,
            )
        )
        if row.canonical_id is None:
            votes[row.id] = row.supporters
    return records, votes


async def _totals(session: AsyncSession, event_id: int) -> dict[str, int]:
    counts = (await session.execute(_QUEUE_TOTALS, {"event_id": event_id})).one()
    return {"questions": int(counts[0]), "votes": int(counts[1])}


async def votes_by_root(session: AsyncSession, event_id: int) -> dict[int, int]:
    """Supporters of every group of the event (exports)."""
    query = select(Question.id, Question.supporters).where(
        Question.event_id == event_id, Question.canonical_id.is_(None)
    )
    return {question_id: count for question_id, count in await session.execute(query)}


async def count_supporters(session: AsyncSession, root_id: int) -> int:
    """Recount a group from its counted votes (after a merge, unmerge, set-aside or restore
    changes who is in it; set-aside votes are kept but not counted)."""
    query = (
        select(func.count(distinct(Vote.participant_id)))
        .join(Question, Question.id == Vote.question_id)
        .where(Question.root_id == root_id, Vote.set_aside_id.is_(None))
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


def insert_ignoring_duplicates(
    session: AsyncSession,
    table: Any,
    index_elements: Sequence[str],
    returning: Sequence[Any] = (),
) -> Any:
    """INSERT … ON CONFLICT (index_elements) DO NOTHING [RETURNING …], in the session's
    dialect; built once per dialect (these run on every batch of votes and questions)."""
    return _insert_ignoring(
        session.get_bind().dialect.name, table, tuple(index_elements), tuple(returning)
    )


async def insert_missing(
    session: AsyncSession,
    table: Any,
    index_elements: Sequence[str],
    rows: Sequence[dict[str, Any]],
    returning: Sequence[Any] = (),
) -> CursorResult[*tuple[Any, ...]]:
    """Insert the rows whose keys are not stored yet (`insert_ignoring_duplicates`), on the
    session's connection: Core, not the ORM's bulk-insert path, which compiles the
    statement anew on every call (most of the CPU a batch of a few votes cost)."""
    connection = await session.connection()
    statement = insert_ignoring_duplicates(session, table, index_elements, returning)
    result: CursorResult[*tuple[Any, ...]] = await connection.execute(statement, list(rows))
    return result


@functools.cache
def _insert_ignoring(
    dialect: str, table: Any, index_elements: tuple[str, ...], returning: tuple[Any, ...]
) -> Any:
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = insert(table).on_conflict_do_nothing(index_elements=list(index_elements))
    return statement.returning(*returning) if returning else statement


async def ensure_participant(
    session: AsyncSession, participant_id: str, now: datetime, network: str | None = None
) -> None:
    statement = insert_ignoring_duplicates(session, Participant, ["id"])
    await session.execute(statement.values(id=participant_id, created_at=now, network_hash=network))


@joined_to_pairs(STRING_STRING)
def _receipts_of(keys: Subquery) -> Select[Any]:
    receipts = ActionReceipt.__table__
    return (
        select(receipts.c.actor, receipts.c.client_id, receipts.c.response)
        .select_from(keys)
        .join(
            receipts,
            and_(receipts.c.actor == keys.c.first, receipts.c.client_id == keys.c.second),
        )
    )


async def stored_receipts(
    session: AsyncSession, keys: Collection[tuple[str, str]]
) -> dict[tuple[str, str], dict[str, Any]]:
    """(actor, client id) -> the stored answer, for each key of a batch already acted on."""
    if not keys:
        return {}
    rows = await _receipts_of.execute(session, keys)
    return {(actor, client_id): dict(response) for actor, client_id, response in rows}


async def receipt(session: AsyncSession, actor: str, client_id: str) -> ActionReceipt | None:
    return await session.get(ActionReceipt, (actor, client_id))


async def moderation_entries(session: AsyncSession, event_id: int) -> Sequence[ModerationEntry]:
    query = (
        select(ModerationEntry)
        .where(ModerationEntry.event_id == event_id)
        .order_by(ModerationEntry.id)
    )
    return (await session.scalars(query)).all()


async def votable_roots(
    session: AsyncSession, event_id: int, ids: Sequence[int]
) -> dict[int, tuple[str, int]]:
    """Text and supporters of those of `ids` that stand in the public queue and take votes."""
    if not ids:
        return {}
    rows = await session.execute(
        select(Question.id, Question.text, Question.supporters).where(
            Question.id.in_(ids),
            Question.event_id == event_id,
            Question.canonical_id.is_(None),
            Question.status.in_([Status.OPEN.value, Status.ANSWERING.value]),
        )
    )
    return {question_id: (text, supporters) for question_id, text, supporters in rows}
