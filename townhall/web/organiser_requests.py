"""What every organiser route shares: the signed-in check with CSRF (`organiser_only`), the
acting organiser (`who`) and the JSON body parsed into an action's payload (`read_body`)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from townhall.actions.base import ActionRefused, Payload, parse_payload_model
from townhall.actions.series_roles import OrganiserActor
from townhall.web.api import problem
from townhall.web.json_input import BadJson, parse_json
from townhall.web.organiser_auth import OrganiserAuth, OrganiserSession
from townhall.web.state import AppState

Handler = Callable[[Request, AppState, OrganiserSession], Awaitable[Response]]


def _state(request: Request) -> AppState:
    state: AppState = request.app.state.townhall
    return state


def who(organiser: OrganiserSession) -> OrganiserActor:
    return OrganiserActor(organiser.organiser_id, organiser.is_admin)


async def signed_in(request: Request, state: AppState) -> OrganiserSession | None:
    services = state.services
    return await state.organisers.current(
        request, services.read_sessions, services.write_sessions, services.clock()
    )


def refused(error: ActionRefused) -> JSONResponse:
    return problem(error.status, error.code, error.message, **error.details)


async def read_body(request: Request, model: type[Payload]) -> Any:
    try:
        raw = parse_json(await request.body() or b"{}")
    except BadJson as error:
        raise ActionRefused(error.code, error.message) from None
    if not isinstance(raw, dict):
        raise ActionRefused("bad_json", "The request body must be a JSON object.")
    return parse_payload_model(model, raw)


def organiser_only(handler: Handler) -> Callable[[Request], Awaitable[Response]]:
    async def endpoint(request: Request) -> Response:
        state = _state(request)
        organiser = await signed_in(request, state)
        if organiser is None:
            return problem(401, "sign_in", "Sign in as an organiser first.")
        if not OrganiserAuth.csrf_ok(request, organiser):
            return problem(403, "csrf", "Missing or wrong X-CSRF-Token (JSON requests only).")
        try:
            return await handler(request, state, organiser)
        except ActionRefused as error:
            return refused(error)

    return endpoint


class NoFields(Payload):
    """The body of a change that takes no fields: `{}` (still JSON, for the CSRF check)."""
