"""Series and events as the calendar domain sees them, read from and written to the database."""

from __future__ import annotations

import re
import unicodedata
import uuid
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from townhall.domain.conflicts import Slot
from townhall.domain.intake import QuestionWindow
from townhall.domain.schedule import (
    CalendarEvent,
    CalendarSeries,
    CleanEvent,
    EventKind,
    EventStatus,
)
from townhall.domain.tokens import hash_token, new_event_code, new_token
from townhall.store.tables import (
    Candidate,
    Event,
    EventCandidate,
    EventModerator,
    Moderator,
    Series,
)


def utc(moment: datetime) -> datetime:
    """SQLite returns naive datetimes; everything is stored in UTC."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def slugify(text: str, fallback: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:60].strip("-")
    return slug or fallback


async def unique_slug(session: AsyncSession, model: type[Series] | type[Event], base: str) -> str:
    taken = set(await session.scalars(select(model.slug).where(model.slug.like(f"{base}%"))))
    if base not in taken:
        return base
    number = 2
    while f"{base}-{number}" in taken:
        number += 1
    return f"{base}-{number}"


async def people_of(
    session: AsyncSession, event_ids: Sequence[int]
) -> tuple[dict[int, list[str]], dict[int, list[str]]]:
    """Candidate and moderator names per event id."""
    candidates: dict[int, list[str]] = {}
    rows = await session.execute(
        select(EventCandidate.event_id, Candidate.name)
        .join(Candidate, Candidate.id == EventCandidate.candidate_id)
        .where(EventCandidate.event_id.in_(event_ids))
        .order_by(Candidate.name)
    )
    for event_id, name in rows:
        candidates.setdefault(event_id, []).append(name)
    moderators: dict[int, list[str]] = {}
    rows = await session.execute(
        select(EventModerator.event_id, Moderator.name)
        .join(Moderator, Moderator.id == EventModerator.moderator_id)
        .where(EventModerator.event_id.in_(event_ids))
        .order_by(Moderator.name)
    )
    for event_id, name in rows:
        moderators.setdefault(event_id, []).append(name)
    return candidates, moderators


def question_window(event: Event) -> QuestionWindow:
    return QuestionWindow(
        opens=None if event.questions_from is None else utc(event.questions_from),
        closes=None if event.questions_until is None else utc(event.questions_until),
    )


def to_calendar_event(
    event: Event, origin: str, candidates: Sequence[str], moderators: Sequence[str]
) -> CalendarEvent:
    return CalendarEvent(
        uid=event.uid,
        title=event.title,
        kind=EventKind(event.kind),
        candidates=tuple(candidates),
        moderators=tuple(moderators),
        start_utc=utc(event.starts_at),
        duration=timedelta(minutes=event.duration_minutes),
        timezone=event.timezone,
        venue=event.venue,
        stream_url=event.stream_url,
        description=event.description,
        languages=tuple(event.languages or ()),
        status=EventStatus(event.status),
        sequence=event.sequence,
        url=f"{origin}/e/{event.slug}",
        updated_at=utc(event.updated_at),
        questions=question_window(event),
    )


async def calendar_events(
    session: AsyncSession, events: Sequence[Event], origin: str
) -> list[CalendarEvent]:
    candidates, moderators = await people_of(session, [event.id for event in events])
    return [
        to_calendar_event(e, origin, candidates.get(e.id, []), moderators.get(e.id, []))
        for e in events
    ]


async def series_events(session: AsyncSession, series_id: int) -> Sequence[Event]:
    query = select(Event).where(Event.series_id == series_id).order_by(Event.starts_at, Event.id)
    return (await session.scalars(query)).all()


async def calendar_series(session: AsyncSession, series: Series, origin: str) -> CalendarSeries:
    events = await calendar_events(session, await series_events(session, series.id), origin)
    return CalendarSeries(
        uid=series.uid,
        title=series.title,
        description=series.description,
        url=f"{origin}/s/{series.slug}",
        events=tuple(events),
    )


async def known_people(session: AsyncSession) -> tuple[set[str], set[str]]:
    candidates = set(await session.scalars(select(Candidate.name)))
    moderators = set(await session.scalars(select(Moderator.name)))
    return candidates, moderators


async def slots(session: AsyncSession, origin: str) -> list[tuple[Event, Slot]]:
    """Every event that could clash with another (cancelled ones are skipped by the domain)."""
    events = (await session.scalars(select(Event))).all()
    calendar = await calendar_events(session, events, origin)
    return [
        (
            event,
            Slot(
                id=cal.uid,
                start_utc=cal.start_utc,
                end_utc=cal.end_utc,
                candidates=cal.candidates,
                moderators=cal.moderators,
                venue=cal.venue,
                cancelled=cal.cancelled,
            ),
        )
        for event, cal in zip(events, calendar, strict=True)
    ]


async def _set_people(session: AsyncSession, event_id: int, clean: CleanEvent) -> None:
    await session.execute(delete(EventCandidate).where(EventCandidate.event_id == event_id))
    await session.execute(delete(EventModerator).where(EventModerator.event_id == event_id))
    for candidate_id in await session.scalars(
        select(Candidate.id).where(Candidate.name.in_(clean.candidates))
    ):
        session.add(EventCandidate(event_id=event_id, candidate_id=candidate_id))
    for moderator_id in await session.scalars(
        select(Moderator.id).where(Moderator.name.in_(clean.moderators))
    ):
        session.add(EventModerator(event_id=event_id, moderator_id=moderator_id))


async def create_event(
    session: AsyncSession,
    series: Series,
    clean: CleanEvent,
    *,
    moderation_mode: str,
    now: datetime,
) -> tuple[Event, str]:
    """A new event and its moderator key (shown once; only its hash is stored)."""
    key = new_token()
    code = new_event_code()
    while await session.scalar(select(Event.id).where(Event.code == code)) is not None:
        code = new_event_code()
    event = Event(
        series_id=series.id,
        slug=await unique_slug(session, Event, slugify(clean.title, "event")),
        uid=f"{uuid.uuid4()}@townhall",
        code=code,
        title=clean.title,
        kind=clean.kind.value,
        description=clean.description,
        starts_at=clean.start_utc,
        timezone=clean.timezone,
        duration_minutes=int(clean.duration.total_seconds() // 60),
        venue=clean.venue,
        stream_url=clean.stream_url,
        status=EventStatus.SCHEDULED.value,
        # A window that opens is the organiser's say-so: the switch starts on (domain/intake.py).
        questions_open=clean.questions.opens is not None,
        questions_from=clean.questions.opens,
        questions_until=clean.questions.closes,
        moderation_mode=moderation_mode,
        moderator_key_hash=hash_token(key),
        sequence=0,
        languages=list(clean.languages),
        created_at=now,
        updated_at=now,
    )
    session.add(event)
    await session.flush()
    await _set_people(session, event.id, clean)
    series.updated_at = now
    return event, key


async def store_revision(
    session: AsyncSession, event: Event, revised: CalendarEvent, clean: CleanEvent | None
) -> None:
    """Write a revised CalendarEvent (and, for a full edit, its people) back to the row."""
    event.title = revised.title
    event.kind = revised.kind.value
    event.description = revised.description
    event.starts_at = revised.start_utc
    event.timezone = revised.timezone
    event.duration_minutes = int(revised.duration.total_seconds() // 60)
    event.venue = revised.venue
    event.stream_url = revised.stream_url
    event.status = revised.status.value
    event.sequence = revised.sequence
    event.languages = list(revised.languages)
    event.updated_at = revised.updated_at
    if revised.questions != question_window(event):
        # A window that now opens turns the switch on; one taken away before the event leaves
        # no say-so to take questions (the moderator opens them live, as without a window).
        if revised.questions.opens is not None:
            event.questions_open = True
        elif event.questions_from is not None and revised.updated_at < revised.start_utc:
            event.questions_open = False
        event.questions_from = revised.questions.opens
        event.questions_until = revised.questions.closes
    if clean is not None:
        await _set_people(session, event.id, clean)
    if event.series_id is not None:
        series = await session.get(Series, event.series_id)
        if series is not None:
            series.updated_at = revised.updated_at


def rotate_moderator_key(event: Event) -> str:
    key = new_token()
    event.moderator_key_hash = hash_token(key)
    return key
