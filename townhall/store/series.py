"""Reads and writes across the events of a series: common questions, the earlier answered
questions a new one may repeat (the series memory), and the series record."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, bindparam, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from townhall.domain.questions import Status
from townhall.domain.series import AnsweredIn
from townhall.store.queries import ensure_participant
from townhall.store.tables import (
    Candidate,
    CommonQuestion,
    Event,
    EventCandidate,
    Question,
    Series,
)

# The author of every event's copy of a common question (a participant row nobody holds:
# participant ids are random UUIDs).
COMMON_AUTHOR = "series-common-question"
CANCELLED = "cancelled"


async def _carry(
    session: AsyncSession,
    commons: Sequence[CommonQuestion],
    event_ids: Sequence[int],
    now: datetime,
) -> list[int]:
    """Each event's copy of each common question, open at once (the organiser asked it), in
    the dedup queue like any question so that participants' repeats merge into it."""
    if not commons or not event_ids:
        return []
    await ensure_participant(session, COMMON_AUTHOR, now)
    copies = [
        Question(
            event_id=event_id,
            author_id=COMMON_AUTHOR,
            text=common.text,
            status=Status.OPEN.value,
            common_id=common.id,
            dedup_state="pending",
            created_at=now,
            status_changed_at=now,
        )
        for common in commons
        for event_id in event_ids
    ]
    session.add_all(copies)
    await session.flush()
    ids = [copy.id for copy in copies]
    await session.execute(update(Question).where(Question.id.in_(ids)).values(root_id=Question.id))
    return ids


async def add_common(
    session: AsyncSession,
    series: Series,
    text: str,
    texts: dict[str, str],
    *,
    created_by: str | None,
    now: datetime,
) -> tuple[CommonQuestion, list[int], list[int]]:
    """A new common question, carried into every event of the series that is not cancelled;
    returns it, the ids of its copies and of the events that got one."""
    common = CommonQuestion(
        series_id=series.id, text=text, texts=texts, created_by=created_by, created_at=now
    )
    session.add(common)
    await session.flush()
    events = list(
        await session.scalars(
            select(Event.id).where(Event.series_id == series.id, Event.status != CANCELLED)
        )
    )
    return common, await _carry(session, [common], events, now), events


async def carry_commons_into(session: AsyncSession, event: Event, now: datetime) -> list[int]:
    """A new event of a series gets a copy of each of the series' common questions."""
    if event.series_id is None:
        return []
    return await _carry(session, await commons_of(session, event.series_id), [event.id], now)


async def commons_of(session: AsyncSession, series_id: int) -> list[CommonQuestion]:
    query = (
        select(CommonQuestion)
        .where(CommonQuestion.series_id == series_id)
        .order_by(CommonQuestion.id)
    )
    return list(await session.scalars(query))


async def common_texts(session: AsyncSession, ids: Sequence[int]) -> dict[int, dict[str, str]]:
    if not ids:
        return {}
    rows = await session.execute(_COMMON_TEXTS, {"ids": list(ids)})
    return {common_id: dict(texts or {}) for common_id, texts in rows}


async def candidate_names(session: AsyncSession, event_ids: Sequence[int]) -> dict[int, list[str]]:
    if not event_ids:
        return {}
    rows = await session.execute(_CANDIDATE_NAMES, {"ids": list(event_ids)})
    names: dict[int, list[str]] = {}
    for event_id, name in rows:
        names.setdefault(event_id, []).append(name)
    return names


_GROUP = aliased(Question, name="grp")
# The renders of a live queue run these at every tick that shows a repeat or a common
# question: built once, not per call (building and caching a statement costs more than
# running it).
_ANSWERED_GROUPS = (
    select(
        Question.id,
        _GROUP.id.label("root"),
        _GROUP.status_changed_at,
        Event.id.label("event_id"),
        Event.slug,
        Event.title,
    )
    .join(_GROUP, _GROUP.id == Question.root_id)
    .join(Event, Event.id == _GROUP.event_id)
    .where(
        Question.id.in_(bindparam("ids", expanding=True)),
        _GROUP.status == Status.ANSWERED.value,
    )
)
_COMMON_TEXTS = select(CommonQuestion.id, CommonQuestion.texts).where(
    CommonQuestion.id.in_(bindparam("ids", expanding=True))
)
_CANDIDATE_NAMES = (
    select(EventCandidate.event_id, Candidate.name)
    .join(Candidate, Candidate.id == EventCandidate.candidate_id)
    .where(EventCandidate.event_id.in_(bindparam("ids", expanding=True)))
    .order_by(Candidate.name)
)


async def answered_groups(
    session: AsyncSession, wording_ids: Sequence[int]
) -> dict[int, AnsweredIn]:
    """For those of `wording_ids` that belong, now, to a group marked answered: where and when
    (a wording unmerged from an answered group no longer does)."""
    if not wording_ids:
        return {}
    rows = (await session.execute(_ANSWERED_GROUPS, {"ids": list(wording_ids)})).all()
    names = await candidate_names(session, sorted({row.event_id for row in rows}))
    return {
        row.id: AnsweredIn(
            row.slug, row.title, row.root, row.status_changed_at, tuple(names.get(row.event_id, ()))
        )
        for row in rows
    }


@dataclass(frozen=True)
class EarlierEvent:
    id: int
    slug: str
    title: str
    candidates: tuple[str, ...]


async def earlier_events(session: AsyncSession, event_id: int) -> list[EarlierEvent]:
    """Events of the same series that started before this one, are not cancelled and share a
    candidate with it: where the questions it may repeat were answered."""
    current = await session.get(Event, event_id)
    if current is None or current.series_id is None:
        return []
    mine = select(EventCandidate.candidate_id).where(EventCandidate.event_id == event_id)
    shared = select(EventCandidate.event_id).where(EventCandidate.candidate_id.in_(mine))
    rows = (
        await session.execute(
            select(Event.id, Event.slug, Event.title)
            .where(
                Event.series_id == current.series_id,
                Event.id != event_id,
                Event.starts_at < current.starts_at,
                Event.status != CANCELLED,
                Event.id.in_(shared),
            )
            .order_by(Event.starts_at, Event.id)
        )
    ).all()
    names = await candidate_names(session, [row.id for row in rows])
    return [EarlierEvent(row.id, row.slug, row.title, tuple(names.get(row.id, ()))) for row in rows]


async def answered_wordings(
    session: AsyncSession, event_ids: Sequence[int]
) -> list[tuple[int, str, bytes, int]]:
    """(id, text, embedding, event id) of every embedded wording of every answered group of
    those events: a group counts by its root and every wording merged into it."""
    if not event_ids:
        return []
    rows = await session.execute(
        select(Question.id, Question.text, Question.embedding, Question.event_id)
        .join(_GROUP, _GROUP.id == Question.root_id)
        .where(
            Question.event_id.in_(event_ids),
            Question.embedding.is_not(None),
            _GROUP.status == Status.ANSWERED.value,
        )
        .order_by(Question.id)
    )
    return [(row.id, row.text, row.embedding, row.event_id) for row in rows]


async def group_states(
    session: AsyncSession, ids: Sequence[int]
) -> dict[int, tuple[int, str, datetime | None]]:
    """Each question's group as it is now: (root, the root's status, when it last changed)."""
    if not ids:
        return {}
    rows = await session.execute(
        select(Question.id, _GROUP.id, _GROUP.status, _GROUP.status_changed_at)
        .join(_GROUP, _GROUP.id == Question.root_id)
        .where(Question.id.in_(ids))
    )
    return {question_id: (root, status, at) for question_id, root, status, at in rows}


async def public_series(session: AsyncSession, slug: str) -> Series | None:
    return await session.scalar(
        select(Series).where(Series.slug == slug, Series.published_at.is_not(None))
    )


async def record_events(session: AsyncSession, series_id: int) -> list[Event]:
    """The series' events as its public record lists them: not cancelled, by start."""
    query = (
        select(Event)
        .where(Event.series_id == series_id, Event.status != CANCELLED)
        .order_by(Event.starts_at, Event.id)
    )
    return list(await session.scalars(query))


async def carried(
    session: AsyncSession, common_ids: Sequence[int], event_ids: Sequence[int]
) -> list[tuple[int, int, int, str, datetime | None]]:
    """(common id, event id, question id, status, status changed at) of each event's copy."""
    if not common_ids or not event_ids:
        return []
    rows = await session.execute(
        select(
            Question.common_id,
            Question.event_id,
            Question.id,
            Question.status,
            Question.status_changed_at,
        )
        .where(
            and_(Question.common_id.in_(common_ids), Question.event_id.in_(event_ids)),
            Question.canonical_id.is_(None),
        )
        .order_by(Question.id)
    )
    found = []
    for common_id, event_id, question_id, status, at in rows:
        assert common_id is not None  # selected by it
        found.append((common_id, event_id, question_id, status, at))
    return found
