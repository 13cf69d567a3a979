"""GET /api/events/{slug}/questions/{id}/support: where a question's support comes from.

For this event's moderators only (403 otherwise): participants never see network data.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from townhall.actions.base import MAX_ID
from townhall.actions.provenance import support_breakdown
from townhall.store import queries
from townhall.web.api import problem, unknown_event
from townhall.web.auth import is_moderator, moderator_key_from
from townhall.web.state import AppState


async def question_support(request: Request) -> Response:
    state: AppState = request.app.state.townhall
    slug, question_id = request.path_params["slug"], request.path_params["question_id"]
    async with state.services.read_sessions() as session:
        event = await queries.event_by_slug(session, slug)
    if event is None:
        return unknown_event()
    if not is_moderator(event, moderator_key_from(request)):
        return problem(403, "forbidden", "Where support comes from is for this event's moderators.")
    found = None
    if 1 <= question_id <= MAX_ID:
        found = await support_breakdown(
            state.services.read_sessions, event.id, question_id, state.services.clock()
        )
    if found is None:
        return problem(404, "unknown_question", "There is no such question in this event.")
    return JSONResponse(found, headers={"Cache-Control": "no-store"})


routes = [
    Route(
        "/api/events/{slug}/questions/{question_id:int}/support", question_support, methods=["GET"]
    ),
]
