from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from townhall.domain.conflicts import Clash, Slot, find_clashes, overlaps, slot_of
from townhall.domain.schedule import CalendarEvent, EventKind, EventStatus

MakeSlot = Callable[..., Slot]


def at(hour: int, minute: int = 0) -> datetime:
    return datetime(2027, 3, 10, hour, minute, tzinfo=UTC)


@pytest.fixture
def make_slot() -> MakeSlot:
    def make(**overrides: Any) -> Slot:
        values: dict[str, Any] = {
            "id": "proposed",
            "start_utc": at(14),
            "end_utc": at(15, 30),
            "candidates": ("Анна Петрова", "王晓梅"),
            "moderators": ("María José Núñez",),
            "venue": "UN Headquarters, Conference Room 4",
        }
        values.update(overrides)
        return Slot(**values)

    return make


def test_find_clashes_shared_candidate_clashes(make_slot: MakeSlot) -> None:
    other = make_slot(
        id="other", candidates=("王晓梅", "Kofi Mensah"), moderators=(), venue="Geneva"
    )

    assert find_clashes(make_slot(), [other]) == [
        Clash(other_id="other", candidates=("王晓梅",), moderators=(), venue=None)
    ]


def test_find_clashes_shared_moderator_clashes(make_slot: MakeSlot) -> None:
    other = make_slot(id="other", candidates=(), venue=None)

    assert find_clashes(make_slot(), [other]) == [
        Clash(other_id="other", candidates=(), moderators=("María José Núñez",), venue=None)
    ]


def test_find_clashes_same_venue_ignoring_case_and_spacing_clashes(make_slot: MakeSlot) -> None:
    other = make_slot(
        id="other", candidates=(), moderators=(), venue="un headquarters,  conference room 4 "
    )

    assert find_clashes(make_slot(), [other]) == [
        Clash(
            other_id="other",
            candidates=(),
            moderators=(),
            venue="un headquarters,  conference room 4 ",
        )
    ]


def test_find_clashes_online_only_events_do_not_clash_on_venue(make_slot: MakeSlot) -> None:
    other = make_slot(id="other", candidates=(), moderators=(), venue=None)

    assert find_clashes(make_slot(venue=None), [other]) == []


def test_find_clashes_nothing_shared_does_not_clash(make_slot: MakeSlot) -> None:
    other = make_slot(id="other", candidates=("Kofi Mensah",), moderators=(), venue="Geneva")

    assert find_clashes(make_slot(), [other]) == []


@pytest.mark.parametrize(
    ("start", "end"),
    [(at(12), at(14)), (at(15, 30), at(17))],
    ids=["ends-as-proposed-starts", "starts-as-proposed-ends"],
)
def test_find_clashes_touching_intervals_do_not_clash(
    make_slot: MakeSlot, start: datetime, end: datetime
) -> None:
    other = make_slot(id="other", start_utc=start, end_utc=end)

    assert find_clashes(make_slot(), [other]) == []


def test_find_clashes_one_minute_overlap_clashes(make_slot: MakeSlot) -> None:
    other = make_slot(id="other", start_utc=at(12), end_utc=at(14, 1), moderators=(), venue=None)

    assert find_clashes(make_slot(), [other]) == [
        Clash(other_id="other", candidates=("Анна Петрова", "王晓梅"), moderators=(), venue=None)
    ]


def test_find_clashes_cancelled_existing_does_not_clash(make_slot: MakeSlot) -> None:
    other = make_slot(id="other", cancelled=True)

    assert find_clashes(make_slot(), [other]) == []


def test_find_clashes_cancelled_proposed_does_not_clash(make_slot: MakeSlot) -> None:
    other = make_slot(id="other")

    assert find_clashes(make_slot(cancelled=True), [other]) == []


def test_find_clashes_same_id_is_the_event_being_edited(make_slot: MakeSlot) -> None:
    old_self = make_slot(start_utc=at(13), end_utc=at(14, 30))

    assert find_clashes(make_slot(), [old_self]) == []


def test_find_clashes_several_reported_earliest_first(make_slot: MakeSlot) -> None:
    late = make_slot(id="late", start_utc=at(15), end_utc=at(16), moderators=(), venue=None)
    early = make_slot(id="early", start_utc=at(13), end_utc=at(14, 30), candidates=("Kofi Mensah",))
    apart = make_slot(id="apart", start_utc=at(18), end_utc=at(19))

    clashes = find_clashes(make_slot(), [late, apart, early])

    assert clashes == [
        Clash(
            other_id="early",
            candidates=(),
            moderators=("María José Núñez",),
            venue="UN Headquarters, Conference Room 4",
        ),
        Clash(other_id="late", candidates=("Анна Петрова", "王晓梅"), moderators=(), venue=None),
    ]


def test_overlaps_contained_interval_overlaps(make_slot: MakeSlot) -> None:
    inner = make_slot(id="inner", start_utc=at(14, 30), end_utc=at(15))

    assert (overlaps(make_slot(), inner), overlaps(inner, make_slot())) == (True, True)


def test_slot_of_cancelled_event_carries_times_people_and_state() -> None:
    event = CalendarEvent(
        uid="event-1@townhall.test",
        title="Informal dialogue",
        kind=EventKind.INFORMAL_DIALOGUE,
        candidates=("ليلى الحسن",),
        moderators=("Priya Raman",),
        start_utc=at(14),
        duration=timedelta(hours=1),
        timezone="Africa/Nairobi",
        venue="UNON, Gigiri",
        stream_url=None,
        description="",
        languages=("en",),
        status=EventStatus.CANCELLED,
        sequence=1,
        url="https://townhall.test/events/1",
        updated_at=at(9),
    )

    assert slot_of(event) == Slot(
        id="event-1@townhall.test",
        start_utc=at(14),
        end_utc=at(15),
        candidates=("ليلى الحسن",),
        moderators=("Priya Raman",),
        venue="UNON, Gigiri",
        cancelled=True,
    )
