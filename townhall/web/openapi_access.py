"""/openapi.json's participation-mode part: the participant's gate, the moderators' delegate
list, and the organisers' access mode and invitation list (routes in web/access.py)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from townhall.web import access
from townhall.web.openapi_parts import (
    ERROR,
    MODERATOR,
    OK,
    body,
    id_parameter,
    organiser,
    organiser_read,
    responses,
    slug,
)

_COOKIE_NOTE = (
    " The participant is the one of the identity cookie, which the answer sets when it is new."
)


def _gate(summary: str, model: type[BaseModel], *refusals: str) -> dict[str, Any]:
    return {
        "post": {
            "summary": summary + _COOKIE_NOTE,
            "parameters": [slug("event")],
            "requestBody": body(model),
            "responses": responses("200", "400", "404", "413", *refusals),
        }
    }


def _invitation(summary: str) -> dict[str, Any]:
    return {
        "post": organiser(
            summary,
            parameters=(slug("event"), id_parameter("invitation_id", "invitation")),
            refusals=("404",),
        )
    }


def access_paths() -> dict[str, Any]:
    event = "/api/events/{slug}"
    organisers = "/api/organiser/events/{slug}"
    return {
        f"{event}/access": {
            "get": {
                "summary": "The event's participation mode and whether this participant may "
                "ask and vote (`mode`, `allowed`, `granted`, `organisation`)." + _COOKIE_NOTE,
                "parameters": [slug("event")],
                "responses": responses("200", "404"),
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
                    "200": OK,
                    # 429 with `Retry-After`; 502 when the mail server fails, 503 without one.
                    **{s: ERROR for s in ("400", "404", "413", "429", "502", "503")},
                },
            }
        },
        f"{event}/access/verify": _gate(
            "Spend the token of an e-mail sign-in link; answers the new access status.",
            access.TokenPayload,
        ),
        f"{event}/access/invitation": _gate(
            "Open an organisation's delegate link (`invited` mode); answers the new access status.",
            access.TokenPayload,
        ),
        f"{event}/delegates": {
            "get": {
                "summary": "Who speaks for which organisation, with their questions "
                "(moderators only).",
                "parameters": [slug("event")],
                "security": [MODERATOR],
                "responses": responses("200", "403", "404"),
            }
        },
        f"{organisers}/access-mode": {
            "post": organiser(
                "Set who may ask and vote: `open`, `code`, `email` or `invited`.",
                model=access.ModePayload,
                parameters=(slug("event"),),
                refusals=("404",),
            )
        },
        f"{organisers}/invitations": {
            "get": organiser_read(
                "The event's invitations, with their delegate counts (links are shown only "
                "when made).",
                parameters=(slug("event"),),
                refusals=("403", "404"),
            ),
            "post": organiser(
                "Invite organisations, all or none: `organisations` as a list, or `text` "
                "(pasted lines or a CSV file); answers each one's delegate link once.",
                "201",
                model=access.InvitePayload,
                parameters=(slug("event"),),
                refusals=("404",),
            ),
        },
        f"{organisers}/invitations/{{invitation_id}}/revoke": _invitation(
            "Revoke an invitation: its link and every delegate grant it gave end."
        ),
        f"{organisers}/invitations/{{invitation_id}}/link": _invitation(
            "A fresh delegate link for the organisation (the old one ends); answered once."
        ),
    }
