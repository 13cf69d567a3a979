"""Reads for the public record (domain/record.py assembles it) and its Atom feed."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from townhall.domain.organisations import endorsements_by_group
from townhall.domain.record import (
    ANSWERED,
    NOT_REACHED,
    Group,
    Licence,
    QuestionRow,
    RecordEvent,
    Recording,
    RecordInputs,
    TakeRow,
    groups_from,
)
from townhall.domain.record_feed import FeedEntry
from townhall.domain.schedule import EventStatus, display_status
from townhall.domain.spread import spreads
from townhall.store.organisations import endorsement_rows
from townhall.store.spread import support_rows
from townhall.store.tables import (
    Candidate,
    Event,
    EventCandidate,
    ModerationEntry,
    Organisation,
    Question,
    Series,
)

FEED_SIZE = 50


def aware(moment: datetime) -> datetime:
    """SQLite hands back naive datetimes; everything is stored in UTC."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def ends_at(event: Event) -> datetime:
    return aware(event.starts_at) + timedelta(minutes=event.duration_minutes)


def has_ended(event: Event, now: datetime) -> bool:
    """Ended as schedules show it: marked ended, or past its end (not cancelled)."""
    status = display_status(EventStatus(event.status), aware(event.starts_at), ends_at(event), now)
    return status is EventStatus.ENDED


def licence_of(series: Series | None) -> Licence | None:
    if series is None or not series.licence_name:
        return None
    return Licence(series.licence_name, series.licence_url)


def recording_of(event: Event) -> Recording | None:
    if not event.recording_url or event.recording_started_at is None:
        return None
    return Recording(event.recording_url, aware(event.recording_started_at))


async def _candidates(session: AsyncSession, event_id: int) -> tuple[str, ...]:
    query = (
        select(Candidate.name)
        .join(EventCandidate, EventCandidate.candidate_id == Candidate.id)
        .where(EventCandidate.event_id == event_id)
        .order_by(Candidate.name)
    )
    return tuple((await session.scalars(query)).all())


async def question_rows(
    session: AsyncSession, event_id: int, roots: Sequence[int] | None = None
) -> list[QuestionRow]:
    """The event's questions (only the groups of `roots` when given)."""
    query = (
        select(
            Question.id,
            func.coalesce(Question.root_id, Question.id),
            Question.status,
            Question.text,
            Question.language,
            Question.created_at,
            Question.supporters,
            Question.status_changed_at,
            Organisation.name,
        )
        .outerjoin(Organisation, Organisation.id == Question.organisation_id)
        .where(Question.event_id == event_id)
    )
    if roots is not None:
        query = query.where(func.coalesce(Question.root_id, Question.id).in_(list(roots)))
    return [
        QuestionRow(
            id=row[0],
            root_id=row[1],
            status=row[2],
            text=row[3],
            language=row[4],
            asked_at=aware(row[5]),
            supporters=row[6],
            status_changed_at=aware(row[7]) if row[7] is not None else None,
            organisation=row[8],
        )
        for row in await session.execute(query)
    ]


async def take_rows(session: AsyncSession, event_id: int) -> list[TakeRow]:
    query = (
        select(
            ModerationEntry.question_id,
            ModerationEntry.action,
            ModerationEntry.detail,
            ModerationEntry.created_at,
        )
        .where(
            ModerationEntry.event_id == event_id,
            ModerationEntry.action.in_(["answering", "answered"]),
            ModerationEntry.question_id.is_not(None),
        )
        .order_by(ModerationEntry.id)
    )
    rows = []
    for question_id, action, detail, at in await session.execute(query):
        before = detail.get("before") if isinstance(detail, dict) else None
        if question_id is not None:
            before_text = str(before) if before else None
            rows.append(TakeRow(question_id, action, before_text, aware(at)))
    return rows


async def record_inputs(
    session: AsyncSession, event: Event, origin: str, privacy_minimum: int = 5
) -> RecordInputs:
    """Everything the record of `event` shows, in a handful of reads; regional spread folded
    at `privacy_minimum` (TOWNHALL_PRIVACY_MIN_GROUP)."""
    series = await session.get(Series, event.series_id) if event.series_id is not None else None
    last_change = await session.scalar(
        select(func.max(ModerationEntry.created_at)).where(ModerationEntry.event_id == event.id)
    )
    return RecordInputs(
        event=RecordEvent(
            slug=event.slug,
            title=event.title,
            kind=event.kind,
            starts_at=aware(event.starts_at),
            ends_at=ends_at(event),
            timezone=event.timezone,
            updated_at=aware(event.updated_at),
            candidates=await _candidates(session, event.id),
            series_slug=series.slug if series else None,
            series_title=series.title if series else None,
        ),
        origin=origin,
        groups=groups_from(
            await question_rows(session, event.id), await take_rows(session, event.id)
        ),
        recording=recording_of(event),
        licence=licence_of(series),
        last_change=aware(last_change) if last_change is not None else None,
        spreads=spreads(await support_rows(session, event.id), privacy_minimum),
        endorsements=endorsements_by_group(await endorsement_rows(session, event.id)),
        privacy_minimum=privacy_minimum,
    )


async def _public_events(session: AsyncSession) -> Sequence[tuple[Event, Series | None]]:
    query = (
        select(Event, Series)
        .outerjoin(Series, Series.id == Event.series_id)
        .where(
            or_(Event.series_id.is_(None), Series.published_at.is_not(None)),
            Event.status != EventStatus.CANCELLED.value,
        )
        .order_by(Event.starts_at.desc(), Event.id.desc())
    )
    return [(event, series) for event, series in await session.execute(query)]


async def _counts(session: AsyncSession, event_ids: list[int]) -> dict[tuple[int, str], int]:
    if not event_ids:
        return {}
    query = (
        select(Question.event_id, Question.status, func.count())
        .where(
            Question.event_id.in_(event_ids),
            Question.canonical_id.is_(None),
            Question.status.in_(sorted(ANSWERED | NOT_REACHED)),
        )
        .group_by(Question.event_id, Question.status)
    )
    return {(event_id, status): n for event_id, status, n in await session.execute(query)}


async def _last_changes(session: AsyncSession, event_ids: list[int]) -> dict[int, datetime]:
    if not event_ids:
        return {}
    query = (
        select(ModerationEntry.event_id, func.max(ModerationEntry.created_at))
        .where(ModerationEntry.event_id.in_(event_ids))
        .group_by(ModerationEntry.event_id)
    )
    return {event_id: at for event_id, at in await session.execute(query)}


async def feed_entries(session: AsyncSession, now: datetime) -> list[FeedEntry]:
    """The newest records of published series (at most FEED_SIZE), newest first."""
    ended = [(e, s) for e, s in await _public_events(session) if has_ended(e, now)]
    ended = sorted(ended, key=lambda pair: ends_at(pair[0]), reverse=True)[:FEED_SIZE]
    ids = [event.id for event, _ in ended]
    counts = await _counts(session, ids)
    changes = await _last_changes(session, ids)
    entries = []
    for event, series in ended:
        moments = [ends_at(event), aware(event.updated_at)]
        if event.id in changes:
            moments.append(aware(changes[event.id]))
        entries.append(
            FeedEntry(
                uid=event.uid,
                slug=event.slug,
                title=event.title,
                published=ends_at(event),
                updated=max(moments),
                answered=sum(counts.get((event.id, s), 0) for s in ANSWERED),
                not_reached=sum(counts.get((event.id, s), 0) for s in NOT_REACHED),
                series_title=series.title if series else None,
                licence=licence_of(series),
            )
        )
    return entries


WIDGET_NEXT = 3


async def live_groups(session: AsyncSession, event_id: int) -> tuple[list[Group], list[Group]]:
    """The question on stage (the latest, if several) and the next WIDGET_NEXT of the queue,
    with their public wordings: what the widget shows while the event is live."""
    on_stage = (
        select(Question.id)
        .where(
            Question.event_id == event_id,
            Question.canonical_id.is_(None),
            Question.status == "answering",
        )
        .order_by(Question.status_changed_at.desc(), Question.id.desc())
        .limit(1)
    )
    waiting = (
        select(Question.id)
        .where(
            Question.event_id == event_id,
            Question.canonical_id.is_(None),
            Question.status == "open",
        )
        .order_by(Question.supporters.desc(), Question.created_at, Question.id)
        .limit(WIDGET_NEXT)
    )
    stage_ids = list((await session.scalars(on_stage)).all())
    next_ids = list((await session.scalars(waiting)).all())
    ids = stage_ids + next_ids
    if not ids:
        return [], []
    rows = await question_rows(session, event_id, roots=ids)
    groups = {group.root_id: group for group in groups_from(rows, [])}
    return [groups[i] for i in stage_ids], [groups[i] for i in next_ids]
