"""/openapi.json's participation-mode part: the participant's gate, the moderators' delegate
list, and the organisers' access mode and invitation list (routes in web/access.py)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from townhall.domain import access as rules
from townhall.web import access
from townhall.web.openapi_parts import (
    ERROR,
    MODERATOR,
    body,
    id_parameter,
    json_object,
    organiser,
    organiser_read,
    responses,
    returns,
    slug,
)

_MODE = {"enum": list(rules.MODES)}
_INVITATION: dict[str, Any] = {
    "type": "object",
    "required": ["id", "name", "organisation_id", "email", "created_at", "revoked", "delegates"],
    "properties": {
        "id": {"type": "integer"},
        "name": {"type": "string"},
        "organisation_id": {"type": "integer"},
        "country": {"type": ["string", "null"]},
        "stakeholder_group": {"type": ["string", "null"]},
        "website": {"type": ["string", "null"]},
        "email": {"type": ["string", "null"]},
        "created_at": {"type": "string"},
        "revoked": {"type": "boolean"},
        "delegates": {"type": "integer", "minimum": 0},
        "link": {"type": "string", "description": "Only in the answer that made it."},
    },
}
_INVITATIONS = {"type": "array", "items": {"$ref": "#/components/schemas/Invitation"}}


# What the answers hold (the fields every answer has).
ACCESS_SCHEMAS: dict[str, Any] = {
    "AccessStatus": json_object(
        mode=_MODE,
        allowed={"type": "boolean"},
        granted={"enum": [rules.CODE, rules.EMAIL, rules.INVITED, None]},
        organisation={"type": ["string", "null"]},
        endorsed={
            "type": "array",
            "items": {"type": "integer"},
            "description": "The question groups (roots) the delegate's organisation endorses.",
        },
    ),
    "LinkSent": json_object(sent={"const": True}, expires_in_minutes={"type": "integer"}),
    "Delegates": json_object(
        delegates={
            "type": "array",
            "items": json_object(
                organisation={"type": "string"},
                participant_id={"type": "string"},
                since={"type": "string"},
                questions={"type": "array", "items": {"type": "integer"}},
            ),
        }
    ),
    "AccessMode": json_object(slug={"type": "string"}, access_mode=_MODE),
    "Invitation": _INVITATION,
    "InvitationList": json_object(access_mode=_MODE, invitations=_INVITATIONS),
    "InvitationsMade": json_object(invitations=_INVITATIONS),
}

_COOKIE_NOTE = (
    " The participant is the one of the identity cookie, which the answer sets when it is new."
)


def _gate(summary: str, model: type[BaseModel], *refusals: str) -> dict[str, Any]:
    return {
        "post": {
            "summary": summary + _COOKIE_NOTE,
            "parameters": [slug("event")],
            "requestBody": body(model),
            "responses": responses("200", "400", "404", "413", *refusals, answer="AccessStatus"),
        }
    }


def _invitation(summary: str) -> dict[str, Any]:
    return {
        "post": organiser(
            summary,
            parameters=(slug("event"), id_parameter("invitation_id", "invitation")),
            refusals=("404",),
            answer="Invitation",
        )
    }


def access_paths() -> dict[str, Any]:
    event = "/api/events/{slug}"
    organisers = "/api/organiser/events/{slug}"
    return {
        f"{event}/access": {
            "get": {
                "summary": "The event's participation mode and whether this participant may "
                "ask and vote (`mode`, `allowed`, `granted`); for a delegate, in any mode, the "
                "`organisation` it speaks for and the groups it `endorsed`." + _COOKIE_NOTE,
                "parameters": [slug("event")],
                "responses": responses("200", "404", answer="AccessStatus"),
            }
        },
        f"{event}/access/code": _gate(
            "Enter the event's join code (`code` mode); answers the new access status.",
            access.CodePayload,
            "429",
        ),
        f"{event}/access/email": {
            "post": {
                **_gate(
                    "Mail a one-time sign-in link to this address (`email` mode).",
                    access.EmailPayload,
                )["post"],
                "responses": {
                    "200": returns("LinkSent"),
                    # 429 with `Retry-After`; 502 when the mail server fails, 503 without one.
                    **{s: ERROR for s in ("400", "404", "413", "429", "502", "503")},
                },
            }
        },
        f"{event}/access/verify": _gate(
            "Spend the token of an e-mail sign-in link; answers the new access status.",
            access.TokenPayload,
            "429",
        ),
        f"{event}/access/invitation": _gate(
            "Open an organisation's delegate link (any mode: in `invited` it lets the delegate "
            "ask and vote; in every mode it lets them ask and endorse on the organisation's "
            "behalf); answers the new access status.",
            access.TokenPayload,
            "429",
        ),
        f"{event}/delegates": {
            "get": {
                "summary": "Who speaks for which organisation, with their questions "
                "(moderators only).",
                "parameters": [slug("event")],
                "security": [MODERATOR],
                "responses": responses("200", "403", "404", answer="Delegates"),
            }
        },
        f"{organisers}/access-mode": {
            "post": organiser(
                "Set who may ask and vote: `open`, `code`, `email` or `invited`.",
                model=access.ModePayload,
                parameters=(slug("event"),),
                refusals=("404",),
                answer="AccessMode",
            )
        },
        f"{organisers}/invitations": {
            "get": organiser_read(
                "The event's invitations, with their delegate counts (links are shown only "
                "when made).",
                parameters=(slug("event"),),
                refusals=("403", "404"),
                answer="InvitationList",
            ),
            "post": organiser(
                "Invite organisations, all or none: `organisations` as a list, or `text` "
                "(pasted lines or a CSV file); answers each one's delegate link once.",
                "201",
                model=access.InvitePayload,
                parameters=(slug("event"),),
                refusals=("404",),
                answer="InvitationsMade",
            ),
        },
        f"{organisers}/invitations/{{invitation_id}}/revoke": _invitation(
            "Revoke an invitation: its link and every delegate grant it gave end."
        ),
        f"{organisers}/invitations/{{invitation_id}}/link": _invitation(
            "A fresh delegate link for the organisation (the old one ends); answered once."
        ),
    }
