"""Organisers' workflows: series, events, reschedule, cancel, publish, moderator links.

Validation, SEQUENCE and conflicts are domain rules (townhall/domain/schedule.py,
conflicts.py); this module reads and writes through the store in one transaction each.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any, Literal

from pydantic import BeforeValidator, Field
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from townhall.actions.base import ActionRefused, Moment, Payload, Services, whole_number
from townhall.actions.common_questions import carried
from townhall.actions.series_roles import OrganiserActor, find_series, require_event, require_series
from townhall.domain.conflicts import Clash, Slot, find_clashes
from townhall.domain.revisions import apply_edit, cancel_event, new_event
from townhall.domain.schedule import (
    CalendarEvent,
    CleanEvent,
    EventInput,
    ScheduleError,
    utc_from_local,
    validate_event_input,
)
from townhall.domain.text import tame_marks
from townhall.store import organisers
from townhall.store import schedule as store
from townhall.store import series as series_store
from townhall.store.tables import Candidate, Event, Moderator, Series

Minutes = Annotated[int, Field(ge=0, le=100_000), BeforeValidator(whole_number)]


class SeriesPayload(Payload):
    title: str = Field(max_length=200)
    description: str = Field(default="", max_length=8000)


class SeriesEdit(Payload):
    title: str | None = Field(default=None, max_length=200)
    description: str | None = Field(default=None, max_length=8000)


class PublishPayload(Payload):
    published: bool


class PersonPayload(Payload):
    name: str = Field(max_length=200)
    country: str | None = Field(default=None, max_length=80)
    email: str | None = Field(default=None, max_length=254)


_WINDOW_FROM = (
    "When the event starts taking questions and votes, days before it goes live if you like "
    "(wall-clock time in `timezone`, or with an offset); none: when the moderator opens them."
)
_WINDOW_UNTIL = (
    "When it stops taking them (not before the event starts); none: when the moderator closes them."
)


class EventPayload(Payload):
    title: str = Field(max_length=400)
    kind: Literal["town_hall", "informal_dialogue"]
    candidates: list[str] = Field(default_factory=list, max_length=20)
    moderators: list[str] = Field(default_factory=list, max_length=20)
    start: Moment = Field(description="Wall-clock time in `timezone` (or with an offset).")
    duration_minutes: Minutes
    timezone: str = Field(max_length=64)
    venue: str | None = Field(default=None, max_length=200)
    stream_url: str | None = Field(default=None, max_length=500)
    description: str = Field(default="", max_length=8000)
    languages: list[str] = Field(default_factory=list, max_length=20)
    moderation_mode: Literal["post", "pre"] = "post"
    questions_from: Moment | None = Field(default=None, description=_WINDOW_FROM)
    questions_until: Moment | None = Field(default=None, description=_WINDOW_UNTIL)
    override_conflicts: bool = False


class EventEdit(Payload):
    title: str | None = Field(default=None, max_length=400)
    kind: Literal["town_hall", "informal_dialogue"] | None = None
    candidates: list[str] | None = Field(default=None, max_length=20)
    moderators: list[str] | None = Field(default=None, max_length=20)
    start: Moment | None = None
    duration_minutes: Minutes | None = None
    timezone: str | None = Field(default=None, max_length=64)
    venue: str | None = Field(default=None, max_length=200)
    stream_url: str | None = Field(default=None, max_length=500)
    description: str | None = Field(default=None, max_length=8000)
    languages: list[str] | None = Field(default=None, max_length=20)
    moderation_mode: Literal["post", "pre"] | None = None
    questions_from: Moment | None = Field(
        default=None, description=_WINDOW_FROM + " Left out: unchanged; null: cleared."
    )
    questions_until: Moment | None = Field(
        default=None, description=_WINDOW_UNTIL + " Left out: unchanged; null: cleared."
    )
    override_conflicts: bool = False


class ReschedulePayload(Payload):
    start: Moment
    duration_minutes: Minutes | None = None
    timezone: str | None = Field(default=None, max_length=64)
    override_conflicts: bool = False


KEY_ROTATED = "This moderator link is no longer valid: the organiser issued a new one."


@dataclass(frozen=True)
class EventOutcome:
    event: Event
    calendar: CalendarEvent
    moderator_key: str | None = None


def _invalid(error: ScheduleError) -> ActionRefused:
    # The API takes a duration, where the domain speaks of the end it implies.
    field = "duration_minutes" if error.field == "end" else error.field
    return ActionRefused("invalid", error.message, field=field)


def _event_input(payload: EventPayload | EventEdit, base: CalendarEvent | None) -> EventInput:
    def pick(name: str, current: Any) -> Any:
        value = getattr(payload, name)
        return current if value is None else value

    timezone = pick("timezone", base.timezone if base else None)
    start = pick("start", None)
    if start is None and base is not None:
        start = base.start_utc
    minutes = pick("duration_minutes", int(base.duration.total_seconds() // 60) if base else None)
    try:
        start_utc = (
            utc_from_local(start, timezone) if start.tzinfo is None else start.astimezone(UTC)
        )
        end = start_utc + timedelta(minutes=minutes)
    except ScheduleError as error:
        raise _invalid(error) from None
    except (ValueError, OverflowError) as error:  # a time the clocks skip; past year 9999
        raise ActionRefused("invalid", str(error), field="start") from None
    return EventInput(
        title=pick("title", base.title if base else ""),
        kind=pick("kind", base.kind.value if base else ""),
        candidates=tuple(pick("candidates", base.candidates if base else ())),
        moderators=tuple(pick("moderators", base.moderators if base else ())),
        start=start,
        end=end,
        timezone=timezone,
        venue=pick("venue", base.venue if base else None),
        stream_url=pick("stream_url", base.stream_url if base else None),
        description=pick("description", base.description if base else ""),
        languages=tuple(pick("languages", base.languages if base else ())),
        questions_from=_window_side(
            payload, "questions_from", base.questions.opens if base else None
        ),
        questions_until=_window_side(
            payload, "questions_until", base.questions.closes if base else None
        ),
    )


def _window_side(payload: EventPayload | EventEdit, name: str, current: Any) -> Any:
    """An edit that leaves the field out keeps it; an explicit null clears it."""
    if isinstance(payload, EventEdit) and name not in payload.model_fields_set:
        return current
    return getattr(payload, name)


async def _validate(
    session: AsyncSession, data: EventInput, now: datetime, existing: CalendarEvent | None
) -> CleanEvent:
    candidates, moderators = await store.known_people(session)
    try:
        return validate_event_input(
            data,
            now=now,
            known_candidates=candidates,
            known_moderators=moderators,
            existing=existing,
        )
    except ScheduleError as error:
        raise _invalid(error) from None


def _iso(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


def _clash_json(clash: Clash, events_by_uid: dict[str, Event]) -> dict[str, Any]:
    other = events_by_uid[clash.other_id]
    return {
        "event": {
            "slug": other.slug,
            "title": other.title,
            "starts_at": _iso(store.utc(other.starts_at)),
            "ends_at": _iso(store.utc(other.starts_at) + timedelta(minutes=other.duration_minutes)),
        },
        "candidates": list(clash.candidates),
        "moderators": list(clash.moderators),
        "venue": clash.venue,
    }


async def _check_conflicts(
    session: AsyncSession, services: Services, proposed: CalendarEvent, override: bool
) -> None:
    existing = await store.slots(session, services.origin)
    slot = Slot(
        id=proposed.uid,
        start_utc=proposed.start_utc,
        end_utc=proposed.end_utc,
        candidates=proposed.candidates,
        moderators=proposed.moderators,
        venue=proposed.venue,
        cancelled=proposed.cancelled,
    )
    clashes = find_clashes(slot, [other for _, other in existing])
    if clashes and not override:
        by_uid = {event.uid: event for event, _ in existing}
        names = ", ".join(by_uid[clash.other_id].title for clash in clashes)
        raise ActionRefused(
            "conflicts",
            f"This overlaps with: {names}. Save again with override to keep it anyway.",
            status=409,
            clashes=[_clash_json(clash, by_uid) for clash in clashes],
        )


def _bookings(event: CalendarEvent) -> tuple[object, ...]:
    """What a clash depends on: an edit that leaves these alone cannot create one."""
    return (event.start_utc, event.duration, event.candidates, event.moderators, event.venue)


async def _series(session: AsyncSession, who: OrganiserActor, slug: str) -> Series:
    """The series, if `who` may edit it (404 when there is none, 403 when not theirs)."""
    series = await find_series(session, slug)
    await require_series(session, who, series)
    return series


async def _event(session: AsyncSession, who: OrganiserActor, slug: str) -> Event:
    """The event, if `who` may edit its series (404 when there is none, 403 when not theirs)."""
    event = await session.scalar(select(Event).where(Event.slug == slug))
    if event is None:
        raise ActionRefused("unknown_event", "There is no such event.", status=404)
    await require_event(session, who, event)
    return event


async def _calendar(session: AsyncSession, services: Services, event: Event) -> CalendarEvent:
    return (await store.calendar_events(session, [event], services.origin))[0]


async def create_series(services: Services, who: OrganiserActor, payload: SeriesPayload) -> Series:
    """A new series, owned by the organiser who created it."""
    title = " ".join(tame_marks(payload.title).split())
    if not title:
        raise ActionRefused("invalid", "The title must not be empty.", field="title")
    now = services.clock()
    async with services.write_sessions() as session, session.begin():
        series = Series(
            slug=await store.unique_slug(session, Series, store.slugify(title, "series")),
            uid=f"{uuid.uuid4()}@townhall",
            title=title,
            description=tame_marks(payload.description).strip(),
            created_at=now,
            updated_at=now,
        )
        session.add(series)
        await session.flush()
        await organisers.set_role(session, series.id, who.organiser_id, organisers.OWNER, now)
    return series


async def edit_series(
    services: Services, who: OrganiserActor, slug: str, payload: SeriesEdit
) -> Series:
    async with services.write_sessions() as session, session.begin():
        series = await _series(session, who, slug)
        if payload.title is not None:
            title = " ".join(tame_marks(payload.title).split())
            if not title:
                raise ActionRefused("invalid", "The title must not be empty.", field="title")
            series.title = title
        if payload.description is not None:
            series.description = tame_marks(payload.description).strip()
        series.updated_at = services.clock()
    return series


async def publish_series(
    services: Services, who: OrganiserActor, slug: str, payload: PublishPayload
) -> Series:
    async with services.write_sessions() as session, session.begin():
        series = await _series(session, who, slug)
        now = services.clock()
        series.published_at = now if payload.published else None
        series.updated_at = now
    return series


async def add_person(services: Services, kind: str, payload: PersonPayload) -> dict[str, Any]:
    name = " ".join(tame_marks(payload.name).split())
    if not name:
        raise ActionRefused("invalid", "The name must not be empty.", field="name")
    model = Candidate if kind == "candidate" else Moderator
    async with services.write_sessions() as session, session.begin():
        if await session.scalar(select(model.id).where(model.name == name)) is not None:
            raise ActionRefused("duplicate", f"{name} is already listed.", field="name", status=409)
        if model is Candidate:
            country = tame_marks(payload.country).strip() if payload.country else None
            session.add(Candidate(name=name, country=country or None))
        else:
            session.add(Moderator(name=name, email=payload.email))
    return {"name": name}


async def create_event(
    services: Services, who: OrganiserActor, series_slug: str, payload: EventPayload
) -> EventOutcome:
    now = services.clock()
    async with services.write_sessions() as session, session.begin():
        series = await _series(session, who, series_slug)
        clean = await _validate(session, _event_input(payload, None), now, None)
        draft = new_event(clean, uid="(new)", url="", now=now)
        await _check_conflicts(session, services, draft, payload.override_conflicts)
        event, key = await store.create_event(
            session, series, clean, moderation_mode=payload.moderation_mode, now=now
        )
        copies = await series_store.carry_commons_into(session, event, now)
        calendar = await _calendar(session, services, event)
    await carried(services, copies, [event.id])
    return EventOutcome(event, calendar, key)


async def edit_event(
    services: Services, who: OrganiserActor, slug: str, payload: EventEdit | ReschedulePayload
) -> EventOutcome:
    now = services.clock()
    async with services.write_sessions() as session, session.begin():
        event = await _event(session, who, slug)
        current = await _calendar(session, services, event)
        if current.cancelled:
            raise ActionRefused("invalid", "A cancelled event cannot be changed.", field="status")
        edit = (
            payload
            if isinstance(payload, EventEdit)
            else EventEdit(
                start=payload.start,
                duration_minutes=payload.duration_minutes,
                timezone=payload.timezone,
                override_conflicts=payload.override_conflicts,
            )
        )
        clean = await _validate(session, _event_input(edit, current), now, current)
        revised = apply_edit(current, clean, now=now)
        if _bookings(revised) != _bookings(current):
            await _check_conflicts(session, services, revised, payload.override_conflicts)
        await store.store_revision(session, event, revised, clean)
        if isinstance(payload, EventEdit) and payload.moderation_mode is not None:
            event.moderation_mode = payload.moderation_mode
    await services.hub.notify(event.id)  # open pages show the new times and question window
    return EventOutcome(event, revised)


async def cancel(services: Services, who: OrganiserActor, slug: str) -> EventOutcome:
    now = services.clock()
    async with services.write_sessions() as session, session.begin():
        event = await _event(session, who, slug)
        current = await _calendar(session, services, event)
        if current.cancelled:
            return EventOutcome(event, current)
        try:
            revised = cancel_event(current, now=now)
        except ScheduleError as error:
            raise _invalid(error) from None
        await store.store_revision(session, event, revised, None)
        event.questions_open = False
    await services.hub.notify(event.id)
    return EventOutcome(event, revised)


async def rotate_moderator_key(
    services: Services, who: OrganiserActor, slug: str
) -> tuple[Event, str]:
    """A new moderator key; sockets opened with the old one close on every worker at once."""
    async with services.write_sessions() as session, session.begin():
        event = await _event(session, who, slug)
        key = store.rotate_moderator_key(event)
    await services.hub.revoke(event.id, "moderator", "key_rotated", KEY_ROTATED)
    return event, key
