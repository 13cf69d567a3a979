"""GET /api/events/{slug}/spread: how support for each live question spreads across regions.

For this event's moderators only (403 otherwise). Even they see no count below
TOWNHALL_PRIVACY_MIN_GROUP (docs/security.md, "Regional balance").
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from townhall.actions.spread import event_spread
from townhall.store import queries
from townhall.web.api import problem, unknown_event
from townhall.web.auth import is_moderator, moderator_key_from
from townhall.web.state import AppState


async def question_spread(request: Request) -> Response:
    state: AppState = request.app.state.townhall
    async with state.services.read_sessions() as session:
        event = await queries.event_by_slug(session, request.path_params["slug"])
    if event is None:
        return unknown_event()
    if not is_moderator(event, moderator_key_from(request)):
        return problem(403, "forbidden", "How support spreads is for this event's moderators.")
    view = await event_spread(
        state.services.read_sessions, event.id, state.settings.privacy_min_group, state.spreads
    )
    return JSONResponse(view, headers={"Cache-Control": "no-store"})


routes = [Route("/api/events/{slug}/spread", question_spread, methods=["GET"])]
