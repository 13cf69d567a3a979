"""Series and events as the schedule pages and the API show them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from townhall.domain.ical import google_calendar_url, outlook_calendar_url, webcal_url
from townhall.domain.record import record_url
from townhall.domain.schedule import CalendarEvent, EventStatus, display_status, to_local
from townhall.store.tables import Event, Series
from townhall.web.messages import iso


def series_links(series: Series, origin: str) -> dict[str, str]:
    feed = f"{origin}/series/{series.slug}/feed.ics"
    return {
        "schedule_url": f"{origin}/s/{series.slug}",
        "feed_url": feed,
        "webcal_url": webcal_url(feed),
    }


def series_json(series: Series, origin: str) -> dict[str, Any]:
    return {
        "slug": series.slug,
        "title": series.title,
        "description": series.description,
        "published": series.published_at is not None,
        # The licence notice of the series' public records (docs/record.md).
        "licence": (
            {"name": series.licence_name, "url": series.licence_url}
            if series.licence_name
            else None
        ),
        **series_links(series, origin),
    }


def _moment(moment: datetime | None) -> str | None:
    return None if moment is None else iso(moment)


def event_json(
    event: Event, calendar: CalendarEvent, origin: str, now: datetime, *, organiser: bool = False
) -> dict[str, Any]:
    status = display_status(calendar.status, calendar.start_utc, calendar.end_utc, now)
    data: dict[str, Any] = {
        "slug": event.slug,
        "title": calendar.title,
        "kind": calendar.kind.value,
        "candidates": list(calendar.candidates),
        "moderators": list(calendar.moderators),
        "starts_at": iso(calendar.start_utc),
        "ends_at": iso(calendar.end_utc),
        "timezone": calendar.timezone,
        "local_start": to_local(calendar.start_utc, calendar.timezone).isoformat(),
        "duration_minutes": event.duration_minutes,
        "venue": calendar.venue,
        "stream_url": calendar.stream_url,
        "description": calendar.description,
        "languages": list(calendar.languages),
        "status": status.value,
        "sequence": calendar.sequence,
        "url": calendar.url,
        "ics_url": f"{origin}/events/{event.slug}/invite.ics",
        "google_url": google_calendar_url(calendar),
        "outlook_url": outlook_calendar_url(calendar),
        # The public record (docs/record.md) once the event has ended.
        "record_url": record_url(origin, event.slug) if status is EventStatus.ENDED else None,
        "questions_from": _moment(calendar.questions.opens),
        "questions_until": _moment(calendar.questions.closes),
    }
    if organiser:
        data.update(
            code=event.code,
            questions_open=event.questions_open,
            moderation_mode=event.moderation_mode,
            access_mode=event.access_mode,
            recording_url=event.recording_url,
            recording_started_at=(
                iso(event.recording_started_at) if event.recording_started_at else None
            ),
            widget_url=f"{origin}/e/{event.slug}/widget",
        )
    return data
