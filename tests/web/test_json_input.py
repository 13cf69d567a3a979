"""JSON nested past the cap is refused before it is parsed: 400 `too_deep` over HTTP, an
`error` frame over the WebSocket (which stays open)."""

from __future__ import annotations

import json

import httpx
import pytest
from conftest import Database, ServerFactory, seed
from screens import TestScreen

from townhall.web.json_input import MAX_DEPTH, BadJson, deeper_than, parse_json


def _nested(depth: int) -> str:
    return "[" * depth + "]" * depth


@pytest.mark.parametrize(
    ("raw", "deeper"),
    [
        (_nested(MAX_DEPTH), False),
        (_nested(MAX_DEPTH + 1), True),
        ('{"a": ' * 40 + "1" + "}" * 40, True),
        # Brackets inside strings, escaped quotes included, are text, not nesting.
        (json.dumps({"text": "[" * 500, "quoted": '\\"[[[[' * 50}), False),
        (json.dumps(["[{" * 100] * 3), False),
        # Closed brackets do not add up: many shallow lists side by side.
        ("[" + ",".join(["[[1]]"] * 500) + "]", False),
        ('"' + "[" * 100, False),  # an unterminated string: json.loads refuses it
    ],
)
def test_deeper_than_counts_only_structure(raw: str, deeper: bool) -> None:
    assert (deeper_than(raw, MAX_DEPTH), deeper_than(raw.encode(), MAX_DEPTH)) == (deeper, deeper)


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        (_nested(5_000), "too_deep"),
        (b"[" * 100_000, "too_deep"),
        ("{", "bad_json"),
        (b"\xff\xfe{", "bad_json"),
        ("1" * 5_000, "bad_json"),  # past Python's 4,300-digit integer limit: a ValueError
    ],
)
def test_parse_json_refusals_have_codes(raw: str | bytes, code: str) -> None:
    with pytest.raises(BadJson) as refused:
        parse_json(raw)

    assert refused.value.code == code


def test_parse_json_takes_a_vote() -> None:
    vote = '{"type": "vote", "client_id": "k3f9-2", "question_id": 12}'

    assert parse_json(vote) == {"type": "vote", "client_id": "k3f9-2", "question_id": 12}


async def test_json_deep_action_body_gets_400_too_deep(
    database: Database, start_server: ServerFactory
) -> None:
    demo = await seed(database)
    server = await start_server(database)
    body = '{"client_id": "deep", "text": ' + _nested(5_000) + "}"

    async with httpx.AsyncClient(base_url=server.base_url) as http:
        answer = await http.post(
            f"/api/events/{demo.slug}/actions/submit_question",
            content=body,
            headers={"Content-Type": "application/json"},
        )
        queue = await http.get(f"/api/events/{demo.slug}/queue")

    assert (answer.status_code, answer.json()) == (
        400,
        {
            "error": {
                "code": "too_deep",
                "message": f"The JSON is nested more than {MAX_DEPTH} levels deep.",
            }
        },
    )
    assert [q["text"] for q in queue.json()["open"]] == []


async def test_json_deep_frame_gets_error_and_socket_stays_open(
    sqlite_database: Database, start_server: ServerFactory
) -> None:
    demo = await seed(sqlite_database)
    server = await start_server(sqlite_database)
    screen = await TestScreen(server.base_url, server.ws_url, demo.slug).open()

    seen = len(screen.messages)
    await screen.send_raw(
        '{"type": "vote", "client_id": "d", "question_id": ' + _nested(8_000) + "}"
    )
    error = await screen.next_message(lambda m: m["type"] == "error", after=seen)
    asked = await screen.act("submit_question", text="Is the socket still open after that frame?")

    assert error == {
        "type": "error",
        "code": "too_deep",
        "message": f"The JSON is nested more than {MAX_DEPTH} levels deep.",
    }
    assert asked["type"] == "ack"
    await screen.close()
