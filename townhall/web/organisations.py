"""Organisers' routes for organisations: the profiles of a series (list, create, edit) and
inviting them to an event (actions/organisations.py). Invitations by name or CSV stay in
web/access.py, which makes the profiles they name as well."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from townhall.actions import organisations
from townhall.actions.base import MAX_ID, ActionRefused
from townhall.web.access import invitation_json
from townhall.web.organiser_auth import OrganiserSession
from townhall.web.organiser_requests import organiser_only, read_body, who
from townhall.web.state import AppState


def _organisation_id(request: Request) -> int:
    raw = request.path_params["organisation_id"]
    # ASCII digits only (str.isdigit takes "²"), and within the id column (PostgreSQL INTEGER).
    if not (raw.isascii() and raw.isdigit() and len(raw) <= 10 and 1 <= int(raw) <= MAX_ID):
        raise ActionRefused("unknown_organisation", "There is no such organisation.", status=404)
    return int(raw)


async def listing(request: Request, state: AppState, organiser: OrganiserSession) -> Response:
    found = await organisations.listing(state.services, who(organiser), request.path_params["slug"])
    return JSONResponse({"organisations": found})


async def create(request: Request, state: AppState, organiser: OrganiserSession) -> Response:
    payload = await read_body(request, organisations.ProfilePayload)
    made = await organisations.create(
        state.services, who(organiser), request.path_params["slug"], payload
    )
    return JSONResponse(made, status_code=201)


async def edit(request: Request, state: AppState, organiser: OrganiserSession) -> Response:
    organisation_id = _organisation_id(request)
    payload = await read_body(request, organisations.ProfilePayload)
    changed = await organisations.edit(
        state.services, who(organiser), request.path_params["slug"], organisation_id, payload
    )
    return JSONResponse(changed)


async def invite(request: Request, state: AppState, organiser: OrganiserSession) -> Response:
    payload = await read_body(request, organisations.InviteExisting)
    slug = request.path_params["slug"]
    made = await organisations.invite_existing(state.services, who(organiser), slug, payload)
    return JSONResponse(
        {"invitations": [invitation_json(state, slug, view) for view in made]}, status_code=201
    )


_SERIES = "/api/organiser/series/{slug}/organisations"
routes = [
    Route(_SERIES, organiser_only(listing), methods=["GET"]),
    Route(_SERIES, organiser_only(create), methods=["POST"]),
    Route(_SERIES + "/{organisation_id}", organiser_only(edit), methods=["PATCH"]),
    Route(
        "/api/organiser/events/{slug}/invited-organisations",
        organiser_only(invite),
        methods=["POST"],
    ),
]
