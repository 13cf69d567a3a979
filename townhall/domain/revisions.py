"""An event's revisions: created, edited, rescheduled, cancelled, each with the SEQUENCE and
LAST-MODIFIED its calendar entry must carry (RFC 5545). Pure: `now` is passed in."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

from townhall.domain.intake import window_problem
from townhall.domain.schedule import (
    MAX_DURATION,
    CalendarEvent,
    CleanEvent,
    EventStatus,
    ScheduleError,
    require_utc,
)


def next_sequence(old: CalendarEvent, new: CalendarEvent) -> int:
    """The SEQUENCE `new` must carry: one more than `old` after a significant change.

    Significant (RFC 5545 3.8.7.4): time, duration, time zone, venue, stream link, status,
    and when questions are taken (attendees plan to ask by it).
    Title and description edits keep the number; DTSTAMP/LAST-MODIFIED tell clients to refresh.
    """
    significant = (
        old.start_utc != new.start_utc
        or old.duration != new.duration
        or old.timezone != new.timezone
        or old.venue != new.venue
        or old.stream_url != new.stream_url
        or old.status != new.status
        or old.questions != new.questions
    )
    return old.sequence + 1 if significant else old.sequence


def new_event(clean: CleanEvent, *, uid: str, url: str, now: datetime) -> CalendarEvent:
    """A freshly scheduled event from validated input."""
    return CalendarEvent(
        uid=uid,
        title=clean.title,
        kind=clean.kind,
        candidates=clean.candidates,
        moderators=clean.moderators,
        start_utc=clean.start_utc,
        duration=clean.duration,
        timezone=clean.timezone,
        venue=clean.venue,
        stream_url=clean.stream_url,
        description=clean.description,
        languages=clean.languages,
        questions=clean.questions,
        status=EventStatus.SCHEDULED,
        sequence=0,
        url=url,
        updated_at=now,
    )


def _revise(old: CalendarEvent, new: CalendarEvent, now: datetime) -> CalendarEvent:
    if new == old:
        return old
    return replace(new, sequence=next_sequence(old, new), updated_at=now)


def apply_edit(event: CalendarEvent, clean: CleanEvent, *, now: datetime) -> CalendarEvent:
    """`event` with validated edits applied; UID kept, SEQUENCE bumped when significant."""
    edited = replace(
        event,
        title=clean.title,
        kind=clean.kind,
        candidates=clean.candidates,
        moderators=clean.moderators,
        start_utc=clean.start_utc,
        duration=clean.duration,
        timezone=clean.timezone,
        venue=clean.venue,
        stream_url=clean.stream_url,
        description=clean.description,
        languages=clean.languages,
        questions=clean.questions,
    )
    return _revise(event, edited, now)


def reschedule_event(
    event: CalendarEvent, *, start_utc: datetime, duration: timedelta, now: datetime
) -> CalendarEvent:
    """`event` moved to a new time; a cancelled event cannot be moved (reinstate it first)."""
    require_utc("start_utc", start_utc)
    if event.cancelled:
        raise ScheduleError("status", "A cancelled event cannot be rescheduled.")
    if not timedelta(0) < duration <= MAX_DURATION:
        raise ScheduleError("end", "An event must last more than zero and at most 24 hours.")
    problem = window_problem(event.questions, start_utc)
    if problem is not None:
        raise ScheduleError(*problem)
    return _revise(event, replace(event, start_utc=start_utc, duration=duration), now)


def cancel_event(event: CalendarEvent, *, now: datetime) -> CalendarEvent:
    """`event` cancelled: it stays in feeds with STATUS:CANCELLED so calendars remove it."""
    if event.status is EventStatus.ENDED:
        raise ScheduleError("status", "An event that has ended cannot be cancelled.")
    return _revise(event, replace(event, status=EventStatus.CANCELLED), now)
