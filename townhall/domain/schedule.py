"""Scheduled town halls and informal dialogues: value types, validation, SEQUENCE, local time (pure).

Times are stored as an instant in UTC plus the IANA zone the organisers planned in; wall-clock
times are derived through zoneinfo, so daylight saving changes are handled by the tz database.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from functools import lru_cache
from zoneinfo import ZoneInfo, available_timezones

from townhall.domain.intake import NO_WINDOW, QuestionWindow, window_problem
from townhall.domain.text import tame_marks

MAX_DURATION = timedelta(hours=24)
MAX_TITLE_LENGTH = 200
MAX_DESCRIPTION_LENGTH = 8000

# Present in some tz databases but not real places an organiser means.
_NOT_ZONES = frozenset({"localtime", "posixrules", "Factory"})
_LANGUAGE_TAG = re.compile(r"^[a-z]{2,3}(-[a-z0-9]{2,8})*$")


class EventKind(StrEnum):
    TOWN_HALL = "town_hall"
    INFORMAL_DIALOGUE = "informal_dialogue"


class EventStatus(StrEnum):
    SCHEDULED = "scheduled"
    LIVE = "live"
    ENDED = "ended"
    CANCELLED = "cancelled"


class ScheduleError(ValueError):
    """An event's input is not acceptable; `field` names the input to fix."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


def require_utc(name: str, value: datetime) -> None:
    if value.tzinfo is None or value.utcoffset() != timedelta(0):
        raise ValueError(f"{name} must be an aware datetime in UTC, got {value!r}")


@dataclass(frozen=True)
class CalendarEvent:
    """One town hall or informal dialogue as calendars see it."""

    uid: str  # never changes once the event exists, not even on reschedule
    title: str
    kind: EventKind
    candidates: tuple[str, ...]
    moderators: tuple[str, ...]
    start_utc: datetime
    duration: timedelta
    timezone: str
    venue: str | None
    stream_url: str | None
    description: str
    languages: tuple[str, ...]
    status: EventStatus
    sequence: int
    url: str
    updated_at: datetime
    # When questions are taken in advance (domain/intake.py); part of the invite.
    questions: QuestionWindow = NO_WINDOW

    def __post_init__(self) -> None:
        require_utc("start_utc", self.start_utc)
        require_utc("updated_at", self.updated_at)
        for name, moment in (("opens", self.questions.opens), ("closes", self.questions.closes)):
            if moment is not None:
                require_utc(f"questions.{name}", moment)
        if self.duration <= timedelta(0):
            raise ValueError(f"duration must be positive, got {self.duration!r}")

    @property
    def end_utc(self) -> datetime:
        return self.start_utc + self.duration

    @property
    def cancelled(self) -> bool:
        return self.status is EventStatus.CANCELLED


@dataclass(frozen=True)
class CalendarSeries:
    """A published series of events: one subscribable feed."""

    uid: str
    title: str
    description: str
    url: str
    events: tuple[CalendarEvent, ...]


@dataclass(frozen=True)
class EventInput:
    """What an organiser submits when creating or editing an event.

    `start` and `end` are wall-clock times in `timezone` when naive; aware values are converted.
    """

    title: str
    kind: str
    candidates: tuple[str, ...]
    moderators: tuple[str, ...]
    start: datetime
    end: datetime
    timezone: str
    venue: str | None = None
    stream_url: str | None = None
    description: str = ""
    languages: tuple[str, ...] = ()
    # Naive values are wall-clock times in `timezone`, like `start`.
    questions_from: datetime | None = None
    questions_until: datetime | None = None


@dataclass(frozen=True)
class CleanEvent:
    """Validated event values, ready to become (or update) a CalendarEvent."""

    title: str
    kind: EventKind
    candidates: tuple[str, ...]
    moderators: tuple[str, ...]
    start_utc: datetime
    duration: timedelta
    timezone: str
    venue: str | None
    stream_url: str | None
    description: str
    languages: tuple[str, ...]
    questions: QuestionWindow = NO_WINDOW


@lru_cache(maxsize=1)
def _known_zones() -> frozenset[str]:
    return frozenset(available_timezones()) - _NOT_ZONES


def zone(name: str) -> ZoneInfo:
    """The ZoneInfo for an IANA name; ScheduleError("timezone", ...) if unknown."""
    if name not in _known_zones():
        raise ScheduleError("timezone", f"Unknown time zone {name!r}; use an IANA name.")
    return ZoneInfo(name)


def utc_from_local(wall: datetime, timezone: str) -> datetime:
    """The UTC instant of a wall-clock time in `timezone`.

    A time skipped by a spring-forward change does not exist and is refused. A time repeated
    by a fall-back change is taken as its first occurrence (`fold=0`) unless `wall.fold` says
    otherwise.
    """
    tz = zone(timezone)
    local = wall.replace(tzinfo=tz)
    instant = local.astimezone(UTC)
    if instant.astimezone(tz).replace(tzinfo=None) != wall.replace(tzinfo=None, fold=0):
        raise ValueError(f"{wall:%Y-%m-%d %H:%M} does not exist in {timezone} (clocks change).")
    return instant


def to_local(instant: datetime, timezone: str) -> datetime:
    """`instant` as an aware datetime in `timezone`."""
    return instant.astimezone(zone(timezone))


def local_start(event: CalendarEvent) -> datetime:
    return to_local(event.start_utc, event.timezone)


def local_end(event: CalendarEvent) -> datetime:
    # Adding the duration to the UTC instant keeps the length right across a DST change.
    return to_local(event.end_utc, event.timezone)


def weekly_starts(first: datetime, timezone: str, count: int) -> tuple[datetime, ...]:
    """UTC starts of `count` weekly events that keep the wall-clock time of naive `first`."""
    return tuple(utc_from_local(first + timedelta(weeks=i), timezone) for i in range(count))


def _to_utc(field: str, value: datetime, timezone: str) -> datetime:
    try:
        if value.tzinfo is not None:
            return value.astimezone(UTC)
        return utc_from_local(value, timezone)
    except (ValueError, OverflowError) as exc:  # a time the clocks skip; past year 9999
        raise ScheduleError(field, str(exc)) from None


def _names(field: str, values: Iterable[str], known: Collection[str]) -> tuple[str, ...]:
    cleaned: list[str] = []
    for raw in values:
        name = " ".join(tame_marks(raw).split())
        if not name or name in cleaned:
            continue
        if name not in known:
            raise ScheduleError(field, f"Unknown {field.removesuffix('s')}: {name!r}.")
        cleaned.append(name)
    return tuple(cleaned)


def _optional_text(value: str | None) -> str | None:
    if value is None:
        return None
    return tame_marks(value).strip() or None


def _stream_url(value: str | None) -> str | None:
    url = _optional_text(value)
    if url is not None and not re.match(r"^https?://[^\s/]+\S*$", url):
        raise ScheduleError("stream_url", "The stream link must be an http(s) URL.")
    return url


def _languages(values: Iterable[str]) -> tuple[str, ...]:
    cleaned: list[str] = []
    for raw in values:
        tag = raw.strip().lower()
        if not _LANGUAGE_TAG.match(tag):
            raise ScheduleError("languages", f"Not a language tag: {raw!r}.")
        if tag not in cleaned:
            cleaned.append(tag)
    return tuple(cleaned)


def validate_event_input(
    data: EventInput,
    *,
    now: datetime,
    known_candidates: Collection[str],
    known_moderators: Collection[str],
    existing: CalendarEvent | None = None,
) -> CleanEvent:
    """Check and normalise an organiser's input; raise ScheduleError on the first problem.

    `existing` is the event being edited (None when creating). A start in the past is refused
    on creation, and on edit only when the start itself changes, so that an ended event's
    description can still be corrected.
    """
    require_utc("now", now)
    title = " ".join(tame_marks(data.title).split())
    if not title:
        raise ScheduleError("title", "The title must not be empty.")
    if len(title) > MAX_TITLE_LENGTH:
        raise ScheduleError("title", f"The title must be at most {MAX_TITLE_LENGTH} characters.")
    try:
        kind = EventKind(data.kind)
    except ValueError:
        raise ScheduleError("kind", f"Unknown kind {data.kind!r}.") from None
    timezone = data.timezone.strip()
    zone(timezone)
    start_utc = _to_utc("start", data.start, timezone)
    end_utc = _to_utc("end", data.end, timezone)
    duration = end_utc - start_utc
    if duration <= timedelta(0):
        raise ScheduleError("end", "The end must be after the start.")
    if duration > MAX_DURATION:
        raise ScheduleError("end", "An event must not last more than 24 hours.")
    start_changed = existing is None or existing.start_utc != start_utc
    if start_changed and start_utc < now:
        raise ScheduleError("start", "The start must not be in the past.")
    description = tame_marks(data.description).replace("\r\n", "\n").replace("\r", "\n").strip()
    if len(description) > MAX_DESCRIPTION_LENGTH:
        raise ScheduleError(
            "description", f"The description must be at most {MAX_DESCRIPTION_LENGTH} characters."
        )
    window = QuestionWindow(
        opens=None
        if data.questions_from is None
        else _to_utc("questions_from", data.questions_from, timezone),
        closes=None
        if data.questions_until is None
        else _to_utc("questions_until", data.questions_until, timezone),
    )
    problem = window_problem(window, start_utc)
    if problem is not None:
        raise ScheduleError(*problem)
    return CleanEvent(
        title=title,
        kind=kind,
        candidates=_names("candidates", data.candidates, known_candidates),
        moderators=_names("moderators", data.moderators, known_moderators),
        start_utc=start_utc,
        duration=duration,
        timezone=timezone,
        venue=_optional_text(data.venue),
        stream_url=_stream_url(data.stream_url),
        description=description,
        languages=_languages(data.languages),
        questions=window,
    )


def last_modified(series: CalendarSeries) -> datetime | None:
    """The latest change to any event of the series (None for an empty series)."""
    return max((event.updated_at for event in series.events), default=None)


def display_status(
    stored: EventStatus, start_utc: datetime, end_utc: datetime, now: datetime
) -> EventStatus:
    """What a schedule shows: cancelled and ended stay so; otherwise the clock decides."""
    if stored in (EventStatus.CANCELLED, EventStatus.ENDED):
        return stored
    if now < start_utc:
        return EventStatus.SCHEDULED
    if now < end_utc:
        return EventStatus.LIVE
    return EventStatus.ENDED
