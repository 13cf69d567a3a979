"""Across a series: its public record (`/s/{slug}/record` and its JSON) and the organisers'
common questions (docs/protocol.md, "Common questions" and "Series record")."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response
from starlette.routing import Route

from townhall.actions import common_questions as commons
from townhall.domain.series import record_grid
from townhall.store import series as store
from townhall.web import pages
from townhall.web.api import problem
from townhall.web.messages import iso
from townhall.web.organiser_auth import OrganiserSession
from townhall.web.organiser_requests import organiser_only, read_body, who
from townhall.web.state import AppState


async def series_record(request: Request) -> Response:
    """The common questions as rows, the events (their candidates) as columns, each cell
    answered at a time with its link into that event's record, or not reached."""
    state: AppState = request.app.state.townhall
    async with state.services.read_sessions() as session:
        series = await store.public_series(session, request.path_params["slug"])
        if series is None:
            return problem(404, "unknown_series", "There is no such published series.")
        events = await store.record_events(session, series.id)
        names = await store.candidate_names(session, [event.id for event in events])
        common = await store.commons_of(session, series.id)
        rows = await store.carried(session, [c.id for c in common], [event.id for event in events])
    slug_of = {event.id: event.slug for event in events}
    copies = {(c, slug_of[e]): (q, status, at) for c, e, q, status, at in rows}
    grid = record_grid([c.id for c in common], [event.slug for event in events], copies)
    return JSONResponse(
        {
            "series": {"slug": series.slug, "title": series.title},
            "events": [
                {
                    "slug": event.slug,
                    "title": event.title,
                    "status": event.status,
                    "starts_at": iso(event.starts_at),
                    "candidates": names.get(event.id, []),
                    "record_url": f"/e/{event.slug}/record",
                }
                for event in events
            ],
            "common_questions": [
                {
                    "id": question.id,
                    "text": question.text,
                    "texts": dict(question.texts or {}),
                    "answers": [
                        {
                            "event": cell.event_slug,
                            "question_id": cell.question_id,
                            "answered_at": iso(cell.answered_at) if cell.answered_at else None,
                            "url": cell.record_url,
                        }
                        for cell in grid[question.id]
                    ],
                }
                for question in common
            ],
        }
    )


async def record_page(request: Request) -> Response:
    """A read-only page: no participant cookie to hand out."""
    response = FileResponse(pages.FRONTEND / "series-record.html", media_type="text/html")
    response.headers["Cache-Control"] = "no-cache"
    return response


async def list_common(request: Request, state: AppState, organiser: OrganiserSession) -> Response:
    found = await commons.list_common_questions(
        state.services, who(organiser), request.path_params["slug"]
    )
    return JSONResponse({"common_questions": found})


async def add_common(request: Request, state: AppState, organiser: OrganiserSession) -> Response:
    payload = await read_body(request, commons.CommonPayload)
    added = await commons.add_common_question(
        state.services, who(organiser), request.path_params["slug"], payload
    )
    return JSONResponse(added, status_code=201)


def _path(slug: str) -> str:
    return f"/api/organiser/series/{slug}/common-questions"


routes: list[Any] = [
    Route("/api/series/{slug}/record", series_record, methods=["GET"]),
    Route(_path("{slug}"), organiser_only(list_common), methods=["GET"]),
    Route(_path("{slug}"), organiser_only(add_common), methods=["POST"]),
    Route("/s/{slug}/record", record_page),
]
