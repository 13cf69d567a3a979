"""The public record of an ended event: its page, JSON, CSV, the Atom feed of new records, and
the organisers' settings for it (recording, licence). docs/record.md."""

from __future__ import annotations

import csv
import io
from typing import Any

from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response
from starlette.routing import Route

from townhall.actions import record as settings_actions
from townhall.domain.record import CSV_COLUMNS, build_record, csv_rows
from townhall.domain.record_feed import build_feed
from townhall.store import queries
from townhall.store import record as store
from townhall.web.api import problem, unknown_event
from townhall.web.messages import iso
from townhall.web.organiser_auth import OrganiserSession
from townhall.web.organiser_requests import organiser_only, read_body, who
from townhall.web.pages import FRONTEND
from townhall.web.stage import spreadsheet_safe
from townhall.web.state import AppState

# A record changes rarely once the event has ended (a late merge, a recording link): caches
# and media partners may keep it a minute.
CACHE = "public, max-age=60"
FEED_TYPE = "application/atom+xml; charset=utf-8"


def _state(request: Request) -> AppState:
    state: AppState = request.app.state.townhall
    return state


async def _record(request: Request) -> dict[str, Any] | Response:
    state = _state(request)
    slug = request.path_params["slug"]
    async with state.services.read_sessions() as session:
        event = await queries.event_by_slug(session, slug)
        if event is None:
            return unknown_event()
        if not store.has_ended(event, state.services.clock()):
            return problem(
                404,
                "no_record_yet",
                "This event has not ended: its record is published when it ends.",
                event_status=event.status,
            )
        inputs = await store.record_inputs(
            session, event, state.settings.public_origin, state.settings.privacy_min_group
        )
    return build_record(inputs)


async def record_json(request: Request) -> Response:
    record = await _record(request)
    if isinstance(record, Response):
        return record
    return JSONResponse(record, headers={"Cache-Control": CACHE})


async def record_csv(request: Request) -> Response:
    record = await _record(request)
    if isinstance(record, Response):
        return record
    out = io.StringIO()
    # As the moderators' export: every cell quoted, text cells neutralised against formulas.
    writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS, quoting=csv.QUOTE_ALL)
    writer.writeheader()
    writer.writerows(
        {name: spreadsheet_safe(value) for name, value in row.items()} for row in csv_rows(record)
    )
    slug = record["event"]["slug"]
    return Response(
        out.getvalue(),
        media_type="text/csv; charset=utf-8",
        headers={
            "Content-Disposition": f'attachment; filename="{slug}-record.csv"',
            "Cache-Control": CACHE,
        },
    )


async def record_page(request: Request) -> Response:
    """The page (frontend/record.html) fetches the JSON; no cookie, nothing personal."""
    response = FileResponse(FRONTEND / "record.html", media_type="text/html")
    response.headers["Cache-Control"] = "no-cache"
    return response


async def records_feed(request: Request) -> Response:
    state = _state(request)
    now = state.services.clock()
    async with state.services.read_sessions() as session:
        entries = await store.feed_entries(session, now)
    body = build_feed(entries, state.settings.public_origin, now)
    return Response(body, media_type=FEED_TYPE, headers={"Cache-Control": CACHE})


async def set_recording(request: Request, state: AppState, organiser: OrganiserSession) -> Response:
    payload = await read_body(request, settings_actions.RecordingPayload)
    event = await settings_actions.set_recording(
        state.services, who(organiser), request.path_params["slug"], payload
    )
    return JSONResponse(
        {
            "slug": event.slug,
            "recording_url": event.recording_url,
            "recording_started_at": (
                iso(event.recording_started_at) if event.recording_started_at else None
            ),
        }
    )


async def set_licence(request: Request, state: AppState, organiser: OrganiserSession) -> Response:
    payload = await read_body(request, settings_actions.LicencePayload)
    series = await settings_actions.set_licence(
        state.services, who(organiser), request.path_params["slug"], payload
    )
    licence = store.licence_of(series)
    return JSONResponse(
        {
            "slug": series.slug,
            "licence": {"name": licence.name, "url": licence.url} if licence else None,
        }
    )


routes = [
    Route("/e/{slug}/record", record_page, methods=["GET"]),
    Route("/api/events/{slug}/record", record_json, methods=["GET"]),
    Route("/api/events/{slug}/record.csv", record_csv, methods=["GET"]),
    Route("/records.atom", records_feed, methods=["GET"]),
    Route(
        "/api/organiser/events/{slug}/recording",
        organiser_only(set_recording),
        methods=["POST"],
    ),
    Route("/api/organiser/series/{slug}/licence", organiser_only(set_licence), methods=["POST"]),
]
