"""Calendar files and the public schedule: invites, subscribable feeds (ETag, 304), series API."""

from __future__ import annotations

from datetime import UTC, datetime
from email.utils import format_datetime, parsedate_to_datetime

from sqlalchemy import select
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from townhall.domain.ical import build_event_invite, build_series_feed, etag_for
from townhall.domain.schedule import last_modified
from townhall.store import schedule as store
from townhall.store.tables import Event, Series
from townhall.web.api import problem, unknown_event
from townhall.web.schedule_json import event_json, series_json
from townhall.web.state import AppState

CALENDAR_TYPE = "text/calendar; charset=utf-8"
FEED_MAX_AGE = 300  # seconds; calendar apps poll far less often anyway


def _state(request: Request) -> AppState:
    state: AppState = request.app.state.townhall
    return state


def _public(series: Series | None) -> bool:
    return series is not None and series.published_at is not None


def _conditional(request: Request, body: bytes, modified: datetime, filename: str) -> Response:
    """The calendar body, or 304 when the client's copy (by ETag, else by date) is current."""
    etag = etag_for(body)
    headers = {
        "ETag": etag,
        "Cache-Control": f"public, max-age={FEED_MAX_AGE}",
        "Content-Disposition": f'inline; filename="{filename}"',
        "Last-Modified": format_datetime(modified.astimezone(UTC), usegmt=True),
    }
    if_none_match = request.headers.get("if-none-match")
    if if_none_match is not None:
        if etag in [tag.strip() for tag in if_none_match.split(",")] or if_none_match == "*":
            return Response(status_code=304, headers=headers)
    elif since := request.headers.get("if-modified-since"):
        try:
            if parsedate_to_datetime(since) >= modified.replace(microsecond=0):
                return Response(status_code=304, headers=headers)
        except (TypeError, ValueError):
            pass
    return Response(body, media_type=CALENDAR_TYPE, headers=headers)


async def event_invite(request: Request) -> Response:
    state = _state(request)
    async with state.services.read_sessions() as session:
        event = await session.scalar(select(Event).where(Event.slug == request.path_params["slug"]))
        if event is None:
            return unknown_event()
        calendar = (await store.calendar_events(session, [event], state.settings.public_origin))[0]
    body = build_event_invite(calendar, dtstamp=calendar.updated_at, reminder_minutes=30)
    return _conditional(request, body, calendar.updated_at, f"{event.slug}.ics")


async def series_feed(request: Request) -> Response:
    state = _state(request)
    async with state.services.read_sessions() as session:
        series = await session.scalar(
            select(Series).where(Series.slug == request.path_params["slug"])
        )
        if series is None or not _public(series):
            return problem(404, "unknown_series", "There is no such published series.")
        calendar = await store.calendar_series(session, series, state.settings.public_origin)
    stamp = last_modified(calendar) or store.utc(series.updated_at)
    body = build_series_feed(
        calendar, dtstamp=stamp, source_url=f"{state.settings.public_origin}{request.url.path}"
    )
    return _conditional(request, body, stamp, f"{series.slug}.ics")


async def list_series(request: Request) -> Response:
    state = _state(request)
    async with state.services.read_sessions() as session:
        rows = await session.scalars(
            select(Series).where(Series.published_at.is_not(None)).order_by(Series.id)
        )
        found = [series_json(series, state.settings.public_origin) for series in rows]
    return JSONResponse({"series": found})


async def get_series(request: Request) -> Response:
    state = _state(request)
    origin = state.settings.public_origin
    async with state.services.read_sessions() as session:
        series = await session.scalar(
            select(Series).where(Series.slug == request.path_params["slug"])
        )
        if series is None or not _public(series):
            return problem(404, "unknown_series", "There is no such published series.")
        events = await store.series_events(session, series.id)
        calendars = await store.calendar_events(session, events, origin)
    now = state.services.clock()
    return JSONResponse(
        {
            **series_json(series, origin),
            "events": [
                event_json(event, calendar, origin, now)
                for event, calendar in zip(events, calendars, strict=True)
            ],
        }
    )


routes = [
    Route("/events/{slug}/invite.ics", event_invite, methods=["GET"]),
    Route("/series/{slug}/feed.ics", series_feed, methods=["GET"]),
    Route("/api/series", list_series, methods=["GET"]),
    Route("/api/series/{slug}", get_series, methods=["GET"]),
]
