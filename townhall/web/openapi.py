"""GET /openapi.json: the HTTP API, with one operation per named action."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

import townhall
from townhall.actions.base import ACTIONS, CLIENT_ID_PATTERN

_SLUG = {"name": "slug", "in": "path", "required": True, "schema": {"type": "string"}}
_ERROR = {"description": "Refused, with `error.code` and `error.message`."}


def _get(summary: str, *, params: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    return {
        "get": {
            "summary": summary,
            "parameters": [_SLUG, *(params or [])],
            "responses": {"200": {"description": "OK"}, "404": _ERROR},
        }
    }


def build_openapi() -> dict[str, Any]:
    paths: dict[str, Any] = {
        "/api/events": {
            "get": {
                "summary": "List events, each with its slug and participant page url.",
                "responses": {"200": {"description": "OK"}},
            }
        },
        "/api/events/{slug}": _get("One event."),
        "/api/events/{slug}/queue": _get(
            "The live queue (moderator view with `Authorization: Bearer <moderator key>`)."
        ),
        "/api/events/{slug}/similar": _get(
            "Up to 3 existing questions that look like `text`.",
            params=[
                {"name": "text", "in": "query", "required": True, "schema": {"type": "string"}}
            ],
        ),
        "/api/events/{slug}/log": _get("The moderation log (moderators only)."),
        "/api/events/{slug}/questions/{question_id}/support": _get(
            "Where a question's support comes from, with its burst flag (moderators only).",
            params=[
                {
                    "name": "question_id",
                    "in": "path",
                    "required": True,
                    "schema": {"type": "integer", "minimum": 1, "maximum": 2**31 - 1},
                }
            ],
        ),
        "/api/events/{slug}/venue": {
            "get": {
                **_get(
                    "A fresh venue token for the stage screen's QR code (moderator key, or the "
                    "stage key in `X-Stage-Key`); docs/integrity.md."
                )["get"],
                "responses": {"200": {"description": "OK"}, "403": _ERROR, "404": _ERROR},
            }
        },
    }
    for name, spec in sorted(ACTIONS.items()):
        schema = spec.payload.model_json_schema()
        schema.setdefault("properties", {})["client_id"] = {
            "type": "string",
            "pattern": CLIENT_ID_PATTERN,
            "description": "Chosen by the client; a retry with the same id applies once.",
        }
        schema.setdefault("required", []).append("client_id")
        paths[f"/api/events/{{slug}}/actions/{name}"] = {
            "post": {
                "operationId": name,
                "summary": spec.summary + (" Moderators only." if spec.moderator_only else ""),
                "parameters": [_SLUG],
                "requestBody": {
                    "required": True,
                    "content": {"application/json": {"schema": schema}},
                },
                "responses": {
                    "200": {"description": "Committed: `result`, and `replayed` for a retry."},
                    "400": _ERROR,
                    "403": _ERROR,
                    "404": _ERROR,
                    "429": _ERROR,  # per participant or per network; `Retry-After` when known
                    "413": _ERROR,
                },
            }
        }
    return {
        "openapi": "3.1.0",
        "info": {"title": "townhall", "version": townhall.__version__},
        "paths": paths,
    }


async def openapi(request: Request) -> Response:
    return JSONResponse(build_openapi())
