"""iCalendar invites, subscribable feeds and "add to calendar" links (pure).

`icalendar` is imported inside the builders, as pretalx does, so importing the domain stays cheap.
Both invites and feeds use METHOD:PUBLISH: they are published information, not iTIP scheduling
messages. REQUEST and CANCEL need an ORGANIZER and ATTENDEEs and make Outlook and Apple Calendar
treat the file as a meeting to accept, decline or reply to, which a public town hall is not. A
cancellation is therefore published as the same UID with STATUS:CANCELLED and a higher SEQUENCE.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING
from urllib.parse import quote, urlencode
from zoneinfo import ZoneInfo

from townhall.domain.schedule import (
    CalendarEvent,
    CalendarSeries,
    EventKind,
    local_end,
    local_start,
    to_local,
)

if TYPE_CHECKING:
    from icalendar import Calendar, Event

DEFAULT_PRODID = "-//Townhall//Town hall calendar 1.0//EN"
FEED_REFRESH = timedelta(hours=1)

_KIND_LABELS = {
    EventKind.TOWN_HALL: "Town hall",
    EventKind.INFORMAL_DIALOGUE: "Informal dialogue",
}
# The six official languages of the United Nations; other tags are shown as given.
_LANGUAGE_NAMES = {
    "ar": "Arabic",
    "en": "English",
    "es": "Spanish",
    "fr": "French",
    "ru": "Russian",
    "zh": "Chinese",
}


def event_summary(event: CalendarEvent) -> str:
    # Not every client shows STATUS:CANCELLED, so the title says it too.
    return f"Cancelled: {event.title}" if event.cancelled else event.title


def event_location(event: CalendarEvent) -> str | None:
    """The venue; for an online-only event the stream link, which calendar apps make clickable."""
    return event.venue or event.stream_url


def event_details(event: CalendarEvent) -> str:
    """Plain-text description shared by the ICS DESCRIPTION and the web links."""
    lines: list[str] = []
    if event.cancelled:
        lines += ["This event has been cancelled.", ""]
    lines.append(_KIND_LABELS[event.kind])
    if event.description:
        lines += ["", event.description]
    lines.append("")
    if event.candidates:
        lines.append("Candidates: " + ", ".join(event.candidates))
    if event.moderators:
        lines.append("Moderators: " + ", ".join(event.moderators))
    if event.languages:
        names = (_LANGUAGE_NAMES.get(tag, tag) for tag in event.languages)
        lines.append("Languages: " + ", ".join(names))
    if event.stream_url:
        lines.append("Watch live: " + event.stream_url)
    window = question_window_line(event)
    if window is not None:
        lines.append(window)
    lines.append("Event page: " + event.url)
    return "\n".join(lines)


def question_window_line(event: CalendarEvent) -> str | None:
    """When the event takes questions, in its own time zone (as DTSTART is), if it says so."""
    opens, closes = event.questions.opens, event.questions.closes
    if event.cancelled or (opens is None and closes is None):
        return None

    def wall(moment: datetime) -> str:
        return f"{to_local(moment, event.timezone):%Y-%m-%d %H:%M}"

    zone = f" ({event.timezone})"
    if opens is not None and closes is not None:
        return f"Questions open from {wall(opens)} until {wall(closes)}{zone} on the event page."
    if opens is not None:
        return f"Questions open from {wall(opens)}{zone} on the event page."
    assert closes is not None
    return f"Questions close at {wall(closes)}{zone}."


def _vevent(event: CalendarEvent, dtstamp: datetime, reminder_minutes: int | None) -> Event:
    from icalendar import Alarm, Event

    vevent = Event()
    vevent.add("uid", event.uid)
    vevent.add("dtstamp", dtstamp.astimezone(UTC))
    vevent.add("last-modified", event.updated_at.astimezone(UTC))
    vevent.add("sequence", event.sequence)
    vevent.add("status", "CANCELLED" if event.cancelled else "CONFIRMED")
    vevent.add("summary", event_summary(event))
    vevent.add("dtstart", local_start(event))
    vevent.add("dtend", local_end(event))
    location = event_location(event)
    if location is not None:
        vevent.add("location", location)
    vevent.add("description", event_details(event))
    vevent.add("url", event.url)
    if reminder_minutes is not None and not event.cancelled:
        alarm = Alarm()
        alarm.add("action", "DISPLAY")
        alarm.add("description", event.title)
        alarm.add("trigger", timedelta(minutes=-reminder_minutes))
        vevent.add_component(alarm)
    return vevent


def _add_timezones(calendar: Calendar, events: tuple[CalendarEvent, ...]) -> None:
    """One VTIMEZONE per TZID used, covering only the years the events fall in.

    Sorted and bounded so the bytes are stable (and so the ETag is) for the same events.
    """
    from icalendar import Timezone

    tzids = sorted(calendar.get_used_tzids())
    if not tzids:
        return
    first = date(min(local_start(e).year for e in events), 1, 1)
    last = date(max(local_end(e).year for e in events) + 1, 1, 1)
    for tzid in tzids:
        calendar.add_component(
            Timezone.from_tzinfo(ZoneInfo(tzid), tzid=tzid, first_date=first, last_date=last)
        )


def _check_reminder(reminder_minutes: int | None) -> None:
    if reminder_minutes is not None and reminder_minutes < 0:
        raise ValueError(f"reminder_minutes must not be negative, got {reminder_minutes}")


def _calendar(prodid: str) -> Calendar:
    from icalendar import Calendar

    calendar = Calendar()
    calendar.add("version", "2.0")
    calendar.add("prodid", prodid)
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    return calendar


def _finish(calendar: Calendar, events: tuple[CalendarEvent, ...]) -> bytes:
    _add_timezones(calendar, events)
    # VTIMEZONEs before the VEVENTs that use them: some older clients read in one pass.
    calendar.subcomponents.sort(key=lambda component: component.name != "VTIMEZONE")
    result: bytes = calendar.to_ical()
    return result


def build_event_invite(
    event: CalendarEvent,
    *,
    dtstamp: datetime,
    prodid: str = DEFAULT_PRODID,
    reminder_minutes: int | None = None,
) -> bytes:
    """A one-event calendar file for download (METHOD:PUBLISH, see the module docstring).

    `dtstamp` should be `event.updated_at` so the same event always gives the same bytes.
    """
    _check_reminder(reminder_minutes)
    calendar = _calendar(prodid)
    calendar.add_component(_vevent(event, dtstamp, reminder_minutes))
    return _finish(calendar, (event,))


def build_series_feed(
    series: CalendarSeries,
    *,
    dtstamp: datetime,
    prodid: str = DEFAULT_PRODID,
    refresh: timedelta = FEED_REFRESH,
    reminder_minutes: int | None = None,
    source_url: str | None = None,
) -> bytes:
    """The subscribable feed of a series: every event, cancelled ones as STATUS:CANCELLED.

    `dtstamp` should be `schedule.last_modified(series)` so the bytes, and so the ETag, only
    change when an event does. `refresh` is advertised both as RFC 7986 REFRESH-INTERVAL and as
    Microsoft's X-PUBLISHED-TTL; clients treat it as a hint at most.
    """
    from icalendar import vDuration, vText

    _check_reminder(reminder_minutes)
    if refresh <= timedelta(0):
        raise ValueError(f"refresh must be positive, got {refresh!r}")
    calendar = _calendar(prodid)
    calendar.add("uid", series.uid)
    # icalendar 7 types NAME and the X-WR- properties as vUnknown, which skips TEXT escaping.
    calendar.add("name", vText(series.title))
    calendar.add("x-wr-calname", vText(series.title))
    if series.description:
        calendar.add("description", series.description)
        calendar.add("x-wr-caldesc", vText(series.description))
    calendar.add("url", series.url)
    if source_url is not None:
        calendar.add("source", source_url, parameters={"VALUE": "URI"})
    calendar.add("refresh-interval", refresh, parameters={"VALUE": "DURATION"})
    # icalendar types only known properties; an X- property needs its value type spelt out.
    calendar.add("x-published-ttl", vDuration(refresh))
    events = tuple(sorted(series.events, key=lambda e: (e.start_utc, e.uid)))
    for event in events:
        calendar.add_component(_vevent(event, dtstamp, reminder_minutes))
    return _finish(calendar, events)


def _utc_stamp(instant: datetime) -> str:
    return instant.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


# The links encode a space as %20 (quote), not "+" (quote_plus): "+" means a space only under
# form encoding, which not every consumer of a link applies.
def google_calendar_url(event: CalendarEvent) -> str:
    """Google Calendar's "add event" template link."""
    params = {
        "action": "TEMPLATE",
        "text": event_summary(event),
        "dates": f"{_utc_stamp(event.start_utc)}/{_utc_stamp(event.end_utc)}",
        "details": event_details(event),
        "location": event_location(event) or "",
        "ctz": event.timezone,
    }
    query = urlencode(params, safe="/", quote_via=quote)
    return "https://calendar.google.com/calendar/render?" + query


def outlook_calendar_url(event: CalendarEvent) -> str:
    """Outlook on the web's compose-event deep link (personal accounts, outlook.live.com)."""
    params = {
        "path": "/calendar/action/compose",
        "rru": "addevent",
        "subject": event_summary(event),
        "startdt": event.start_utc.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "enddt": event.end_utc.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "body": event_details(event),
        "location": event_location(event) or "",
    }
    query = urlencode(params, safe="/", quote_via=quote)
    return "https://outlook.live.com/calendar/0/deeplink/compose?" + query


def webcal_url(feed_url: str) -> str:
    """The subscribe link for a feed URL: webcal:// makes browsers hand it to the calendar app."""
    for scheme in ("https://", "http://"):
        if feed_url.startswith(scheme):
            return "webcal://" + feed_url.removeprefix(scheme)
    raise ValueError(f"not an http(s) URL: {feed_url!r}")


def etag_for(ics: bytes) -> str:
    """A strong ETag (quoted) for the exact bytes served."""
    return '"' + hashlib.sha256(ics).hexdigest() + '"'
