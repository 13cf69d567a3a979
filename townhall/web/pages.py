"""HTML pages (static files from frontend/) and the participant cookie they hand out."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from starlette.requests import Request
from starlette.responses import FileResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from townhall.actions.access import join_with_code
from townhall.actions.base import Actor
from townhall.settings import PROJECT_ROOT
from townhall.store import queries
from townhall.web.state import AppState

FRONTEND = PROJECT_ROOT / "frontend"


def _page(name: str) -> Path:
    return FRONTEND / name


async def _with_cookie(request: Request, page: str) -> Response:
    state: AppState = request.app.state.townhall
    _, cookie = state.cookies.identify(request)
    response = FileResponse(_page(page), media_type="text/html")
    response.headers["Cache-Control"] = "no-cache"
    state.cookies.set(request, response, cookie)
    return response


async def home(request: Request) -> Response:
    return await _with_cookie(request, "index.html")


async def participant(request: Request) -> Response:
    """The participant page; opened from the stage screen's QR code (`?venue=`), it gives the
    hall's network its venue allowance for the event (the page passes the token on too)."""
    state: AppState = request.app.state.townhall
    venue = request.query_params.get("venue")
    slug = request.path_params["slug"]
    if venue and state.venues.verify(venue, slug):
        await state.admission.grant_venue(state.clients.of(request).network_hash, slug)
    return await _with_cookie(request, "participant.html")


async def moderator(request: Request) -> Response:
    return await _with_cookie(request, "moderator.html")


async def stage_screen(request: Request) -> Response:
    return await _with_cookie(request, "stage.html")


async def schedule(request: Request) -> Response:
    return await _with_cookie(request, "schedule.html")


async def organise(request: Request) -> Response:
    return await _with_cookie(request, "organiser.html")


async def join(request: Request) -> Response:
    state: AppState = request.app.state.townhall
    code = request.query_params.get("code", "")[:40]
    participant_id, cookie = state.cookies.identify(request)
    network = state.clients.of(request).network_hash
    desk = state.access
    if desk is not None and not desk.may_try_code(network, participant_id):
        return RedirectResponse("/?unknown_code=1", status_code=303)
    async with state.services.read_sessions() as session:
        event = await queries.event_by_code(session, code) if code else None
    if event is None:
        if desk is not None:
            desk.wrong_code(network, participant_id)
        return RedirectResponse("/?unknown_code=1", status_code=303)
    response = RedirectResponse(f"/e/{event.slug}", status_code=303)
    if event.access_mode == "code":
        # Typing the code at /join is entering it: this identity may now ask and vote, once
        # past the network's limit on new identities (the grant stores the participant, and a
        # stored participant counts as admitted). Refused, the page shows the gate instead.
        actor = Actor(participant_id, network=network)
        if await state.admission.check(actor, event.slug, "access", {}) is None:
            await join_with_code(state.services, event.slug, participant_id, code)
        state.cookies.set(request, response, cookie)
    return response


STATIC_CACHE_CONTROL = "public, max-age=3600, stale-while-revalidate=86400"


class CachedStaticFiles(StaticFiles):
    """Static files with a short cache lifetime: no build step means no hashed names, so
    browsers keep files an hour and then revalidate them cheaply by ETag."""

    def file_response(self, *args: Any, **kwargs: Any) -> Response:
        response = super().file_response(*args, **kwargs)
        response.headers["Cache-Control"] = STATIC_CACHE_CONTROL
        return response


routes = [
    Route("/", home),
    Route("/join", join),
    Route("/e/{slug}", participant),
    Route("/e/{slug}/moderate", moderator),
    Route("/e/{slug}/stage", stage_screen),
    Route("/s/{slug}", schedule),
    Route("/organise", organise),
    Mount("/static", CachedStaticFiles(directory=FRONTEND), name="static"),
]
