"""Participation-mode routes: the participant's gate (code, e-mail link, delegate link), the
moderators' list of delegates, and the organisers' mode and invitation list."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from typing import Any

from pydantic import Field
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from townhall.actions import access as gate
from townhall.actions import invitations as invites
from townhall.actions.base import MAX_ID, ActionRefused, Actor, Payload, parse_payload_model
from townhall.actions.series_roles import require_event
from townhall.domain import access as rules
from townhall.domain.organisations import STAKEHOLDER_GROUPS
from townhall.store import access as store
from townhall.store import queries
from townhall.web.access_desk import AccessDesk
from townhall.web.admission import message_for
from townhall.web.api import problem, unknown_event
from townhall.web.auth import is_moderator, moderator_key_from
from townhall.web.json_input import BadJson, parse_json
from townhall.web.messages import iso
from townhall.web.organiser_auth import OrganiserSession
from townhall.web.organiser_requests import NoFields, organiser_only, who
from townhall.web.state import AppState

MAX_BODY = 1 << 20  # an import of thousands of organisations fits; nothing else comes close


class CodePayload(Payload):
    code: str = Field(max_length=40)


class EmailPayload(Payload):
    email: str = Field(max_length=rules.MAX_EMAIL_CHARS + 10)
    language: str | None = Field(
        default=None,
        max_length=35,
        description="The language of the page asking (ar, zh, en, fr, ru or es): the e-mail "
        "is written in it. Another or none: the request's Accept-Language, then the event's "
        "first language, then English.",
    )


class TokenPayload(Payload):
    token: str = Field(min_length=1, max_length=100)


class ModePayload(Payload):
    # Checked in actions (code `invalid`); the enum tells /openapi.json's readers the choices.
    mode: str = Field(max_length=10, json_schema_extra={"enum": list(rules.MODES)})


class OrganisationPayload(Payload):
    name: str = Field(max_length=rules.MAX_ORGANISATION_CHARS)
    email: str | None = Field(default=None, max_length=rules.MAX_EMAIL_CHARS)
    country: str | None = Field(default=None, max_length=10, description="ISO 3166-1 alpha-2.")
    stakeholder_group: str | None = Field(
        default=None, max_length=40, json_schema_extra={"enum": list(STAKEHOLDER_GROUPS)}
    )
    website: str | None = Field(default=None, max_length=500, description="http or https only.")


class InvitePayload(Payload):
    """Either `organisations` as a list, or `text`: pasted lines or a CSV file's content."""

    organisations: list[OrganisationPayload] = Field(
        default_factory=list, max_length=rules.MAX_INVITATIONS_PER_IMPORT
    )
    text: str = Field(default="", max_length=MAX_BODY)


def _state(request: Request) -> AppState:
    state: AppState = request.app.state.townhall
    return state


def _desk(state: AppState) -> AccessDesk:
    assert state.access is not None, "the lifespan sets it"
    return state.access


async def _body(request: Request, model: type[Payload]) -> Any:
    raw_bytes = await request.body()
    if len(raw_bytes) > MAX_BODY:
        raise ActionRefused("too_large", "The request body is too large.", status=413)
    try:
        raw = parse_json(raw_bytes or b"{}")
    except BadJson as error:
        raise ActionRefused(error.code, error.message) from None
    if not isinstance(raw, dict):
        raise ActionRefused("bad_json", "The request body must be a JSON object.")
    return parse_payload_model(model, raw)


ParticipantHandler = Callable[[Request, AppState, str], Awaitable[dict[str, Any]]]


def participant_route(
    handler: ParticipantHandler, *, grants: bool = False
) -> Callable[[Request], Awaitable[Response]]:
    """The cookie identity (issued now if new) is who is being let in.

    A route that `grants` stores the participant, and a stored participant counts as admitted
    (web/admission.py): so it first passes the network's limit on new identities, as a first
    action would. Asking for an e-mail link does too: otherwise a fresh cookie per request
    mails any number of addresses from one network."""

    async def endpoint(request: Request) -> Response:
        state = _state(request)
        participant_id, cookie = state.cookies.identify(request)
        try:
            if grants:
                await _admit(request, state, participant_id)
            body = await handler(request, state, participant_id)
        except ActionRefused as error:
            response = problem(error.status, error.code, error.message, **error.details)
            if "retry_after" in error.details:
                response.headers["Retry-After"] = str(error.details["retry_after"])
        else:
            response = JSONResponse(body)
        state.cookies.set(request, response, cookie)
        return response

    return endpoint


async def _admit(request: Request, state: AppState, participant: str) -> None:
    network = state.clients.of(request).network_hash
    actor = Actor(participant, network=network)
    refused = await state.admission.check(actor, request.path_params["slug"], "access", {})
    if refused is not None:
        raise ActionRefused(
            refused.code, message_for(refused), status=429, retry_after=refused.retry_after
        )


async def access_status(request: Request, state: AppState, participant: str) -> dict[str, Any]:
    return await gate.status(state.services, request.path_params["slug"], participant)


async def enter_code(request: Request, state: AppState, participant: str) -> dict[str, Any]:
    payload = await _body(request, CodePayload)
    network = state.clients.of(request).network_hash
    desk = _desk(state)
    if not desk.may_try_code(network, participant):
        raise ActionRefused(
            "slow_down", "Too many wrong codes; wait a minute.", status=429, retry_after=60
        )
    slug = request.path_params["slug"]
    try:
        await gate.join_with_code(state.services, slug, participant, payload.code)
    except ActionRefused as refusal:
        if refusal.code == "bad_code":
            desk.wrong_code(network, participant)
        raise
    return await gate.status(state.services, slug, participant)


async def send_email_link(request: Request, state: AppState, participant: str) -> dict[str, Any]:
    payload = await _body(request, EmailPayload)
    slug = request.path_params["slug"]
    await gate.send_link(
        state.services,
        _desk(state).mail,
        slug,
        participant,
        payload.email,
        language=payload.language,
        accept_language=request.headers.get("accept-language"),
    )
    return {"sent": True, "expires_in_minutes": int(rules.LINK_LIFETIME.total_seconds() // 60)}


async def verify_email(request: Request, state: AppState, participant: str) -> dict[str, Any]:
    payload = await _body(request, TokenPayload)
    slug = request.path_params["slug"]
    await gate.verify_link(state.services, slug, participant, payload.token)
    return await gate.status(state.services, slug, participant)


async def use_invitation(request: Request, state: AppState, participant: str) -> dict[str, Any]:
    payload = await _body(request, TokenPayload)
    slug = request.path_params["slug"]
    await gate.claim_invitation(state.services, slug, participant, payload.token)
    return await gate.status(state.services, slug, participant)


async def delegates(request: Request) -> Response:
    """Who speaks for which organisation (moderators only)."""
    state = _state(request)
    async with state.services.read_sessions() as session:
        event = await queries.event_by_slug(session, request.path_params["slug"])
        if event is None:
            return unknown_event()
        if not is_moderator(event, moderator_key_from(request)):
            return problem(403, "forbidden", "The delegate list is for this event's moderators.")
        rows = await store.delegates(session, event.id)
        asked = await store.questions_by_participants(session, event.id, [p for p, _, _ in rows])
    return JSONResponse(
        {
            "delegates": [
                {
                    "organisation": name,
                    "participant_id": participant,
                    "since": iso(since),
                    "questions": asked.get(participant, []),
                }
                for participant, name, since in rows
            ]
        }
    )


def invitation_json(state: AppState, slug: str, view: invites.InvitationView) -> dict[str, Any]:
    invitation = view.invitation
    organisation = view.organisation
    data: dict[str, Any] = {
        "id": invitation.id,
        "name": invitation.name,
        "organisation_id": invitation.organisation_id,
        "country": organisation.country if organisation is not None else None,
        "stakeholder_group": organisation.stakeholder_group if organisation is not None else None,
        "website": organisation.website if organisation is not None else None,
        "email": invitation.email,
        "created_at": iso(invitation.created_at),
        "revoked": invitation.revoked_at is not None,
        "delegates": view.delegates,
    }
    if view.token is not None:
        data["link"] = f"{state.settings.public_origin}/e/{slug}#invite={view.token}"
    return data


OrganiserHandler = Callable[[Request, AppState], Awaitable[Response]]


def event_editors_only(handler: OrganiserHandler) -> Callable[[Request], Awaitable[Response]]:
    """For the owners and editors of the event's series (and admins); 403 for other organisers."""

    async def checked(request: Request, state: AppState, organiser: OrganiserSession) -> Response:
        async with state.services.read_sessions() as session:
            event = await queries.event_by_slug(session, request.path_params["slug"])
            if event is None:
                return unknown_event()
            await require_event(session, who(organiser), event)
        return await handler(request, state)

    return organiser_only(checked)


async def set_mode(request: Request, state: AppState) -> Response:
    payload = await _body(request, ModePayload)
    event = await invites.set_mode(state.services, request.path_params["slug"], payload.mode)
    return JSONResponse({"slug": event.slug, "access_mode": event.access_mode})


async def list_invitations(request: Request, state: AppState) -> Response:
    slug = request.path_params["slug"]
    event, views = await invites.listing(state.services, slug)
    return JSONResponse(
        {
            "access_mode": event.access_mode,
            "invitations": [invitation_json(state, slug, view) for view in views],
        }
    )


async def add_invitations(request: Request, state: AppState) -> Response:
    payload = await _body(request, InvitePayload)
    slug = request.path_params["slug"]
    try:
        if payload.text.strip():
            if payload.organisations:
                raise rules.InvalidInput("Send either organisations or text, not both.")
            organisations = rules.parse_organisations(payload.text)
        else:
            organisations = rules.check_organisations(
                [
                    (
                        number,
                        rules.Organisation(
                            o.name, o.email, o.country, o.stakeholder_group, o.website
                        ),
                    )
                    for number, o in enumerate(payload.organisations, start=1)
                ]
            )
    except rules.InvalidInput as error:
        raise ActionRefused("invalid", str(error)) from None
    made = await invites.add(state.services, slug, organisations)
    return JSONResponse(
        {"invitations": [invitation_json(state, slug, view) for view in made]}, status_code=201
    )


def _invitation_id(request: Request) -> int:
    raw = request.path_params["invitation_id"]
    # ASCII digits only (str.isdigit takes "²"), and within the id column (PostgreSQL INTEGER).
    if not (raw.isascii() and raw.isdigit() and len(raw) <= 10 and 1 <= int(raw) <= MAX_ID):
        raise ActionRefused("unknown_invitation", "There is no such invitation.", status=404)
    return int(raw)


async def revoke_invitation(request: Request, state: AppState) -> Response:
    await _body(request, NoFields)
    slug = request.path_params["slug"]
    view = await invites.revoke(state.services, slug, _invitation_id(request))
    return JSONResponse(invitation_json(state, slug, view))


async def new_invitation_link(request: Request, state: AppState) -> Response:
    await _body(request, NoFields)
    slug = request.path_params["slug"]
    view = await invites.new_link(state.services, slug, _invitation_id(request))
    return JSONResponse(invitation_json(state, slug, view))


_ORGANISER = "/api/organiser/events/{slug}"
# The one route whose bodies may pass TOWNHALL_MAX_BODY_BYTES (app.py's BodyLimit).
IMPORT_PATH = re.compile(r"/api/organiser/events/[^/]+/invitations")
routes = [
    Route("/api/events/{slug}/access", participant_route(access_status), methods=["GET"]),
    Route(
        "/api/events/{slug}/access/code",
        participant_route(enter_code, grants=True),
        methods=["POST"],
    ),
    Route(
        "/api/events/{slug}/access/email",
        participant_route(send_email_link, grants=True),
        methods=["POST"],
    ),
    Route(
        "/api/events/{slug}/access/verify",
        participant_route(verify_email, grants=True),
        methods=["POST"],
    ),
    Route(
        "/api/events/{slug}/access/invitation",
        participant_route(use_invitation, grants=True),
        methods=["POST"],
    ),
    Route("/api/events/{slug}/delegates", delegates, methods=["GET"]),
    Route(f"{_ORGANISER}/access-mode", event_editors_only(set_mode), methods=["POST"]),
    Route(f"{_ORGANISER}/invitations", event_editors_only(list_invitations), methods=["GET"]),
    Route(f"{_ORGANISER}/invitations", event_editors_only(add_invitations), methods=["POST"]),
    Route(
        _ORGANISER + "/invitations/{invitation_id}/revoke",
        event_editors_only(revoke_invitation),
        methods=["POST"],
    ),
    Route(
        _ORGANISER + "/invitations/{invitation_id}/link",
        event_editors_only(new_invitation_link),
        methods=["POST"],
    ),
]
