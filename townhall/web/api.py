"""The JSON HTTP API under /api/ (described by /openapi.json)."""

from __future__ import annotations

import math
import re
from typing import Any

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

from townhall.actions.base import ACTIONS, CLIENT_ID_PATTERN, ActionRefused, Actor, perform
from townhall.actions.views import load_own_marks, load_queue
from townhall.domain.ical import google_calendar_url, outlook_calendar_url
from townhall.domain.record import record_url
from townhall.store import queries
from townhall.store.record import has_ended
from townhall.store.schedule import calendar_events
from townhall.web import messages
from townhall.web.admission import problem_for
from townhall.web.auth import is_moderator, moderator_key_from
from townhall.web.json_input import BadJson, parse_json
from townhall.web.state import AppState

_CLIENT_ID = re.compile(CLIENT_ID_PATTERN)


def _state(request: Request) -> AppState:
    state: AppState = request.app.state.townhall
    return state


def problem(status: int, code: str, message: str, **extra: Any) -> JSONResponse:
    return JSONResponse({"error": {"code": code, "message": message, **extra}}, status_code=status)


def unknown_event() -> JSONResponse:
    """The 404 of a route whose slug names no event."""
    return problem(404, "unknown_event", "There is no such event.")


_ROUTING_CODES = {404: "not_found", 405: "method_not_allowed"}


async def routing_error(request: Request, error: Exception) -> Response:
    """No route for the path (or not this method): an API client gets the usual JSON refusal,
    a browser Starlette's plain text."""
    assert isinstance(error, HTTPException)
    if not request.url.path.startswith("/api/"):
        return PlainTextResponse(error.detail, error.status_code, headers=error.headers)
    code = _ROUTING_CODES.get(error.status_code, "http_error")
    response = problem(error.status_code, code, error.detail)
    response.headers.update(error.headers or {})
    return response


def event_links(state: AppState, slug: str) -> dict[str, str]:
    origin = state.settings.public_origin
    return {
        "url": f"{origin}/e/{slug}",
        "api_url": f"{origin}/api/events/{slug}",
        "ics_url": f"{origin}/events/{slug}/invite.ics",
    }


async def list_events(request: Request) -> Response:
    state = _state(request)
    now = state.services.clock()
    async with state.services.read_sessions() as session:
        events = await queries.list_public_events(session)
        candidates = await queries.candidates_by_event(session)
    origin = state.settings.public_origin
    return JSONResponse(
        {
            "events": [
                {
                    **messages.event_summary(event),
                    "candidates": candidates.get(event.id, []),
                    "venue": event.venue,
                    "stream_url": event.stream_url,
                    **event_links(state, event.slug),
                    # An ended event's public record (docs/record.md); None before it ends.
                    "record_url": (
                        record_url(origin, event.slug) if has_ended(event, now) else None
                    ),
                }
                for event in events
            ]
        }
    )


async def get_event(request: Request) -> Response:
    state = _state(request)
    slug = request.path_params["slug"]
    async with state.services.read_sessions() as session:
        event = await queries.event_by_slug(session, slug)
        if event is None:
            return unknown_event()
        candidates = await queries.candidates_by_event(session)
        (calendar,) = await calendar_events(session, [event], state.settings.public_origin)
    return JSONResponse(
        {
            **messages.event_summary(event),
            "description": event.description,
            "candidates": candidates.get(event.id, []),
            "venue": event.venue,
            "stream_url": event.stream_url,
            **event_links(state, event.slug),
            # The question page's "add to calendar" links, as the schedule page has them.
            "google_url": google_calendar_url(calendar),
            "outlook_url": outlook_calendar_url(calendar),
        }
    )


async def get_queue(request: Request) -> Response:
    state = _state(request)
    slug = request.path_params["slug"]
    async with state.services.read_sessions() as session:
        event = await queries.event_by_slug(session, slug)
    if event is None:
        return unknown_event()
    key = moderator_key_from(request)
    if key is not None and not is_moderator(event, key):
        return problem(403, "bad_key", "That moderator key is not valid.")
    audience = "moderator" if key else "participant"
    participant_id, cookie = state.cookies.identify(request)
    current = await load_queue(
        state.services.read_sessions, event.id, state.services.hub.online(event.id)
    )
    voted, mine = await load_own_marks(state.services.read_sessions, event.id, participant_id)
    assert current is not None
    body = messages.queue_body(current.event, current.queue, audience, current.flags)
    response = JSONResponse({**body, "you": {"voted": voted, "mine": mine}})
    state.cookies.set(request, response, cookie)
    return response


async def similar_questions(request: Request) -> Response:
    state = _state(request)
    slug = request.path_params["slug"]
    raw = request.query_params.get("text")
    if raw is None:
        return problem(400, "bad_payload", "Send the question so far as `text`.", field="text")
    if state.dedup is None:
        return problem(503, "dedup_off", "Similar-question search is not running.")
    async with state.services.read_sessions() as session:
        event = await queries.event_by_slug(session, slug)
    if event is None:
        return unknown_event()
    text = raw.strip()
    if len(text) < 8:
        return JSONResponse({"similar": []})
    found, repeats = await state.dedup.similar_and_repeats(event.id, text[:500])
    async with state.services.read_sessions() as session:
        votable = await queries.votable_roots(session, event.id, [root for root, _ in found])
    # Answered in an earlier event of the series first: the participant may not need to ask.
    answered = [
        {
            "id": repeat.answered_in.question_id,
            "text": repeat.text,
            "score": round(repeat.score, 3),
            "answered_in": messages.answered_in(repeat.answered_in),
        }
        for repeat in repeats
    ]
    return JSONResponse(
        {
            "similar": answered
            + [
                {
                    "id": root,
                    "text": votable[root][0],
                    "votes": votable[root][1],
                    "score": round(score, 3),
                }
                for root, score in found
                if root in votable
            ]
        }
    )


async def moderation_log(request: Request) -> Response:
    state = _state(request)
    slug = request.path_params["slug"]
    async with state.services.read_sessions() as session:
        event = await queries.event_by_slug(session, slug)
        if event is None:
            return unknown_event()
        if not is_moderator(event, moderator_key_from(request)):
            return problem(403, "forbidden", "The moderation log is for this event's moderators.")
        entries = await queries.moderation_entries(session, event.id)
    return JSONResponse({"entries": [messages.log_entry(entry) for entry in entries]})


async def run_action(request: Request) -> Response:
    state = _state(request)
    slug, name = request.path_params["slug"], request.path_params["action"]
    if name not in ACTIONS:
        return problem(404, "unknown_action", f"There is no action called {name!r}.")
    try:
        body = parse_json(await request.body() or b"{}")
    except BadJson as error:
        return problem(400, error.code, error.message)
    if not isinstance(body, dict):
        return problem(400, "bad_json", "The request body must be a JSON object.")
    client_id = body.pop("client_id", None)
    if not isinstance(client_id, str) or not _CLIENT_ID.match(client_id):
        return problem(400, "bad_client_id", "client_id: 1-64 of A-Z a-z 0-9 _ . : -")
    participant_id, cookie = state.cookies.identify(request)
    network = state.clients.of(request).network_hash
    actor = Actor(participant_id, network=network)
    key = moderator_key_from(request)
    if key is not None:
        async with state.services.read_sessions() as session:
            event = await queries.event_by_slug(session, slug)
        if event is not None:
            if not is_moderator(event, key):
                return problem(403, "bad_key", "That moderator key is not valid.")
            actor = Actor(participant_id, moderator_of=event.id, network=network)
    if not state.limits.allow_action(participant_id, name, moderator=actor.is_moderator):
        return problem(429, "slow_down", "Too many actions; wait a moment.", action=name)
    refused = await state.admission.check(actor, slug, name, body)
    if refused is not None:
        response = problem_for(refused, name, client_id)
        state.cookies.set(request, response, cookie)  # the same identity when it tries again
        return response
    try:
        reply = await perform(state.services, actor, slug, name, client_id, body)
    except ActionRefused as refusal:
        answer = problem(
            refusal.status,
            refusal.code,
            refusal.message,
            action=name,
            client_id=client_id,
            **refusal.details,
        )
        if "retry_after_ms" in refusal.details:
            answer.headers["Retry-After"] = str(math.ceil(refusal.details["retry_after_ms"] / 1000))
        return answer
    response = JSONResponse(
        {
            "action": reply.action,
            "client_id": reply.client_id,
            "result": reply.result,
            "replayed": reply.replayed,
        }
    )
    state.cookies.set(request, response, cookie)
    return response


routes = [
    Route("/api/events", list_events, methods=["GET"]),
    Route("/api/events/{slug}", get_event, methods=["GET"]),
    Route("/api/events/{slug}/queue", get_queue, methods=["GET"]),
    Route("/api/events/{slug}/similar", similar_questions, methods=["GET"]),
    Route("/api/events/{slug}/log", moderation_log, methods=["GET"]),
    Route("/api/events/{slug}/actions/{action}", run_action, methods=["POST"]),
]
