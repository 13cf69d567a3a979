"""The public record's part of /openapi.json: the record (JSON, CSV), the Atom feed of new
records and the organisers' settings for them (docs/record.md)."""

from __future__ import annotations

from typing import Any

from townhall.actions.record import LicencePayload, RecordingPayload
from townhall.web.openapi_parts import ERROR, organiser, responses, slug

RECORD_SCHEMA_DOC = "docs/record.schema.json"


def record_paths() -> dict[str, Any]:
    event = (slug("event"),)
    return {
        "/api/events/{slug}/record": {
            "get": {
                "summary": "The public record of an ended event: questions answered in order, "
                f"with links into the recording, and those not reached ({RECORD_SCHEMA_DOC}). "
                "404 `no_record_yet` before the event ends.",
                "parameters": list(event),
                "responses": responses("200", "404"),
            }
        },
        "/api/events/{slug}/record.csv": {
            "get": {
                "summary": "The public record as CSV: one line per wording.",
                "parameters": list(event),
                "responses": {
                    "200": {
                        "description": "RFC 4180, every cell quoted, formulas neutralised.",
                        "content": {"text/csv": {"schema": {"type": "string"}}},
                    },
                    "404": ERROR,
                },
            }
        },
        "/api/organiser/events/{slug}/recording": {
            "post": organiser(
                "Set (or remove, with nulls) the recording's link and start, for the record's "
                "links into it.",
                model=RecordingPayload,
                parameters=event,
                refusals=("404",),
            )
        },
        "/api/organiser/series/{slug}/licence": {
            "post": organiser(
                "Set (or remove) the licence notice of the series' public records.",
                model=LicencePayload,
                parameters=(slug("series"),),
                refusals=("404",),
            )
        },
    }
