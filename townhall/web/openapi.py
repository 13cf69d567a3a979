"""GET /openapi.json: the HTTP API, with one operation per named action and the organiser API.

Every request body is the JSON schema of the model that parses it, so what the document
promises is what the server checks (schemathesis runs each operation in the tests).
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

import townhall
from townhall.actions import schedule as workflows
from townhall.actions.base import ACTIONS, CLIENT_ID_PATTERN
from townhall.web.organiser_auth import COOKIE
from townhall.web.organisers import SignIn

_ERROR = {
    "description": "Refused, with `error.code` and `error.message`.",
    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
}
_OK = {"description": "OK", "content": {"application/json": {"schema": {"type": "object"}}}}
_MODERATOR: dict[str, list[str]] = {"moderatorKey": []}
_ORGANISER: dict[str, list[str]] = {"organiserSession": [], "csrfToken": []}

_ERROR_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["code", "message"],
            "properties": {"code": {"type": "string"}, "message": {"type": "string"}},
        }
    },
}
_SECURITY_SCHEMES: dict[str, Any] = {
    "moderatorKey": {
        "type": "http",
        "scheme": "bearer",
        "description": "The event's moderator key (from its moderator link).",
    },
    "organiserSession": {
        "type": "apiKey",
        "in": "cookie",
        "name": COOKIE,
        "description": "Set by POST /api/organiser/sign-in.",
    },
    "csrfToken": {
        "type": "apiKey",
        "in": "header",
        "name": "X-CSRF-Token",
        "description": "The `csrf_token` of the sign-in answer; changes need it.",
    },
}


def _slug(what: str) -> dict[str, Any]:
    return {
        "name": "slug",
        "in": "path",
        "required": True,
        "description": f"The {what}'s slug.",
        "schema": {"type": "string", "minLength": 1},
    }


def _responses(ok: str, *refusals: str) -> dict[str, Any]:
    return {ok: _OK, **{status: _ERROR for status in refusals}}


def _body(model: type[BaseModel], **extra: Any) -> dict[str, Any]:
    schema = model.model_json_schema(ref_template="#/components/schemas/{model}")
    # An OpenAPI document keeps shared schemas under components (build_openapi gathers them).
    schema = {"x-defs": schema.pop("$defs"), **schema} if "$defs" in schema else schema
    if extra:
        schema.setdefault("properties", {}).update(extra)
        schema.setdefault("required", []).extend(extra)
    return {"required": True, "content": {"application/json": {"schema": schema}}}


def _public_paths() -> dict[str, Any]:
    def get(summary: str, *params: dict[str, Any], refusals: tuple[str, ...] = ("404",)) -> Any:
        return {
            "get": {
                "summary": summary,
                "parameters": [_slug("event"), *params],
                "responses": _responses("200", *refusals),
            }
        }

    return {
        "/api/events": {
            "get": {
                "summary": "List events, each with its slug and participant page url.",
                "responses": _responses("200"),
            }
        },
        "/api/events/{slug}": get("One event."),
        "/api/events/{slug}/queue": {
            "get": {
                **get("")["get"],
                "summary": "The live queue (the moderator view with the moderator key).",
                "security": [{}, _MODERATOR],
                "responses": _responses("200", "403", "404"),
            }
        },
        "/api/events/{slug}/similar": get(
            "Up to 3 existing questions that look like `text`.",
            {"name": "text", "in": "query", "required": True, "schema": {"type": "string"}},
        ),
        "/api/events/{slug}/log": {
            "get": {
                **get("")["get"],
                "summary": "The moderation log (moderators only).",
                "security": [_MODERATOR],
                "responses": _responses("200", "403", "404"),
            }
        },
        "/api/events/{slug}/questions/{question_id}/support": {
            "get": {
                **get(
                    "",
                    {
                        "name": "question_id",
                        "in": "path",
                        "required": True,
                        "schema": {"type": "integer", "minimum": 1, "maximum": 2**31 - 1},
                    },
                )["get"],
                "summary": "Where a question's support comes from, with its burst flag "
                "(moderators only).",
                "security": [_MODERATOR],
                "responses": _responses("200", "403", "404"),
            }
        },
        "/api/events/{slug}/venue": {
            "get": {
                **get("")["get"],
                "summary": "A fresh venue token for the stage screen's QR code (moderator key, "
                "or the stage key in `X-Stage-Key`); docs/integrity.md.",
                "security": [_MODERATOR],
                "responses": _responses("200", "403", "404"),
            }
        },
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
                "parameters": [_slug("event")],
                "security": [_MODERATOR] if spec.moderator_only else [{}, _MODERATOR],
                "requestBody": _body(spec.payload, **client_id),
                "responses": {
                    "200": {
                        "description": "Committed: `result`, and `replayed` for a retry.",
                        "content": _OK["content"],
                    },
                    # 429: per participant or per network, with `Retry-After` when known.
                    **{status: _ERROR for status in ("400", "403", "404", "413", "429")},
                },
            }
        }
    return paths


def _organiser(
    summary: str,
    ok: str = "200",
    *,
    body: type[BaseModel] | None = None,
    slug: str | None = None,
    refusals: tuple[str, ...] = (),
) -> dict[str, Any]:
    operation: dict[str, Any] = {
        "summary": summary,
        "security": [_ORGANISER],
        "responses": _responses(ok, "400", "401", "403", *refusals),
    }
    if slug is not None:
        operation["parameters"] = [_slug(slug)]
    # A change without fields still sends a JSON object: the CSRF check wants JSON requests.
    operation["requestBody"] = (
        _body(body)
        if body is not None
        else {
            "required": True,
            "content": {"application/json": {"schema": {"type": "object", "maxProperties": 0}}},
        }
    )
    return operation


def _read(summary: str) -> dict[str, Any]:
    return {
        "summary": summary,
        "security": [{"organiserSession": []}],
        "responses": _responses("200", "401"),
    }


def _organiser_paths() -> dict[str, Any]:
    return {
        "/api/organiser/sign-in": {
            "post": {
                "summary": "Sign in; sets the session cookie and answers the CSRF token.",
                "requestBody": _body(SignIn),
                "responses": _responses("200", "400", "401", "429"),
            }
        },
        "/api/organiser/sign-out": {
            "post": {"summary": "Sign out (clears the cookie).", "responses": _responses("200")}
        },
        "/api/organiser/me": {
            "get": {
                "summary": "The organiser signed in, and the CSRF token.",
                "security": [{"organiserSession": []}],
                "responses": _responses("200", "401"),
            }
        },
        "/api/organiser/series": {
            "get": _read("Every series, with its events."),
            "post": _organiser("Create a series.", "201", body=workflows.SeriesPayload),
        },
        "/api/organiser/series/{slug}": {
            "patch": _organiser(
                "Edit a series.", body=workflows.SeriesEdit, slug="series", refusals=("404",)
            )
        },
        "/api/organiser/series/{slug}/publish": {
            "post": _organiser(
                "Publish or unpublish a series.",
                body=workflows.PublishPayload,
                slug="series",
                refusals=("404",),
            )
        },
        "/api/organiser/series/{slug}/events": {
            "post": _organiser(
                "Plan an event in the series; answers its moderator link once.",
                "201",
                body=workflows.EventPayload,
                slug="series",
                refusals=("404", "409"),
            )
        },
        "/api/organiser/people": {"get": _read("Known candidates and moderators.")},
        "/api/organiser/candidates": {
            "post": _organiser(
                "Add a candidate.", "201", body=workflows.PersonPayload, refusals=("409",)
            )
        },
        "/api/organiser/moderators": {
            "post": _organiser(
                "Add a moderator.", "201", body=workflows.PersonPayload, refusals=("409",)
            )
        },
        "/api/organiser/events/{slug}": {
            "patch": _organiser(
                "Edit an event (a new SEQUENCE for calendars).",
                body=workflows.EventEdit,
                slug="event",
                refusals=("404", "409"),
            )
        },
        "/api/organiser/events/{slug}/reschedule": {
            "post": _organiser(
                "Move an event.",
                body=workflows.ReschedulePayload,
                slug="event",
                refusals=("404", "409"),
            )
        },
        "/api/organiser/events/{slug}/cancel": {
            "post": _organiser("Cancel an event.", slug="event", refusals=("404",))
        },
        "/api/organiser/events/{slug}/moderator-key": {
            "post": _organiser(
                "Rotate the moderator key; answers the new moderator link.",
                slug="event",
                refusals=("404",),
            )
        },
    }


def _hoist_defs(paths: dict[str, Any], schemas: dict[str, Any]) -> None:
    for path in paths.values():
        for operation in path.values():
            body = operation.get("requestBody", {}).get("content", {}).get("application/json")
            if body is not None:
                schemas.update(body["schema"].pop("x-defs", {}))


def build_openapi() -> dict[str, Any]:
    paths = {**_public_paths(), **_action_paths(), **_organiser_paths()}
    schemas = {"Error": _ERROR_SCHEMA}
    _hoist_defs(paths, schemas)
    return {
        "openapi": "3.1.0",
        "info": {"title": "townhall", "version": townhall.__version__},
        "paths": paths,
        "components": {"schemas": schemas, "securitySchemes": _SECURITY_SCHEMES},
    }


async def openapi(request: Request) -> Response:
    return JSONResponse(build_openapi())
