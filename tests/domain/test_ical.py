"""ICS output: golden bytes, plus a parse by vobject, a parser independent of icalendar.

Regenerate the golden files after an intended change with TOWNHALL_UPDATE_GOLDEN=1, then read
the diff before committing it.
"""

import os
import subprocess
import sys
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import vobject

from townhall.domain.ical import (
    build_event_invite,
    build_series_feed,
    etag_for,
    google_calendar_url,
    outlook_calendar_url,
    question_window_line,
    webcal_url,
)
from townhall.domain.intake import QuestionWindow
from townhall.domain.revisions import cancel_event, reschedule_event
from townhall.domain.schedule import (
    CalendarEvent,
    CalendarSeries,
    EventKind,
    EventStatus,
    weekly_starts,
)

GOLDEN = Path(__file__).parent / "golden"
DTSTAMP = datetime(2027, 2, 1, 9, 0, tzinfo=UTC)
EDITED = datetime(2027, 2, 20, 16, 45, tzinfo=UTC)
DESCRIPTION = (
    "Questions from the public, in person and online; answers by each candidate.\n"
    "Bring ID: entry via the visitors' gate\\security check."
)

# Questions taken from a week before the town hall until it ends.
WINDOW = QuestionWindow(
    opens=datetime(2027, 3, 11, 14, 0, tzinfo=UTC), closes=datetime(2027, 3, 18, 15, 30, tzinfo=UTC)
)

MakeEvent = Callable[..., CalendarEvent]


@pytest.fixture(autouse=True)
def _fresh_vobject_timezones() -> None:
    """vobject keeps each VTIMEZONE it reads in a process-wide map by TZID; a zone read from
    another file (covering other years) must not decide how these files are read."""
    getattr(vobject.icalendar, "__tzidMap").clear()


@pytest.fixture
def make_event() -> MakeEvent:
    def make(**overrides: Any) -> CalendarEvent:
        values: dict[str, Any] = {
            "uid": "town-hall-2027-03-18@townhall.test",
            "title": "Town hall: candidates for Secretary-General",
            "kind": EventKind.TOWN_HALL,
            "candidates": ("ليلى الحسن", "王晓梅", "Анна Петрова"),
            "moderators": ("María José Núñez",),
            "start_utc": datetime(2027, 3, 18, 14, 0, tzinfo=UTC),
            "duration": timedelta(minutes=90),
            "timezone": "America/New_York",
            "venue": "UN Headquarters, Conference Room 4; New York",
            "stream_url": "https://webtv.un.org/live/town-hall",
            "description": DESCRIPTION,
            "languages": ("en", "fr", "ar", "zh", "ru", "es"),
            "status": EventStatus.SCHEDULED,
            "sequence": 0,
            "url": "https://townhall.test/events/town-hall-2027-03-18",
            "updated_at": DTSTAMP,
        }
        values.update(overrides)
        return CalendarEvent(**values)

    return make


@pytest.fixture
def series(make_event: MakeEvent) -> CalendarSeries:
    """Weekly New York dialogues across the March 2027 DST change, plus one in Nairobi.

    The second dialogue was moved by a day, the Nairobi one cancelled.
    """
    first, second = weekly_starts(datetime(2027, 3, 9, 10, 0), "America/New_York", 2)
    dialogue = make_event(
        uid="dialogue-1@townhall.test",
        title="Informal dialogue with Анна Петрова",
        kind=EventKind.INFORMAL_DIALOGUE,
        candidates=("Анна Петрова",),
        moderators=("Priya Raman",),
        start_utc=first,
        duration=timedelta(hours=2),
        description="Member States and civil society; two hours.",
        languages=("en", "ru"),
        url="https://townhall.test/events/dialogue-1",
        questions=QuestionWindow(opens=first - timedelta(days=2)),
    )
    moved = reschedule_event(
        replace(
            dialogue,
            uid="dialogue-2@townhall.test",
            title="Informal dialogue with 王晓梅",
            candidates=("王晓梅",),
            start_utc=second,
            languages=("en", "zh"),
            url="https://townhall.test/events/dialogue-2",
            questions=QuestionWindow(),
        ),
        start_utc=second + timedelta(days=1),
        duration=timedelta(hours=2),
        now=EDITED,
    )
    nairobi = cancel_event(
        make_event(
            uid="dialogue-3@townhall.test",
            title="Informal dialogue with ليلى الحسن",
            kind=EventKind.INFORMAL_DIALOGUE,
            candidates=("ليلى الحسن",),
            moderators=("Priya Raman",),
            start_utc=datetime(2027, 3, 23, 11, 0, tzinfo=UTC),
            timezone="Africa/Nairobi",
            venue="UN Office at Nairobi, Gigiri",
            stream_url=None,
            description="",
            languages=("en", "ar"),
            url="https://townhall.test/events/dialogue-3",
        ),
        now=EDITED,
    )
    return CalendarSeries(
        uid="informal-dialogues-2027@townhall.test",
        title="Informal dialogues with candidates, 2027",
        description="Every informal dialogue with Secretary-General candidates.",
        url="https://townhall.test/series/informal-dialogues-2027",
        events=(nairobi, moved, dialogue),
    )


def assert_golden(name: str, actual: bytes) -> None:
    path = GOLDEN / name
    if os.environ.get("TOWNHALL_UPDATE_GOLDEN") == "1":
        path.write_bytes(actual)
    assert actual == path.read_bytes()


def parse(ics: bytes) -> tuple[Any, Any]:
    """vobject's view twice: raw (TZID kept as written) and resolved through the VTIMEZONEs."""
    text = ics.decode("utf-8")
    return vobject.readOne(text, transform=False), vobject.readOne(text)


def event_facts(raw: Any, resolved: Any) -> dict[str, Any]:
    return {
        "uid": raw.uid.value,
        "sequence": raw.sequence.value,
        "status": raw.status.value,
        "dtstart": (raw.dtstart.params["TZID"], raw.dtstart.value),
        "dtend": (raw.dtend.params["TZID"], raw.dtend.value),
        "start": resolved.dtstart.value.astimezone(UTC),
        "end": resolved.dtend.value.astimezone(UTC),
        "summary": resolved.summary.value,
    }


# golden files


def test_build_event_invite_matches_golden(make_event: MakeEvent) -> None:
    ics = build_event_invite(make_event(questions=WINDOW), dtstamp=DTSTAMP, reminder_minutes=30)

    assert_golden("town_hall_invite.ics", ics)


def test_build_series_feed_matches_golden(series: CalendarSeries) -> None:
    ics = build_series_feed(
        series, dtstamp=EDITED, source_url="https://townhall.test/series/informal/feed.ics"
    )

    assert_golden("series_feed.ics", ics)


# independent parse


def test_build_event_invite_parsed_by_vobject_round_trips(make_event: MakeEvent) -> None:
    event = make_event(questions=WINDOW)

    raw, resolved = parse(build_event_invite(event, dtstamp=DTSTAMP, reminder_minutes=30))

    assert (raw.method.value, raw.prodid.value) == (
        "PUBLISH",
        "-//Townhall//Town hall calendar 1.0//EN",
    )
    assert event_facts(raw.vevent, resolved.vevent) == {
        "uid": "town-hall-2027-03-18@townhall.test",
        "sequence": "0",
        "status": "CONFIRMED",
        "dtstart": (["America/New_York"], "20270318T100000"),
        "dtend": (["America/New_York"], "20270318T113000"),
        "start": datetime(2027, 3, 18, 14, 0, tzinfo=UTC),
        "end": datetime(2027, 3, 18, 15, 30, tzinfo=UTC),
        "summary": "Town hall: candidates for Secretary-General",
    }
    assert resolved.vevent.location.value == "UN Headquarters, Conference Room 4; New York"
    assert resolved.vevent.url.value == "https://townhall.test/events/town-hall-2027-03-18"
    assert resolved.vevent.description.value == (
        "Town hall\n\n"
        f"{DESCRIPTION}\n\n"
        "Candidates: ليلى الحسن, 王晓梅, Анна Петрова\n"
        "Moderators: María José Núñez\n"
        "Languages: English, French, Arabic, Chinese, Russian, Spanish\n"
        "Watch live: https://webtv.un.org/live/town-hall\n"
        "Questions open from 2027-03-11 09:00 until 2027-03-18 11:30 (America/New_York)"
        " on the event page.\n"
        "Event page: https://townhall.test/events/town-hall-2027-03-18"
    )
    assert (resolved.vevent.valarm.action.value, resolved.vevent.valarm.trigger.value) == (
        "DISPLAY",
        timedelta(minutes=-30),
    )


def test_build_series_feed_parsed_by_vobject_has_every_event(series: CalendarSeries) -> None:
    raw, resolved = parse(build_series_feed(series, dtstamp=EDITED))

    facts = [event_facts(r, v) for r, v in zip(raw.vevent_list, resolved.vevent_list, strict=True)]

    assert facts == [
        {
            "uid": "dialogue-1@townhall.test",
            "sequence": "0",
            "status": "CONFIRMED",
            "dtstart": (["America/New_York"], "20270309T100000"),
            "dtend": (["America/New_York"], "20270309T120000"),
            "start": datetime(2027, 3, 9, 15, 0, tzinfo=UTC),
            "end": datetime(2027, 3, 9, 17, 0, tzinfo=UTC),
            "summary": "Informal dialogue with Анна Петрова",
        },
        {
            "uid": "dialogue-2@townhall.test",
            "sequence": "1",
            "status": "CONFIRMED",
            "dtstart": (["America/New_York"], "20270317T100000"),
            "dtend": (["America/New_York"], "20270317T120000"),
            "start": datetime(2027, 3, 17, 14, 0, tzinfo=UTC),
            "end": datetime(2027, 3, 17, 16, 0, tzinfo=UTC),
            "summary": "Informal dialogue with 王晓梅",
        },
        {
            "uid": "dialogue-3@townhall.test",
            "sequence": "1",
            "status": "CANCELLED",
            "dtstart": (["Africa/Nairobi"], "20270323T140000"),
            "dtend": (["Africa/Nairobi"], "20270323T153000"),
            "start": datetime(2027, 3, 23, 11, 0, tzinfo=UTC),
            "end": datetime(2027, 3, 23, 12, 30, tzinfo=UTC),
            "summary": "Cancelled: Informal dialogue with ليلى الحسن",
        },
    ]
    assert [tz.tzid.value for tz in raw.vtimezone_list] == ["Africa/Nairobi", "America/New_York"]
    assert (
        raw.x_wr_calname.value,
        raw.contents["refresh-interval"][0].value,
        raw.x_published_ttl.value,
    ) == ("Informal dialogues with candidates, 2027", "PT1H", "PT1H")


# encoding


@pytest.mark.parametrize("kind", ["invite", "feed"])
def test_ics_lines_fold_at_75_octets_without_splitting_utf8(
    make_event: MakeEvent, series: CalendarSeries, kind: str
) -> None:
    long_event = make_event(description="Кандидаты: " + "ليلى الحسن, 王晓梅, Анна Петрова; " * 12)
    ics = (
        build_event_invite(long_event, dtstamp=DTSTAMP)
        if kind == "invite"
        else build_series_feed(series, dtstamp=EDITED)
    )

    lines = ics.split(b"\r\n")

    assert (lines[-1], b"\n" in b"".join(lines), max(len(line) for line in lines) <= 75) == (
        b"",
        False,
        True,
    )
    for line in lines:
        line.decode("utf-8")  # strict: a fold inside a UTF-8 sequence would fail here


def test_build_event_invite_escapes_text_values(make_event: MakeEvent) -> None:
    event = make_event(title="A, B; C\\D", venue="Room 1, Floor 2; Building\\East", stream_url=None)

    ics = build_event_invite(event, dtstamp=DTSTAMP)

    unfolded = ics.replace(b"\r\n ", b"")
    assert b"SUMMARY:A\\, B\\; C\\\\D\r\n" in unfolded
    assert b"LOCATION:Room 1\\, Floor 2\\; Building\\\\East\r\n" in unfolded
    assert b"visitors' gate\\\\security check.\\n\\nCandidates:" in unfolded


# content rules


def test_build_event_invite_reschedule_keeps_uid_and_bumps_sequence(
    make_event: MakeEvent,
) -> None:
    event = make_event()
    moved = reschedule_event(
        event,
        start_utc=datetime(2027, 3, 25, 14, 0, tzinfo=UTC),
        duration=event.duration,
        now=EDITED,
    )

    before, _ = parse(build_event_invite(event, dtstamp=event.updated_at))
    after, _ = parse(build_event_invite(moved, dtstamp=moved.updated_at))

    assert [
        (e.vevent.uid.value, e.vevent.sequence.value, e.vevent.dtstart.value, e.vevent.status.value)
        for e in (before, after)
    ] == [
        ("town-hall-2027-03-18@townhall.test", "0", "20270318T100000", "CONFIRMED"),
        ("town-hall-2027-03-18@townhall.test", "1", "20270325T100000", "CONFIRMED"),
    ]


def test_build_event_invite_cancelled_is_status_cancelled_without_alarm(
    make_event: MakeEvent,
) -> None:
    cancelled = cancel_event(make_event(), now=EDITED)

    raw, _ = parse(build_event_invite(cancelled, dtstamp=EDITED, reminder_minutes=30))

    assert (
        raw.vevent.uid.value,
        raw.vevent.sequence.value,
        raw.vevent.status.value,
        raw.vevent.summary.value,
        "valarm" in raw.vevent.contents,
        raw.vevent.description.value.splitlines()[0],
    ) == (
        "town-hall-2027-03-18@townhall.test",
        "1",
        "CANCELLED",
        "Cancelled: Town hall: candidates for Secretary-General",
        False,
        "This event has been cancelled.",
    )


def test_build_event_invite_utc_event_has_no_vtimezone(make_event: MakeEvent) -> None:
    raw, _ = parse(build_event_invite(make_event(timezone="UTC"), dtstamp=DTSTAMP))

    assert (raw.vevent.dtstart.value, "vtimezone" in raw.contents) == ("20270318T140000Z", False)


def test_build_event_invite_online_only_location_is_stream_link(make_event: MakeEvent) -> None:
    raw, _ = parse(build_event_invite(make_event(venue=None), dtstamp=DTSTAMP))

    assert raw.vevent.location.value == "https://webtv.un.org/live/town-hall"


def test_build_event_invite_without_reminder_has_no_alarm(make_event: MakeEvent) -> None:
    raw, _ = parse(build_event_invite(make_event(), dtstamp=DTSTAMP))

    assert "valarm" not in raw.vevent.contents


def test_build_event_invite_negative_reminder_is_refused(make_event: MakeEvent) -> None:
    with pytest.raises(ValueError, match="reminder_minutes must not be negative"):
        build_event_invite(make_event(), dtstamp=DTSTAMP, reminder_minutes=-5)


def test_build_series_feed_same_input_gives_same_bytes(series: CalendarSeries) -> None:
    reordered = replace(series, events=tuple(reversed(series.events)))

    assert build_series_feed(series, dtstamp=EDITED) == build_series_feed(reordered, dtstamp=EDITED)


def test_ical_module_import_does_not_load_icalendar() -> None:
    code = "import sys, townhall.domain.ical; print('icalendar' in sys.modules)"

    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )

    assert result.stdout == "False\n"


# links and helpers


def test_google_calendar_url_carries_event_fields(make_event: MakeEvent) -> None:
    event = make_event()

    url = urlsplit(google_calendar_url(event))

    assert (url.scheme, url.netloc, url.path) == (
        "https",
        "calendar.google.com",
        "/calendar/render",
    )
    assert parse_qs(url.query, strict_parsing=True) == {
        "action": ["TEMPLATE"],
        "text": ["Town hall: candidates for Secretary-General"],
        "dates": ["20270318T140000Z/20270318T153000Z"],
        "details": [build_details(event)],
        "location": ["UN Headquarters, Conference Room 4; New York"],
        "ctz": ["America/New_York"],
    }
    assert "+" not in url.query


def test_outlook_calendar_url_carries_event_fields(make_event: MakeEvent) -> None:
    event = make_event()

    url = urlsplit(outlook_calendar_url(event))

    assert (url.scheme, url.netloc, url.path) == (
        "https",
        "outlook.live.com",
        "/calendar/0/deeplink/compose",
    )
    assert parse_qs(url.query, strict_parsing=True) == {
        "path": ["/calendar/action/compose"],
        "rru": ["addevent"],
        "subject": ["Town hall: candidates for Secretary-General"],
        "startdt": ["2027-03-18T14:00:00Z"],
        "enddt": ["2027-03-18T15:30:00Z"],
        "body": [build_details(event)],
        "location": ["UN Headquarters, Conference Room 4; New York"],
    }


def build_details(event: CalendarEvent) -> str:
    raw, _ = parse(build_event_invite(event, dtstamp=DTSTAMP))
    return str(raw.vevent.description.value)


def test_etag_for_same_bytes_is_equal_and_strong() -> None:
    etag = etag_for(b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n")

    assert (etag, etag.startswith('"'), etag.endswith('"'), len(etag)) == (
        etag_for(b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n"),
        True,
        True,
        66,
    )


def test_etag_for_different_bytes_differs(make_event: MakeEvent) -> None:
    event = make_event()
    cancelled = cancel_event(event, now=EDITED)

    assert etag_for(build_event_invite(event, dtstamp=DTSTAMP)) != etag_for(
        build_event_invite(cancelled, dtstamp=EDITED)
    )


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://townhall.test/series/a/feed.ics", "webcal://townhall.test/series/a/feed.ics"),
        ("http://localhost:8000/series/a/feed.ics", "webcal://localhost:8000/series/a/feed.ics"),
    ],
)
def test_webcal_url_http_feed_becomes_webcal(url: str, expected: str) -> None:
    assert webcal_url(url) == expected


def test_webcal_url_other_scheme_is_refused() -> None:
    with pytest.raises(ValueError, match="not an http"):
        webcal_url("ftp://townhall.test/feed.ics")


@pytest.mark.parametrize(
    ("window", "line"),
    [
        (
            QuestionWindow(opens=datetime(2027, 3, 11, 14, 0, tzinfo=UTC)),
            "Questions open from 2027-03-11 09:00 (America/New_York) on the event page.",
        ),
        (
            QuestionWindow(closes=datetime(2027, 3, 18, 15, 30, tzinfo=UTC)),
            "Questions close at 2027-03-18 11:30 (America/New_York).",
        ),
        (QuestionWindow(), None),
    ],
)
def test_question_window_line_says_each_side_in_event_zone(
    make_event: MakeEvent, window: QuestionWindow, line: str | None
) -> None:
    assert question_window_line(make_event(questions=window)) == line


def test_question_window_line_cancelled_event_says_nothing(make_event: MakeEvent) -> None:
    assert question_window_line(make_event(questions=WINDOW, status=EventStatus.CANCELLED)) is None
