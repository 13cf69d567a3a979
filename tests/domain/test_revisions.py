"""An event's revisions (townhall/domain/revisions.py): SEQUENCE, edits, reschedules and
cancellations."""

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from calendar_values import NOW, MakeEvent, MakeInput, validate

from townhall.domain.intake import QuestionWindow
from townhall.domain.revisions import (
    apply_edit,
    cancel_event,
    new_event,
    next_sequence,
    reschedule_event,
)
from townhall.domain.schedule import EventStatus, ScheduleError


def test_reschedule_event_past_window_close_is_refused(make_event: MakeEvent) -> None:
    event = make_event(questions=QuestionWindow(closes=datetime(2027, 3, 10, 16, 30, tzinfo=UTC)))

    with pytest.raises(ScheduleError) as caught:
        reschedule_event(
            event,
            start_utc=datetime(2027, 3, 11, 15, 0, tzinfo=UTC),
            duration=timedelta(hours=1),
            now=NOW,
        )

    assert caught.value.field == "questions_until"


# SEQUENCE


@pytest.mark.parametrize(
    "change",
    [
        {"start_utc": datetime(2027, 3, 10, 16, 0, tzinfo=UTC)},
        {"duration": timedelta(hours=2)},
        {"timezone": "Europe/Geneva"},
        {"venue": "Palais des Nations, Geneva"},
        {"venue": None},
        {"stream_url": "https://media.un.org/live"},
        {"status": EventStatus.CANCELLED},
        {"status": EventStatus.LIVE},
        {"questions": QuestionWindow(opens=datetime(2027, 3, 1, 14, 0, tzinfo=UTC))},
        {"questions": QuestionWindow(closes=datetime(2027, 3, 10, 16, 30, tzinfo=UTC))},
    ],
)
def test_next_sequence_significant_change_bumps(
    make_event: MakeEvent, change: dict[str, Any]
) -> None:
    old = make_event(sequence=3)

    assert next_sequence(old, replace(old, **change)) == 4


@pytest.mark.parametrize(
    "change",
    [
        {},
        {"title": "Town hall, renamed"},
        {"description": "New description"},
        {"candidates": ("Анна Петрова",)},
        {"languages": ("en", "fr", "ar")},
    ],
)
def test_next_sequence_minor_change_keeps(make_event: MakeEvent, change: dict[str, Any]) -> None:
    old = make_event(sequence=3)

    assert next_sequence(old, replace(old, **change)) == 3


# lifecycle


def test_new_event_from_clean_values_is_scheduled_with_sequence_zero(
    make_input: MakeInput, make_event: MakeEvent
) -> None:
    clean = validate(make_input())

    event = new_event(
        clean, uid="event-1@townhall.test", url="https://townhall.test/events/1", now=NOW
    )

    assert event == make_event(updated_at=NOW)


def test_apply_edit_venue_change_keeps_uid_and_bumps_sequence(
    make_input: MakeInput, make_event: MakeEvent
) -> None:
    old = make_event(sequence=2)
    clean = validate(make_input(venue="Palais des Nations, Geneva"), old)

    edited = apply_edit(old, clean, now=NOW)

    assert edited == replace(old, venue="Palais des Nations, Geneva", sequence=3, updated_at=NOW)


def test_apply_edit_title_change_keeps_sequence(
    make_input: MakeInput, make_event: MakeEvent
) -> None:
    old = make_event(sequence=2)
    clean = validate(make_input(title="Town hall: Africa"), old)

    edited = apply_edit(old, clean, now=NOW)

    assert edited == replace(old, title="Town hall: Africa", updated_at=NOW)


def test_apply_edit_without_change_returns_event_unchanged(
    make_input: MakeInput, make_event: MakeEvent
) -> None:
    old = make_event(sequence=2)
    clean = validate(make_input(), old)

    assert apply_edit(old, clean, now=NOW) == old


def test_reschedule_event_changes_time_sequence_and_updated_at_only(
    make_event: MakeEvent,
) -> None:
    old = make_event(sequence=1)
    later = datetime(2027, 3, 17, 14, 0, tzinfo=UTC)

    moved = reschedule_event(old, start_utc=later, duration=timedelta(hours=2), now=NOW)

    assert moved == replace(
        old, start_utc=later, duration=timedelta(hours=2), sequence=2, updated_at=NOW
    )


def test_reschedule_event_cancelled_is_refused(make_event: MakeEvent) -> None:
    old = make_event(status=EventStatus.CANCELLED)

    with pytest.raises(ScheduleError) as caught:
        reschedule_event(old, start_utc=old.start_utc, duration=timedelta(hours=1), now=NOW)

    assert caught.value.field == "status"


def test_cancel_event_changes_status_sequence_and_updated_at_only(make_event: MakeEvent) -> None:
    old = make_event(sequence=1)

    cancelled = cancel_event(old, now=NOW)

    assert cancelled == replace(old, status=EventStatus.CANCELLED, sequence=2, updated_at=NOW)


def test_cancel_event_already_cancelled_is_unchanged(make_event: MakeEvent) -> None:
    old = make_event(status=EventStatus.CANCELLED, sequence=4)

    assert cancel_event(old, now=NOW) == old


def test_cancel_event_ended_is_refused(make_event: MakeEvent) -> None:
    with pytest.raises(ScheduleError) as caught:
        cancel_event(make_event(status=EventStatus.ENDED), now=NOW)

    assert caught.value.field == "status"
