"""The pieces every part of /openapi.json is built from: security, errors, parameters, bodies.

A request body is the JSON schema of the pydantic model that parses it, so the document
promises what the server checks.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from townhall.web.organiser_auth import COOKIE

ERROR = {
    "description": "Refused, with `error.code` and `error.message`.",
    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
}
OK = {"description": "OK", "content": {"application/json": {"schema": {"type": "object"}}}}
MODERATOR: dict[str, list[str]] = {"moderatorKey": []}
ORGANISER: dict[str, list[str]] = {"organiserSession": [], "csrfToken": []}
MAX_ID = 2**31 - 1  # PostgreSQL INTEGER

ERROR_SCHEMA: dict[str, Any] = {
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
SECURITY_SCHEMES: dict[str, Any] = {
    "moderatorKey": {
        "type": "http",
        "scheme": "bearer",
        "description": "The event's moderator key (from its moderator link).",
    },
    "stageKey": {
        "type": "apiKey",
        "in": "header",
        "name": "X-Stage-Key",
        "description": "The stage screen's key (from the stage link the moderators get).",
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


def slug(what: str) -> dict[str, Any]:
    return {
        "name": "slug",
        "in": "path",
        "required": True,
        "description": f"The {what}'s slug.",
        "schema": {"type": "string", "minLength": 1},
    }


def id_parameter(name: str, what: str) -> dict[str, Any]:
    return {
        "name": name,
        "in": "path",
        "required": True,
        "description": f"The {what}'s id.",
        "schema": {"type": "integer", "minimum": 1, "maximum": MAX_ID},
    }


def responses(ok: str, *refusals: str, answer: str | None = None) -> dict[str, Any]:
    """`ok` with a JSON object (the component schema `answer` when given), and the refusals."""
    success = OK if answer is None else returns(answer)
    return {ok: success, **{status: ERROR for status in refusals}}


def returns(name: str) -> dict[str, Any]:
    return {
        "description": "OK",
        "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{name}"}}},
    }


def json_object(**properties: Any) -> dict[str, Any]:
    return {"type": "object", "required": list(properties), "properties": properties}


_TEXT = {"type": "string"}
_MEMBER = json_object(email=_TEXT, name=_TEXT, role={"enum": ["owner", "editor"]})
# What the answers hold (the fields every answer has; more may come).
ANSWER_SCHEMAS: dict[str, Any] = {
    "Me": json_object(
        organiser=json_object(name=_TEXT, email=_TEXT, admin={"type": "boolean"}), csrf_token=_TEXT
    ),
    "Members": json_object(members={"type": "array", "items": _MEMBER}),
}


def body(model: type[BaseModel], **extra: Any) -> dict[str, Any]:
    schema = model.model_json_schema(ref_template="#/components/schemas/{model}")
    # An OpenAPI document keeps shared schemas under components (hoist_defs gathers them).
    schema = {"x-defs": schema.pop("$defs"), **schema} if "$defs" in schema else schema
    if extra:
        schema.setdefault("properties", {}).update(extra)
        schema.setdefault("required", []).extend(extra)
    return {"required": True, "content": {"application/json": {"schema": schema}}}


# A change without fields still sends a JSON object: the CSRF check wants JSON requests.
EMPTY_BODY: dict[str, Any] = {
    "required": True,
    "content": {"application/json": {"schema": {"type": "object", "maxProperties": 0}}},
}


def organiser(
    summary: str,
    ok: str = "200",
    *,
    model: type[BaseModel] | None = None,
    parameters: tuple[dict[str, Any], ...] = (),
    refusals: tuple[str, ...] = (),
    answer: str | None = None,
) -> dict[str, Any]:
    """A change by a signed-in organiser (session cookie and CSRF header)."""
    operation: dict[str, Any] = {
        "summary": summary,
        "security": [ORGANISER],
        # 413: every body passes through the app's size cap (TOWNHALL_MAX_BODY_BYTES).
        "responses": responses(ok, "400", "401", "403", "413", *refusals, answer=answer),
    }
    if parameters:
        operation["parameters"] = list(parameters)
    operation["requestBody"] = body(model) if model is not None else EMPTY_BODY
    return operation


def organiser_read(
    summary: str,
    *,
    parameters: tuple[dict[str, Any], ...] = (),
    refusals: tuple[str, ...] = (),
    answer: str | None = None,
) -> dict[str, Any]:
    """A read by a signed-in organiser (the cookie alone)."""
    operation: dict[str, Any] = {
        "summary": summary,
        "security": [{"organiserSession": []}],
        "responses": responses("200", "401", *refusals, answer=answer),
    }
    if parameters:
        operation["parameters"] = list(parameters)
    return operation


def hoist_defs(paths: dict[str, Any], schemas: dict[str, Any]) -> None:
    for path in paths.values():
        for operation in path.values():
            found = operation.get("requestBody", {}).get("content", {}).get("application/json")
            if found is not None:
                schemas.update(found["schema"].pop("x-defs", {}))
