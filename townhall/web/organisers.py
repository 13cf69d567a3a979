"""The organiser API under /api/organiser/ (signed-in organisers only)."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import Any

from pydantic import Field
from sqlalchemy import select
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from townhall.actions import schedule as workflows
from townhall.actions.base import ActionRefused, Payload, parse_payload_model
from townhall.store import schedule as store
from townhall.store.tables import Candidate, Moderator, Series
from townhall.web.api import problem
from townhall.web.organiser_auth import OrganiserAuth, OrganiserSession
from townhall.web.schedule_json import event_json, series_json
from townhall.web.state import AppState

Handler = Callable[[Request, AppState], Awaitable[Response]]


def _state(request: Request) -> AppState:
    state: AppState = request.app.state.townhall
    return state


def _me(organiser: OrganiserSession) -> dict[str, Any]:
    return {
        "organiser": {"name": organiser.name, "email": organiser.email},
        "csrf_token": organiser.csrf_token,
    }


def refused(error: ActionRefused) -> JSONResponse:
    return problem(error.status, error.code, error.message, **error.details)


async def _body(request: Request, model: type[Payload]) -> Any:
    try:
        raw = json.loads(await request.body() or b"{}")
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise ActionRefused("bad_json", "The request body is not valid JSON.") from None
    if not isinstance(raw, dict):
        raise ActionRefused("bad_json", "The request body must be a JSON object.")
    return parse_payload_model(model, raw)


def organiser_only(handler: Handler) -> Callable[[Request], Awaitable[Response]]:
    async def endpoint(request: Request) -> Response:
        state = _state(request)
        organiser = await state.organisers.current(request, state.services.read_sessions)
        if organiser is None:
            return problem(401, "sign_in", "Sign in as an organiser first.")
        if not OrganiserAuth.csrf_ok(request, organiser):
            return problem(403, "csrf", "Missing or wrong X-CSRF-Token (JSON requests only).")
        try:
            return await handler(request, state)
        except ActionRefused as error:
            return refused(error)

    return endpoint


class SignIn(Payload):
    email: str = Field(max_length=254)
    password: str = Field(max_length=1024)


async def sign_in(request: Request) -> Response:
    state = _state(request)
    try:
        body = SignIn.model_validate_json(await request.body())
    except ValueError:
        return problem(400, "bad_payload", "Send a JSON object with email and password.")
    found = await state.organisers.sign_in(state.services.read_sessions, body.email, body.password)
    if found is None:
        return problem(401, "bad_credentials", "That email and password do not match.")
    organiser, cookie = found
    response = JSONResponse(_me(organiser))
    state.organisers.set_cookie(response, cookie)
    return response


async def sign_out(request: Request) -> Response:
    response = JSONResponse({"signed_out": True})
    OrganiserAuth.clear_cookie(response)
    return response


async def me(request: Request) -> Response:
    state = _state(request)
    organiser = await state.organisers.current(request, state.services.read_sessions)
    if organiser is None:
        return problem(401, "sign_in", "Not signed in.")
    return JSONResponse(_me(organiser))


async def _series_with_events(state: AppState, series: Series) -> dict[str, Any]:
    origin = state.settings.public_origin
    async with state.services.read_sessions() as session:
        events = await store.series_events(session, series.id)
        calendars = await store.calendar_events(session, events, origin)
    now = state.services.clock()
    return {
        **series_json(series, origin),
        "events": [
            event_json(event, calendar, origin, now, organiser=True)
            for event, calendar in zip(events, calendars, strict=True)
        ],
    }


async def all_series(request: Request, state: AppState) -> Response:
    async with state.services.read_sessions() as session:
        rows = list(await session.scalars(select(Series).order_by(Series.id)))
    return JSONResponse({"series": [await _series_with_events(state, s) for s in rows]})


async def new_series(request: Request, state: AppState) -> Response:
    payload = await _body(request, workflows.SeriesPayload)
    series = await workflows.create_series(state.services, payload)
    return JSONResponse(await _series_with_events(state, series), status_code=201)


async def change_series(request: Request, state: AppState) -> Response:
    payload = await _body(request, workflows.SeriesEdit)
    series = await workflows.edit_series(state.services, request.path_params["slug"], payload)
    return JSONResponse(await _series_with_events(state, series))


async def publish(request: Request, state: AppState) -> Response:
    payload = await _body(request, workflows.PublishPayload)
    series = await workflows.publish_series(state.services, request.path_params["slug"], payload)
    return JSONResponse(await _series_with_events(state, series))


async def people(request: Request, state: AppState) -> Response:
    async with state.services.read_sessions() as session:
        candidates = await session.scalars(select(Candidate).order_by(Candidate.name))
        moderators = await session.scalars(select(Moderator).order_by(Moderator.name))
        return JSONResponse(
            {
                "candidates": [{"name": c.name, "country": c.country} for c in candidates],
                "moderators": [{"name": m.name, "email": m.email} for m in moderators],
            }
        )


async def new_candidate(request: Request, state: AppState) -> Response:
    payload = await _body(request, workflows.PersonPayload)
    return JSONResponse(await workflows.add_person(state.services, "candidate", payload), 201)


async def new_moderator(request: Request, state: AppState) -> Response:
    payload = await _body(request, workflows.PersonPayload)
    return JSONResponse(await workflows.add_person(state.services, "moderator", payload), 201)


def _moderator_url(state: AppState, slug: str, key: str) -> str:
    return f"{state.settings.public_origin}/e/{slug}/moderate#key={key}"


def _outcome(state: AppState, outcome: workflows.EventOutcome) -> dict[str, Any]:
    origin = state.settings.public_origin
    body: dict[str, Any] = {
        "event": event_json(
            outcome.event, outcome.calendar, origin, state.services.clock(), organiser=True
        )
    }
    if outcome.moderator_key is not None:
        body["moderator_key"] = outcome.moderator_key
        body["moderator_url"] = _moderator_url(state, outcome.event.slug, outcome.moderator_key)
    return body


async def new_event(request: Request, state: AppState) -> Response:
    payload = await _body(request, workflows.EventPayload)
    outcome = await workflows.create_event(state.services, request.path_params["slug"], payload)
    return JSONResponse(_outcome(state, outcome), status_code=201)


async def change_event(request: Request, state: AppState) -> Response:
    payload = await _body(request, workflows.EventEdit)
    outcome = await workflows.edit_event(state.services, request.path_params["slug"], payload)
    return JSONResponse(_outcome(state, outcome))


async def reschedule(request: Request, state: AppState) -> Response:
    payload = await _body(request, workflows.ReschedulePayload)
    outcome = await workflows.edit_event(state.services, request.path_params["slug"], payload)
    return JSONResponse(_outcome(state, outcome))


async def cancel(request: Request, state: AppState) -> Response:
    outcome = await workflows.cancel(state.services, request.path_params["slug"])
    return JSONResponse(_outcome(state, outcome))


async def moderator_key(request: Request, state: AppState) -> Response:
    event, key = await workflows.rotate_moderator_key(state.services, request.path_params["slug"])
    return JSONResponse(
        {"moderator_key": key, "moderator_url": _moderator_url(state, event.slug, key)}
    )


routes = [
    Route("/api/organiser/sign-in", sign_in, methods=["POST"]),
    Route("/api/organiser/sign-out", sign_out, methods=["POST"]),
    Route("/api/organiser/me", me, methods=["GET"]),
    Route("/api/organiser/series", organiser_only(all_series), methods=["GET"]),
    Route("/api/organiser/series", organiser_only(new_series), methods=["POST"]),
    Route("/api/organiser/series/{slug}", organiser_only(change_series), methods=["PATCH"]),
    Route("/api/organiser/series/{slug}/publish", organiser_only(publish), methods=["POST"]),
    Route("/api/organiser/series/{slug}/events", organiser_only(new_event), methods=["POST"]),
    Route("/api/organiser/people", organiser_only(people), methods=["GET"]),
    Route("/api/organiser/candidates", organiser_only(new_candidate), methods=["POST"]),
    Route("/api/organiser/moderators", organiser_only(new_moderator), methods=["POST"]),
    Route("/api/organiser/events/{slug}", organiser_only(change_event), methods=["PATCH"]),
    Route("/api/organiser/events/{slug}/reschedule", organiser_only(reschedule), methods=["POST"]),
    Route("/api/organiser/events/{slug}/cancel", organiser_only(cancel), methods=["POST"]),
    Route(
        "/api/organiser/events/{slug}/moderator-key",
        organiser_only(moderator_key),
        methods=["POST"],
    ),
]
