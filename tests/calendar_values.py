"""Calendar values for the domain tests of scheduling (tests/domain/test_schedule.py,
test_revisions.py): an event's input as an organiser sends it, a stored event, validation."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from townhall.domain.schedule import (
    CalendarEvent,
    CleanEvent,
    EventInput,
    EventKind,
    EventStatus,
    ScheduleError,
    validate_event_input,
)

NOW = datetime(2027, 1, 15, 12, 0, tzinfo=UTC)
CANDIDATES = frozenset({"Анна Петрова", "王晓梅", "ليلى الحسن", "Kofi Mensah"})
MODERATORS = frozenset({"María José Núñez", "Priya Raman"})

MakeInput = Callable[..., EventInput]
MakeEvent = Callable[..., CalendarEvent]


def event_input_maker() -> MakeInput:
    def make(**overrides: Any) -> EventInput:
        values: dict[str, Any] = {
            "title": "Town hall with candidates",
            "kind": "town_hall",
            "candidates": ("Анна Петрова", "王晓梅"),
            "moderators": ("María José Núñez",),
            "start": datetime(2027, 3, 10, 10, 0),
            "end": datetime(2027, 3, 10, 11, 30),
            "timezone": "America/New_York",
            "venue": "UN Headquarters, Conference Room 4",
            "stream_url": "https://webtv.un.org/live",
            "description": "Questions from the public.",
            "languages": ("en", "fr"),
        }
        values.update(overrides)
        return EventInput(**values)

    return make


def calendar_event_maker() -> MakeEvent:
    def make(**overrides: Any) -> CalendarEvent:
        values: dict[str, Any] = {
            "uid": "event-1@townhall.test",
            "title": "Town hall with candidates",
            "kind": EventKind.TOWN_HALL,
            "candidates": ("Анна Петрова", "王晓梅"),
            "moderators": ("María José Núñez",),
            "start_utc": datetime(2027, 3, 10, 15, 0, tzinfo=UTC),
            "duration": timedelta(minutes=90),
            "timezone": "America/New_York",
            "venue": "UN Headquarters, Conference Room 4",
            "stream_url": "https://webtv.un.org/live",
            "description": "Questions from the public.",
            "languages": ("en", "fr"),
            "status": EventStatus.SCHEDULED,
            "sequence": 0,
            "url": "https://townhall.test/events/1",
            "updated_at": datetime(2027, 1, 1, tzinfo=UTC),
        }
        values.update(overrides)
        return CalendarEvent(**values)

    return make


def validate(data: EventInput, existing: CalendarEvent | None = None) -> CleanEvent:
    return validate_event_input(
        data,
        now=NOW,
        known_candidates=CANDIDATES,
        known_moderators=MODERATORS,
        existing=existing,
    )


def refusal(data: EventInput, existing: CalendarEvent | None = None) -> tuple[str, str]:
    with pytest.raises(ScheduleError) as caught:
        validate(data, existing)
    return (caught.value.field, caught.value.message)
