"""Property: whatever body is posted to an action's route (generated from its schema in
/openapi.json, or any JSON at all), the answer is 200 or a refusal with a stable code, never
a server error."""

from __future__ import annotations

import itertools
import json
from typing import Any

import httpx
import pytest
from conftest import Database, RunningServer, ServerFactory, seed
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from payloads import action_names, bodies

from townhall.store.demo import DemoEvent

UNLIMITED = {"rate_questions": "100000/minute", "rate_actions": "100000/10seconds"}
_client_ids = (f"h{n}" for n in itertools.count())


@pytest.fixture
async def served(
    database: Database, start_server: ServerFactory
) -> tuple[RunningServer, DemoEvent]:
    demo = await seed(database)
    server = await start_server(database, **UNLIMITED)
    async with httpx.AsyncClient(base_url=server.base_url) as http:
        for n in range(4):  # questions 1..4 exist, so id-taking actions get past the lookup
            asked = await http.post(
                f"/api/events/{demo.slug}/actions/submit_question",
                json={"client_id": f"seed{n}", "text": f"Seeded question number {n}?"},
            )
            assert asked.status_code == 200
    return server, demo


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data(), moderator=st.booleans(), add_client_id=st.booleans())
async def test_api_action_any_body_answered_or_refused_with_a_code(
    served: tuple[RunningServer, DemoEvent],
    data: st.DataObject,
    moderator: bool,
    add_client_id: bool,
) -> None:
    server, demo = served
    name = data.draw(action_names, label="action")
    body: Any = data.draw(bodies(name), label="body")
    if isinstance(body, dict) and add_client_id:
        body = {**body, "client_id": next(_client_ids)}
    headers = {"Content-Type": "application/json"}
    if moderator:
        headers["Authorization"] = f"Bearer {demo.moderator_key}"

    async with httpx.AsyncClient(base_url=server.base_url) as http:
        response = await http.post(
            f"/api/events/{demo.slug}/actions/{name}",
            content=body if isinstance(body, bytes) else json.dumps(body).encode(),
            headers=headers,
        )

    assert response.status_code < 500, response.text
    answer = response.json()
    if response.status_code == 200:
        assert (answer["action"], "result" in answer) == (name, True)
    else:
        assert isinstance(answer["error"]["code"], str) and answer["error"]["code"] != "internal"
