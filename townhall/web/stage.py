"""The stage screen's QR code and the moderators' export of an event's questions."""

from __future__ import annotations

import csv
import io
from typing import Any
from urllib.parse import urlencode

import segno
from sqlalchemy import select
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from townhall.store import queries
from townhall.store.tables import Question
from townhall.web.api import problem, unknown_event
from townhall.web.auth import is_moderator, moderator_key_from
from townhall.web.messages import iso, log_entry
from townhall.web.state import AppState

EXPORT_COLUMNS = (
    "id",
    "text",
    "status",
    "votes",
    "merged_into",
    "group_id",
    "similarity",
    "created_at",
)


# Cell openings that make Excel, LibreOffice or Google Sheets read a formula (OWASP "CSV
# Injection"; ASVS 1.2.10 adds NUL).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\0")


def spreadsheet_safe(value: object) -> object:
    """Text that a spreadsheet would run as a formula, prefixed with `'` so it shows as text."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def _state(request: Request) -> AppState:
    state: AppState = request.app.state.townhall
    return state


def join_link(state: AppState, slug: str, venue: str | None = None) -> str:
    link = f"{state.settings.public_origin}/e/{slug}"
    return f"{link}?{urlencode({'venue': venue})}" if venue else link


async def join_qr(request: Request) -> Response:
    """An SVG QR code of the event's join link (segno: maintained, pure Python, exact SVG);
    with `?venue=` a valid venue token, the link carries it (for the keyed stage screen)."""
    state = _state(request)
    slug = request.path_params["slug"]
    async with state.services.read_sessions() as session:
        event = await queries.event_by_slug(session, slug)
    if event is None:
        return unknown_event()
    venue = request.query_params.get("venue")
    if venue is not None and not state.venues.verify(venue, slug):
        return problem(400, "bad_venue", "That venue token is not valid or has expired.")
    link = join_link(state, slug, venue)
    out = io.BytesIO()
    segno.make(link, error="m").save(out, kind="svg", scale=10, border=2, title=link)
    cache = "no-store" if venue else "public, max-age=3600"
    return Response(out.getvalue(), media_type="image/svg+xml", headers={"Cache-Control": cache})


async def venue_token(request: Request) -> Response:
    """A fresh venue token for the stage screen: for the moderator key or the stage key only,
    since anyone who can read a token can give their own network the venue's allowance."""
    state = _state(request)
    slug = request.path_params["slug"]
    async with state.services.read_sessions() as session:
        event = await queries.event_by_slug(session, slug)
    if event is None:
        return unknown_event()
    moderator = is_moderator(event, moderator_key_from(request))
    if not moderator and not state.venues.is_stage_key(event, request.headers.get("x-stage-key")):
        return problem(403, "forbidden", "Venue tokens are for this event's stage screen.")
    token = state.venues.issue(slug)
    body = {
        "token": token,
        "join_url": join_link(state, slug, token),
        "qr_url": f"/e/{slug}/qr.svg?{urlencode({'venue': token})}",
        "expires_in": state.venues.max_age,
        "refresh_in": max(1, state.venues.max_age // 4),
        # A join-code event hides its code from the public; the stage screen shows it.
        "join_code": event.code,
    }
    if moderator:
        stage_key = state.venues.stage_key(event)
        body["stage_url"] = f"{state.settings.public_origin}/e/{slug}/stage#stage={stage_key}"
    return JSONResponse(body, headers={"Cache-Control": "no-store"})


async def _export_rows(request: Request) -> tuple[str, list[dict[str, Any]]] | Response:
    state = _state(request)
    slug = request.path_params["slug"]
    async with state.services.read_sessions() as session:
        event = await queries.event_by_slug(session, slug)
        if event is None:
            return unknown_event()
        if not is_moderator(event, moderator_key_from(request)):
            return problem(403, "forbidden", "Exports are for this event's moderators.")
        votes = await queries.votes_by_root(session, event.id)
        questions = await session.scalars(
            select(Question).where(Question.event_id == event.id).order_by(Question.id)
        )
        rows = [
            {
                "id": q.id,
                "text": q.text,
                "status": q.status,
                "votes": votes.get(q.id, 0) if q.canonical_id is None else "",
                "merged_into": q.canonical_id if q.canonical_id is not None else "",
                "group_id": q.root_id,
                "similarity": round(q.similarity, 4) if q.similarity is not None else "",
                "created_at": iso(q.created_at),
            }
            for q in questions
        ]
    return slug, rows


async def export_csv(request: Request) -> Response:
    found = await _export_rows(request)
    if isinstance(found, Response):
        return found
    slug, rows = found
    out = io.StringIO()
    # Every cell quoted and quotes doubled (RFC 4180), so a separator or quote inside a question
    # cannot start a cell of its own; each text cell neutralised against formulas.
    writer = csv.DictWriter(out, fieldnames=EXPORT_COLUMNS, quoting=csv.QUOTE_ALL)
    writer.writeheader()
    writer.writerows({name: spreadsheet_safe(value) for name, value in row.items()} for row in rows)
    return Response(
        out.getvalue(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{slug}-questions.csv"'},
    )


async def export_json(request: Request) -> Response:
    found = await _export_rows(request)
    if isinstance(found, Response):
        return found
    slug, rows = found
    state = _state(request)
    async with state.services.read_sessions() as session:
        event = await queries.event_by_slug(session, slug)
        assert event is not None
        entries = [
            log_entry(entry) for entry in await queries.moderation_entries(session, event.id)
        ]
    return JSONResponse(
        {"event": slug, "questions": rows, "moderation_log": entries},
        headers={"Content-Disposition": f'attachment; filename="{slug}-questions.json"'},
    )


routes = [
    Route("/e/{slug}/qr.svg", join_qr, methods=["GET"]),
    Route("/api/events/{slug}/venue", venue_token, methods=["GET"]),
    Route("/api/events/{slug}/export.csv", export_csv, methods=["GET"]),
    Route("/api/events/{slug}/export.json", export_json, methods=["GET"]),
]
