from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from calendar_values import NOW, MakeEvent, MakeInput, refusal, validate

from townhall.domain.intake import QuestionWindow
from townhall.domain.schedule import (
    CalendarSeries,
    CleanEvent,
    EventKind,
    last_modified,
    local_end,
    local_start,
    to_local,
    utc_from_local,
    weekly_starts,
)

# validate_event_input


def test_validate_event_input_cuts_runs_of_combining_marks(make_input: MakeInput) -> None:
    zalgo = "\u036f" * 300  # combining x: composes with no letter
    data = make_input(
        title=f"Town{zalgo} hall",
        venue=f"UN{zalgo} HQ",
        description=f"Questions{zalgo}.",
    )

    clean = validate(data)

    four = "\u036f" * 4
    assert (clean.title, clean.venue, clean.description) == (
        f"Town{four} hall",
        f"UN{four} HQ",
        f"Questions{four}.",
    )


def test_validate_event_input_valid_returns_clean_values(make_input: MakeInput) -> None:
    data = make_input(
        title="  Town hall   with candidates ",
        candidates=(" Анна Петрова", "王晓梅", "Анна Петрова"),
        venue="  ",
        description="First line\r\nSecond line\n",
        languages=("EN", "fr", "en"),
    )

    clean = validate(data)

    assert clean == CleanEvent(
        title="Town hall with candidates",
        kind=EventKind.TOWN_HALL,
        candidates=("Анна Петрова", "王晓梅"),
        moderators=("María José Núñez",),
        start_utc=datetime(2027, 3, 10, 15, 0, tzinfo=UTC),
        duration=timedelta(minutes=90),
        timezone="America/New_York",
        venue=None,
        stream_url="https://webtv.un.org/live",
        description="First line\nSecond line",
        languages=("en", "fr"),
    )


def test_validate_event_input_aware_times_are_converted_to_utc(make_input: MakeInput) -> None:
    data = make_input(
        start=datetime(2027, 3, 10, 16, 0, tzinfo=UTC),
        end=datetime(2027, 3, 10, 17, 0, tzinfo=UTC),
    )

    clean = validate(data)

    assert (clean.start_utc, clean.duration) == (
        datetime(2027, 3, 10, 16, 0, tzinfo=UTC),
        timedelta(hours=1),
    )


@pytest.mark.parametrize(
    "name", ["Mars/Olympus", "", "america/new_york", "America", "../etc/passwd", "localtime"]
)
def test_validate_event_input_unknown_timezone_is_refused(make_input: MakeInput, name: str) -> None:
    assert refusal(make_input(timezone=name)) == (
        "timezone",
        f"Unknown time zone {name!r}; use an IANA name.",
    )


def test_validate_event_input_end_before_start_is_refused(make_input: MakeInput) -> None:
    data = make_input(end=datetime(2027, 3, 10, 9, 0))

    assert refusal(data) == ("end", "The end must be after the start.")


def test_validate_event_input_zero_duration_is_refused(make_input: MakeInput) -> None:
    data = make_input(end=datetime(2027, 3, 10, 10, 0))

    assert refusal(data) == ("end", "The end must be after the start.")


def test_validate_event_input_over_24_hours_is_refused(make_input: MakeInput) -> None:
    data = make_input(end=datetime(2027, 3, 11, 10, 1))

    assert refusal(data) == ("end", "An event must not last more than 24 hours.")


def test_validate_event_input_exactly_24_hours_is_accepted(make_input: MakeInput) -> None:
    data = make_input(end=datetime(2027, 3, 11, 10, 0))

    assert validate(data).duration == timedelta(hours=24)


def test_validate_event_input_past_start_on_creation_is_refused(make_input: MakeInput) -> None:
    data = make_input(start=datetime(2027, 1, 15, 6, 59), end=datetime(2027, 1, 15, 8, 0))

    assert refusal(data) == ("start", "The start must not be in the past.")


def test_validate_event_input_start_now_on_creation_is_accepted(make_input: MakeInput) -> None:
    data = make_input(start=datetime(2027, 1, 15, 7, 0), end=datetime(2027, 1, 15, 8, 0))

    assert validate(data).start_utc == NOW


def test_validate_event_input_unchanged_past_start_on_edit_is_accepted(
    make_input: MakeInput, make_event: MakeEvent
) -> None:
    existing = make_event(start_utc=datetime(2027, 1, 10, 15, 0, tzinfo=UTC))
    data = make_input(
        start=datetime(2027, 1, 10, 10, 0),
        end=datetime(2027, 1, 10, 11, 30),
        description="Corrected after the event.",
    )

    assert validate(data, existing).description == "Corrected after the event."


def test_validate_event_input_start_moved_into_past_on_edit_is_refused(
    make_input: MakeInput, make_event: MakeEvent
) -> None:
    data = make_input(start=datetime(2027, 1, 10, 10, 0), end=datetime(2027, 1, 10, 11, 0))

    assert refusal(data, make_event()) == ("start", "The start must not be in the past.")


@pytest.mark.parametrize("title", ["", "   ", "\n\t"])
def test_validate_event_input_empty_title_is_refused(make_input: MakeInput, title: str) -> None:
    assert refusal(make_input(title=title)) == ("title", "The title must not be empty.")


def test_validate_event_input_unknown_candidate_is_refused(make_input: MakeInput) -> None:
    data = make_input(candidates=("Анна Петрова", "Nobody Known"))

    assert refusal(data) == ("candidates", "Unknown candidate: 'Nobody Known'.")


def test_validate_event_input_unknown_moderator_is_refused(make_input: MakeInput) -> None:
    data = make_input(moderators=("Anonymous",))

    assert refusal(data) == ("moderators", "Unknown moderator: 'Anonymous'.")


def test_validate_event_input_unknown_kind_is_refused(make_input: MakeInput) -> None:
    assert refusal(make_input(kind="debate")) == ("kind", "Unknown kind 'debate'.")


def test_validate_event_input_time_skipped_by_dst_is_refused(make_input: MakeInput) -> None:
    # 2027-03-14: New York clocks jump from 02:00 to 03:00.
    data = make_input(start=datetime(2027, 3, 14, 2, 30), end=datetime(2027, 3, 14, 4, 0))

    assert refusal(data) == (
        "start",
        "2027-03-14 02:30 does not exist in America/New_York (clocks change).",
    )


def test_validate_event_input_time_repeated_by_dst_takes_first_occurrence(
    make_input: MakeInput,
) -> None:
    # 2027-11-07: New York clocks fall back from 02:00 EDT to 01:00 EST.
    data = make_input(start=datetime(2027, 11, 7, 1, 30), end=datetime(2027, 11, 7, 3, 0))

    clean = validate(data)

    assert (clean.start_utc, clean.duration) == (
        datetime(2027, 11, 7, 5, 30, tzinfo=UTC),
        timedelta(hours=2, minutes=30),
    )


def test_validate_event_input_stream_url_not_http_is_refused(make_input: MakeInput) -> None:
    data = make_input(stream_url="javascript:alert(1)")

    assert refusal(data) == ("stream_url", "The stream link must be an http(s) URL.")


def test_validate_event_input_bad_language_tag_is_refused(make_input: MakeInput) -> None:
    data = make_input(languages=("en", "English!"))

    assert refusal(data) == ("languages", "Not a language tag: 'English!'.")


# value type


def test_calendar_event_naive_start_is_refused(make_event: MakeEvent) -> None:
    with pytest.raises(ValueError, match="start_utc must be an aware datetime in UTC"):
        make_event(start_utc=datetime(2027, 3, 10, 15, 0))


def test_calendar_event_non_utc_start_is_refused(make_event: MakeEvent) -> None:
    start = datetime(2027, 3, 10, 10, 0, tzinfo=ZoneInfo("America/New_York"))

    with pytest.raises(ValueError, match="start_utc must be an aware datetime in UTC"):
        make_event(start_utc=start)


def test_validate_event_input_window_wall_times_in_event_zone_become_utc(
    make_input: MakeInput,
) -> None:
    data = make_input(
        questions_from=datetime(2027, 3, 7, 9, 0),  # EST, before the DST change of 14 March
        questions_until=datetime(2027, 3, 10, 16, 30, tzinfo=UTC),
    )

    clean = validate(data)

    assert clean.questions == QuestionWindow(
        opens=datetime(2027, 3, 7, 14, 0, tzinfo=UTC),
        closes=datetime(2027, 3, 10, 16, 30, tzinfo=UTC),
    )


def test_validate_event_input_window_closing_before_opening_is_refused(
    make_input: MakeInput,
) -> None:
    data = make_input(
        questions_from=datetime(2027, 3, 10, 11, 0), questions_until=datetime(2027, 3, 10, 10, 0)
    )

    assert refusal(data) == ("questions_until", "Questions must close after they open.")


def test_validate_event_input_window_closing_before_start_is_refused(
    make_input: MakeInput,
) -> None:
    data = make_input(questions_until=datetime(2027, 3, 10, 9, 59))

    assert refusal(data) == (
        "questions_until",
        "Questions must stay open at least until the event starts.",
    )


def test_last_modified_series_is_latest_event_update(make_event: MakeEvent) -> None:
    series = CalendarSeries(
        uid="series-1@townhall.test",
        title="Town halls",
        description="",
        url="https://townhall.test/series/1",
        events=(make_event(), make_event(uid="event-2", updated_at=NOW)),
    )

    assert last_modified(series) == NOW


def test_last_modified_empty_series_is_none() -> None:
    series = CalendarSeries(uid="s", title="Empty", description="", url="https://t", events=())

    assert last_modified(series) is None


# local time and DST


def test_weekly_starts_new_york_across_march_2027_dst_keeps_wall_time() -> None:
    # US clocks go forward on Sunday 2027-03-14: 10:00 EST is 15:00 UTC, 10:00 EDT is 14:00 UTC.
    starts = weekly_starts(datetime(2027, 3, 3, 10, 0), "America/New_York", 4)

    assert starts == (
        datetime(2027, 3, 3, 15, 0, tzinfo=UTC),
        datetime(2027, 3, 10, 15, 0, tzinfo=UTC),
        datetime(2027, 3, 17, 14, 0, tzinfo=UTC),
        datetime(2027, 3, 24, 14, 0, tzinfo=UTC),
    )
    assert [to_local(s, "America/New_York").strftime("%H:%M %Z") for s in starts] == [
        "10:00 EST",
        "10:00 EST",
        "10:00 EDT",
        "10:00 EDT",
    ]


@pytest.mark.parametrize(
    ("timezone", "utc_hour", "utc_minute"),
    [("Africa/Nairobi", 7, 0), ("Asia/Kolkata", 4, 30)],
)
def test_weekly_starts_zone_without_dst_keeps_utc_time(
    timezone: str, utc_hour: int, utc_minute: int
) -> None:
    starts = weekly_starts(datetime(2027, 3, 3, 10, 0), timezone, 3)

    assert starts == tuple(
        datetime(2027, 3, day, utc_hour, utc_minute, tzinfo=UTC) for day in (3, 10, 17)
    )


def test_local_start_event_after_dst_change_is_edt(make_event: MakeEvent) -> None:
    event = make_event(start_utc=datetime(2027, 3, 17, 14, 0, tzinfo=UTC))

    assert local_start(event).isoformat() == "2027-03-17T10:00:00-04:00"


def test_local_end_event_spanning_dst_change_keeps_duration(make_event: MakeEvent) -> None:
    # Starts 01:00 EST; two hours later the wall clock reads 04:00 EDT.
    event = make_event(
        start_utc=datetime(2027, 3, 14, 6, 0, tzinfo=UTC), duration=timedelta(hours=2)
    )

    assert (local_start(event).isoformat(), local_end(event).isoformat()) == (
        "2027-03-14T01:00:00-05:00",
        "2027-03-14T04:00:00-04:00",
    )


def test_utc_from_local_second_occurrence_with_fold() -> None:
    wall = datetime(2027, 11, 7, 1, 30, fold=1)

    assert utc_from_local(wall, "America/New_York") == datetime(2027, 11, 7, 6, 30, tzinfo=UTC)
