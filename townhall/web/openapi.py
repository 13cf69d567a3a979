"""GET /openapi.json: the HTTP API, with one operation per named action, the participation
modes and the organiser API.

Every request body is the JSON schema of the model that parses it, so what the document
promises is what the server checks (schemathesis runs each operation in the tests, and a test
checks that every route under /api/ is described here).
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

import townhall
from townhall.actions import schedule as workflows
from townhall.actions import series_roles
from townhall.actions.base import ACTIONS, CLIENT_ID_PATTERN
from townhall.web.openapi_access import ACCESS_SCHEMAS, access_paths
from townhall.web.openapi_organisations import ORGANISATION_SCHEMAS, organisation_paths
from townhall.web.openapi_parts import (
    ANSWER_SCHEMAS,
    ERROR,
    ERROR_SCHEMA,
    MODERATOR,
    OK,
    SECURITY_SCHEMES,
    body,
    hoist_defs,
    id_parameter,
    organiser,
    organiser_read,
    responses,
    slug,
)
from townhall.web.openapi_record import record_paths
from townhall.web.openapi_series import SERIES_SCHEMAS, series_paths
from townhall.web.organisers import PasswordChange, SignIn


def _get(
    summary: str,
    *params: dict[str, Any],
    security: list[dict[str, list[str]]] | None = None,
    refusals: tuple[str, ...] = ("404",),
    what: str = "event",
) -> dict[str, Any]:
    operation: dict[str, Any] = {
        "summary": summary,
        "parameters": [slug(what), *params],
        "responses": responses("200", *refusals),
    }
    if security is not None:
        operation["security"] = security
    return {"get": operation}


def _moderators(summary: str, *params: dict[str, Any]) -> dict[str, Any]:
    return _get(summary, *params, security=[MODERATOR], refusals=("403", "404"))


def _public_paths() -> dict[str, Any]:
    return {
        "/api/events": {
            "get": {
                "summary": "List events, each with its slug and participant page url.",
                "responses": responses("200"),
            }
        },
        "/api/events/{slug}": _get("One event."),
        "/api/events/{slug}/queue": _get(
            "The live queue (the moderator view with the moderator key).",
            security=[{}, MODERATOR],
            refusals=("403", "404"),
        ),
        "/api/events/{slug}/similar": _get(
            "Up to 3 existing questions that look like `text`, after any question answered in "
            "an earlier event of the series that it repeats (with `answered_in`).",
            {"name": "text", "in": "query", "required": True, "schema": {"type": "string"}},
        ),
        "/api/events/{slug}/log": _moderators("The moderation log (moderators only)."),
        "/api/events/{slug}/questions/{question_id}/support": _moderators(
            "Where a question's support comes from, with its burst flag (moderators only).",
            id_parameter("question_id", "question"),
        ),
        "/api/events/{slug}/spread": _moderators(
            "How support for each live question spreads across M49 regions, UN regional groups "
            "and stakeholder groups, and the queue in 'most regions' order (moderators only; no "
            "count below TOWNHALL_PRIVACY_MIN_GROUP)."
        ),
        "/api/events/{slug}/venue": _get(
            "A fresh venue token for the stage screen's QR code (moderator key, or the stage "
            "key in `X-Stage-Key`); docs/integrity.md.",
            security=[MODERATOR, {"stageKey": []}],
            refusals=("403", "404"),
        ),
        "/api/events/{slug}/export.csv": {
            "get": {
                **_moderators("")["get"],
                "summary": "Every question of the event as a CSV file (moderators only).",
                "responses": {
                    "200": {
                        "description": "RFC 4180, every cell quoted, formulas neutralised.",
                        "content": {"text/csv": {"schema": {"type": "string"}}},
                    },
                    "403": ERROR,
                    "404": ERROR,
                },
            }
        },
        "/api/events/{slug}/export.json": _moderators(
            "Every question of the event and its moderation log, as a JSON file (moderators only)."
        ),
        "/api/series": {"get": {"summary": "The published series.", "responses": responses("200")}},
        "/api/series/{slug}": _get("A published series with its events.", what="series"),
    }


def _action_paths() -> dict[str, Any]:
    client_id = {
        "client_id": {
            "type": "string",
            "pattern": CLIENT_ID_PATTERN,
            "description": "Chosen by the client; a retry with the same id applies once.",
        }
    }
    paths: dict[str, Any] = {}
    for name, spec in sorted(ACTIONS.items()):
        paths[f"/api/events/{{slug}}/actions/{name}"] = {
            "post": {
                "operationId": name,
                "summary": spec.summary + (" Moderators only." if spec.moderator_only else ""),
                "parameters": [slug("event")],
                "security": [MODERATOR] if spec.moderator_only else [{}, MODERATOR],
                "requestBody": body(spec.payload, **client_id),
                "responses": {
                    "200": {
                        "description": "Committed: `result`, and `replayed` for a retry.",
                        "content": OK["content"],
                    },
                    # 429: per participant or per network, with `Retry-After` when known;
                    # 503 `busy`: the server is saturated, nothing applied, send it again.
                    **{status: ERROR for status in ("400", "403", "404", "413", "429", "503")},
                },
            }
        }
    return paths


def _account_paths() -> dict[str, Any]:
    return {
        "/api/organiser/sign-in": {
            "post": {
                "summary": "Sign in; sets the session cookie and answers the CSRF token.",
                "requestBody": body(SignIn),
                "responses": responses("200", "400", "401", "413", "429", answer="Me"),
            }
        },
        "/api/organiser/sign-out": {
            "post": {
                "summary": "Sign out: ends the session on the server and clears the cookie.",
                "responses": responses("200", "403"),
            }
        },
        "/api/organiser/me": {
            "get": {
                "summary": "The organiser signed in, and the CSRF token.",
                "security": [{"organiserSession": []}],
                "responses": responses("200", "401", answer="Me"),
            }
        },
        "/api/organiser/password": {
            "post": organiser(
                "Change the password (needs the current one): ends every session of the "
                "organiser and answers a new one (cookie and CSRF token).",
                model=PasswordChange,
                refusals=("429",),
                answer="Me",
            )
        },
    }


def _series_paths() -> dict[str, Any]:
    series = (slug("series"),)
    return {
        "/api/organiser/series": {
            "get": organiser_read("The series this organiser holds a role in, with events."),
            "post": organiser("Create a series.", "201", model=workflows.SeriesPayload),
        },
        "/api/organiser/series/{slug}": {
            "patch": organiser(
                "Edit a series.", model=workflows.SeriesEdit, parameters=series, refusals=("404",)
            )
        },
        "/api/organiser/series/{slug}/publish": {
            "post": organiser(
                "Publish or unpublish a series.",
                model=workflows.PublishPayload,
                parameters=series,
                refusals=("404",),
            )
        },
        "/api/organiser/series/{slug}/events": {
            "post": organiser(
                "Plan an event in the series; answers its moderator link once.",
                "201",
                model=workflows.EventPayload,
                parameters=series,
                refusals=("404", "409"),
            )
        },
        "/api/organiser/series/{slug}/members": {
            "get": organiser_read(
                "The series' owners and editors.",
                parameters=series,
                refusals=("403", "404"),
                answer="Members",
            ),
            "post": organiser(
                "Give an organiser a role in the series (owners only).",
                model=series_roles.MemberPayload,
                parameters=series,
                refusals=("404", "409"),
                answer="Members",
            ),
        },
        "/api/organiser/series/{slug}/members/remove": {
            "post": organiser(
                "Take an organiser's role in the series away (owners only; one owner stays).",
                model=series_roles.MemberRemoval,
                parameters=series,
                refusals=("404", "409"),
                answer="Members",
            )
        },
    }


def _organiser_paths() -> dict[str, Any]:
    event = (slug("event"),)
    return {
        **_account_paths(),
        **_series_paths(),
        "/api/organiser/people": {"get": organiser_read("Known candidates and moderators.")},
        "/api/organiser/candidates": {
            "post": organiser(
                "Add a candidate.", "201", model=workflows.PersonPayload, refusals=("409",)
            )
        },
        "/api/organiser/moderators": {
            "post": organiser(
                "Add a moderator.", "201", model=workflows.PersonPayload, refusals=("409",)
            )
        },
        "/api/organiser/events/{slug}": {
            "patch": organiser(
                "Edit an event (a new SEQUENCE for calendars).",
                model=workflows.EventEdit,
                parameters=event,
                refusals=("404", "409"),
            )
        },
        "/api/organiser/events/{slug}/reschedule": {
            "post": organiser(
                "Move an event.",
                model=workflows.ReschedulePayload,
                parameters=event,
                refusals=("404", "409"),
            )
        },
        "/api/organiser/events/{slug}/cancel": {
            "post": organiser("Cancel an event.", parameters=event, refusals=("404",))
        },
        "/api/organiser/events/{slug}/moderator-key": {
            "post": organiser(
                "Rotate the moderator key; answers the new moderator link.",
                parameters=event,
                refusals=("404",),
            )
        },
    }


def build_openapi() -> dict[str, Any]:
    paths = {
        **_public_paths(),
        **_action_paths(),
        **_organiser_paths(),
        **access_paths(),
        **organisation_paths(),
        **series_paths(),
        **record_paths(),
    }
    schemas = {
        "Error": ERROR_SCHEMA,
        **ANSWER_SCHEMAS,
        **ACCESS_SCHEMAS,
        **SERIES_SCHEMAS,
        **ORGANISATION_SCHEMAS,
    }
    hoist_defs(paths, schemas)
    return {
        "openapi": "3.1.0",
        "info": {"title": "townhall", "version": townhall.__version__},
        "paths": paths,
        "components": {"schemas": schemas, "securitySchemes": SECURITY_SCHEMES},
    }


async def openapi(request: Request) -> Response:
    return JSONResponse(build_openapi())
