"""/openapi.json's part across a series: the public series record and the organisers'
common questions (routes in web/series_record.py)."""

from __future__ import annotations

from typing import Any

from townhall.actions.common_questions import CommonPayload
from townhall.web.openapi_parts import json_object, organiser, organiser_read, responses, slug

_TEXT = {"type": "string"}
_MAYBE_TEXT = {"type": ["string", "null"]}
_TEXTS = {"type": "object", "additionalProperties": _TEXT}
_COMMON = json_object(id={"type": "integer"}, text=_TEXT, texts=_TEXTS)
_CELL = json_object(
    event=_TEXT,
    question_id={"type": ["integer", "null"]},
    answered_at={**_MAYBE_TEXT, "description": "When it was marked answered; null: not reached."},
    url={**_MAYBE_TEXT, "description": "/e/{event}/record#q-{question_id}"},
)
_EVENT = json_object(
    slug=_TEXT,
    title=_TEXT,
    status=_TEXT,
    starts_at=_TEXT,
    candidates={"type": "array", "items": _TEXT},
    record_url=_TEXT,
)

SERIES_SCHEMAS: dict[str, Any] = {
    "CommonQuestion": _COMMON,
    "CommonQuestions": json_object(
        common_questions={"type": "array", "items": {"$ref": "#/components/schemas/CommonQuestion"}}
    ),
    "SeriesRecord": json_object(
        series=json_object(slug=_TEXT, title=_TEXT),
        events={"type": "array", "items": _EVENT},
        common_questions={
            "type": "array",
            "items": {
                **_COMMON,
                "properties": {
                    **_COMMON["properties"],
                    "answers": {"type": "array", "items": _CELL},
                },
            },
        },
    ),
}


def series_paths() -> dict[str, Any]:
    series = (slug("series"),)
    return {
        "/api/series/{slug}/record": {
            "get": {
                "summary": "A published series' record: each candidate's answer to each common "
                "question, side by side, with links into each event's record.",
                "parameters": list(series),
                "responses": responses("200", "404", answer="SeriesRecord"),
            }
        },
        "/api/organiser/series/{slug}/common-questions": {
            "get": organiser_read(
                "The series' common questions.",
                parameters=series,
                refusals=("403", "404"),
                answer="CommonQuestions",
            ),
            "post": organiser(
                "Put one question to every candidate of the series: each event (existing and "
                "new) carries it at the top of its queue.",
                "201",
                model=CommonPayload,
                parameters=series,
                refusals=("404",),
                answer="CommonQuestion",
            ),
        },
    }
