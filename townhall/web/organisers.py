"""The organiser API under /api/organiser/ (signed-in organisers only)."""

from __future__ import annotations

import math
from typing import Any

from pydantic import Field
from sqlalchemy import select
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from townhall.actions import schedule as workflows
from townhall.actions import series_roles as access
from townhall.actions.base import Payload
from townhall.domain.passwords import WeakPassword
from townhall.store import organisers as organiser_store
from townhall.store import schedule as store
from townhall.store.tables import Candidate, Moderator, Series
from townhall.web.api import problem
from townhall.web.organiser_auth import OrganiserAuth, OrganiserSession
from townhall.web.organiser_requests import (
    NoFields,
    organiser_only,
    read_body,
    signed_in,
    who,
)
from townhall.web.schedule_json import event_json, series_json
from townhall.web.state import AppState


def _state(request: Request) -> AppState:
    state: AppState = request.app.state.townhall
    return state


def _me(organiser: OrganiserSession) -> dict[str, Any]:
    return {
        "organiser": {
            "name": organiser.name,
            "email": organiser.email,
            "admin": organiser.is_admin,
        },
        "csrf_token": organiser.csrf_token,
    }


class SignIn(Payload):
    email: str = Field(max_length=254)
    password: str = Field(max_length=1024)


def _too_many(wait: float) -> Response:
    seconds = max(1, math.ceil(wait))
    response = problem(
        429,
        "too_many_attempts",
        "Too many failed sign-ins; wait before trying again.",
        retry_after=seconds,
    )
    response.headers["Retry-After"] = str(seconds)
    return response


async def sign_in(request: Request) -> Response:
    state = _state(request)
    services = state.services
    try:
        body = SignIn.model_validate_json(await request.body())
    except ValueError:
        return problem(400, "bad_payload", "Send a JSON object with email and password.")
    now = services.clock()
    async with services.read_sessions() as session:
        account = await organiser_store.by_email(session, body.email)
    device = state.organisers.limits.device_of(request, account.id if account else None)
    limits = state.organisers.limits.limits(body.email, state.clients.of(request).network, device)
    wait = await state.organisers.limits.wait(services.read_sessions, limits, now)
    if wait > 0:
        return _too_many(wait)
    found = await state.organisers.check_password(services.read_sessions, body.email, body.password)
    if found is None:
        await state.organisers.limits.failed(services.write_sessions, limits, now)
        return problem(401, "bad_credentials", "That email and password do not match.")
    organiser = await state.organisers.start(services.write_sessions, found, now)
    response = JSONResponse(_me(organiser))
    state.organisers.set_cookie(request, response, organiser)
    state.organisers.limits.set_device_cookie(
        response, found.id, device, secure=state.clients.of(request).https
    )
    return response


async def sign_out(request: Request) -> Response:
    """Ends this session on the server: a copy of the cookie is refused from now on."""
    state = _state(request)
    organiser = await signed_in(request, state)
    if organiser is not None:
        if not OrganiserAuth.csrf_ok(request, organiser):
            return problem(403, "csrf", "Missing or wrong X-CSRF-Token (JSON requests only).")
        await OrganiserAuth.end(state.services.write_sessions, organiser.token)
    response = JSONResponse({"signed_out": True})
    OrganiserAuth.clear_cookie(response)
    return response


async def me(request: Request) -> Response:
    organiser = await signed_in(request, _state(request))
    if organiser is None:
        return problem(401, "sign_in", "Not signed in.")
    return JSONResponse(_me(organiser))


class PasswordChange(Payload):
    current_password: str = Field(max_length=1024)
    new_password: str = Field(max_length=1024)


async def change_password(
    request: Request, state: AppState, organiser: OrganiserSession
) -> Response:
    """Needs the current password; ends every session of the organiser, then starts this one."""
    payload = await read_body(request, PasswordChange)
    services = state.services
    now = services.clock()
    device = state.organisers.limits.device_of(request, organiser.organiser_id)
    limits = state.organisers.limits.limits(
        organiser.email, state.clients.of(request).network, device
    )
    wait = await state.organisers.limits.wait(services.read_sessions, limits, now)
    if wait > 0:
        return _too_many(wait)
    found = await state.organisers.check_password(
        services.read_sessions, organiser.email, payload.current_password
    )
    if found is None:
        await state.organisers.limits.failed(services.write_sessions, limits, now)
        return problem(
            403, "bad_password", "The current password is wrong.", field="current_password"
        )
    try:
        await OrganiserAuth.change_password(
            services.write_sessions, organiser.organiser_id, payload.new_password
        )
    except WeakPassword as error:
        return problem(400, "weak_password", str(error), field="new_password")
    fresh = await state.organisers.start(services.write_sessions, found, now)
    response = JSONResponse(_me(fresh))
    state.organisers.set_cookie(request, response, fresh)
    return response


async def _series_with_events(state: AppState, series: Series, role: str | None) -> dict[str, Any]:
    origin = state.settings.public_origin
    async with state.services.read_sessions() as session:
        events = await store.series_events(session, series.id)
        calendars = await store.calendar_events(session, events, origin)
        members = await access.list_members(session, series)
    now = state.services.clock()
    return {
        **series_json(series, origin),
        "role": role,
        "members": members,
        "events": [
            event_json(event, calendar, origin, now, organiser=True)
            for event, calendar in zip(events, calendars, strict=True)
        ],
    }


async def all_series(request: Request, state: AppState, organiser: OrganiserSession) -> Response:
    """The series this organiser holds a role in (every series for an admin)."""
    async with state.services.read_sessions() as session:
        roles = await organiser_store.roles_of(session, organiser.organiser_id)
        query = select(Series).order_by(Series.id)
        if not organiser.is_admin:
            query = query.where(Series.id.in_(roles))
        rows = list(await session.scalars(query))
    return JSONResponse(
        {
            "series": [
                await _series_with_events(
                    state, s, "admin" if organiser.is_admin else roles.get(s.id)
                )
                for s in rows
            ]
        }
    )


async def _role(state: AppState, organiser: OrganiserSession, series: Series) -> str | None:
    async with state.services.read_sessions() as session:
        return await access.role_for(session, who(organiser), series.id)


async def new_series(request: Request, state: AppState, organiser: OrganiserSession) -> Response:
    payload = await read_body(request, workflows.SeriesPayload)
    series = await workflows.create_series(state.services, who(organiser), payload)
    body = await _series_with_events(state, series, await _role(state, organiser, series))
    return JSONResponse(body, status_code=201)


async def change_series(request: Request, state: AppState, organiser: OrganiserSession) -> Response:
    payload = await read_body(request, workflows.SeriesEdit)
    series = await workflows.edit_series(
        state.services, who(organiser), request.path_params["slug"], payload
    )
    return JSONResponse(
        await _series_with_events(state, series, await _role(state, organiser, series))
    )


async def publish(request: Request, state: AppState, organiser: OrganiserSession) -> Response:
    payload = await read_body(request, workflows.PublishPayload)
    series = await workflows.publish_series(
        state.services, who(organiser), request.path_params["slug"], payload
    )
    return JSONResponse(
        await _series_with_events(state, series, await _role(state, organiser, series))
    )


async def members(request: Request, state: AppState, organiser: OrganiserSession) -> Response:
    async with state.services.read_sessions() as session:
        series = await access.find_series(session, request.path_params["slug"])
        await access.require_series(session, who(organiser), series)
        return JSONResponse({"members": await access.list_members(session, series)})


async def add_member(request: Request, state: AppState, organiser: OrganiserSession) -> Response:
    payload = await read_body(request, access.MemberPayload)
    listed = await access.add_member(
        state.services, who(organiser), request.path_params["slug"], payload
    )
    return JSONResponse({"members": listed})


async def remove_member(request: Request, state: AppState, organiser: OrganiserSession) -> Response:
    payload = await read_body(request, access.MemberRemoval)
    listed = await access.remove_member(
        state.services, who(organiser), request.path_params["slug"], payload
    )
    return JSONResponse({"members": listed})


async def people(request: Request, state: AppState, organiser: OrganiserSession) -> Response:
    async with state.services.read_sessions() as session:
        candidates = await session.scalars(select(Candidate).order_by(Candidate.name))
        moderators = await session.scalars(select(Moderator).order_by(Moderator.name))
        return JSONResponse(
            {
                "candidates": [{"name": c.name, "country": c.country} for c in candidates],
                "moderators": [{"name": m.name, "email": m.email} for m in moderators],
            }
        )


async def new_candidate(request: Request, state: AppState, organiser: OrganiserSession) -> Response:
    payload = await read_body(request, workflows.PersonPayload)
    return JSONResponse(await workflows.add_person(state.services, "candidate", payload), 201)


async def new_moderator(request: Request, state: AppState, organiser: OrganiserSession) -> Response:
    payload = await read_body(request, workflows.PersonPayload)
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


async def new_event(request: Request, state: AppState, organiser: OrganiserSession) -> Response:
    payload = await read_body(request, workflows.EventPayload)
    outcome = await workflows.create_event(
        state.services, who(organiser), request.path_params["slug"], payload
    )
    return JSONResponse(_outcome(state, outcome), status_code=201)


async def change_event(request: Request, state: AppState, organiser: OrganiserSession) -> Response:
    payload = await read_body(request, workflows.EventEdit)
    outcome = await workflows.edit_event(
        state.services, who(organiser), request.path_params["slug"], payload
    )
    return JSONResponse(_outcome(state, outcome))


async def reschedule(request: Request, state: AppState, organiser: OrganiserSession) -> Response:
    payload = await read_body(request, workflows.ReschedulePayload)
    outcome = await workflows.edit_event(
        state.services, who(organiser), request.path_params["slug"], payload
    )
    return JSONResponse(_outcome(state, outcome))


async def cancel(request: Request, state: AppState, organiser: OrganiserSession) -> Response:
    await read_body(request, NoFields)
    outcome = await workflows.cancel(state.services, who(organiser), request.path_params["slug"])
    return JSONResponse(_outcome(state, outcome))


async def moderator_key(request: Request, state: AppState, organiser: OrganiserSession) -> Response:
    await read_body(request, NoFields)
    event, key = await workflows.rotate_moderator_key(
        state.services, who(organiser), request.path_params["slug"]
    )
    return JSONResponse(
        {"moderator_key": key, "moderator_url": _moderator_url(state, event.slug, key)}
    )


routes = [
    Route("/api/organiser/sign-in", sign_in, methods=["POST"]),
    Route("/api/organiser/sign-out", sign_out, methods=["POST"]),
    Route("/api/organiser/me", me, methods=["GET"]),
    Route("/api/organiser/password", organiser_only(change_password), methods=["POST"]),
    Route("/api/organiser/series", organiser_only(all_series), methods=["GET"]),
    Route("/api/organiser/series", organiser_only(new_series), methods=["POST"]),
    Route("/api/organiser/series/{slug}", organiser_only(change_series), methods=["PATCH"]),
    Route("/api/organiser/series/{slug}/publish", organiser_only(publish), methods=["POST"]),
    Route("/api/organiser/series/{slug}/events", organiser_only(new_event), methods=["POST"]),
    Route("/api/organiser/series/{slug}/members", organiser_only(members), methods=["GET"]),
    Route("/api/organiser/series/{slug}/members", organiser_only(add_member), methods=["POST"]),
    Route(
        "/api/organiser/series/{slug}/members/remove",
        organiser_only(remove_member),
        methods=["POST"],
    ),
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
