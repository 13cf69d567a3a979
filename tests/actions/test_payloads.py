"""Property: whatever payload reaches `perform`, valid by the action's schema or any JSON at
all, the answer is an acknowledgement or a refusal with a stable code, never an internal
error, and the batches keep serving everyone else."""

from __future__ import annotations

import itertools
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import pytest
from conftest import Database, seed
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from payloads import action_names, bodies
from running import running_services

from townhall.actions.base import (
    ACTIONS,
    MAX_ID,
    ActionRefused,
    Actor,
    Reply,
    Services,
    parse_payload,
    perform,
    question_ref,
)
from townhall.store.queries import event_by_slug


@dataclass
class Running:
    services: Services
    slug: str
    event_id: int


@pytest.fixture
async def running(database: Database) -> AsyncIterator[Running]:
    demo = await seed(database)
    async with running_services(database.url, database.schema) as services:
        async with services.read_sessions() as session:
            event = await event_by_slug(session, demo.slug)
        assert event is not None
        for n in range(4):  # questions 1..4 exist, so id-taking actions get past the lookup
            await perform(
                services,
                Actor(f"asker-{n}"),
                demo.slug,
                "submit_question",
                f"seed{n}",
                {"text": f"Seeded question number {n}?"},
            )
        yield Running(services, demo.slug, event.id)


_client_ids = (f"c{n}" for n in itertools.count())


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data(), moderator=st.booleans())
async def test_perform_any_payload_acknowledged_or_refused_with_a_code(
    running: Running, data: st.DataObject, moderator: bool
) -> None:
    name = data.draw(action_names, label="action")
    body = data.draw(bodies(name).filter(lambda body: isinstance(body, dict)), label="body")
    payload: dict[str, Any] = {key: value for key, value in body.items() if key != "client_id"}
    actor = Actor(
        f"00000000-0000-4000-8000-{len(name):012d}",
        moderator_of=running.event_id if moderator else None,
    )

    try:
        reply = await perform(
            running.services, actor, running.slug, name, next(_client_ids), payload
        )
    except ActionRefused as refusal:
        assert (refusal.code != "internal", refusal.status < 500) == (True, True), refusal.code
    else:
        assert isinstance(reply, Reply) and reply.action == name


@settings(max_examples=400, deadline=None)
@given(
    payload=st.one_of(
        st.fixed_dictionaries(
            {
                "question_id": st.one_of(
                    st.integers(min_value=-3, max_value=MAX_ID + 3),
                    st.sampled_from([0, 1, MAX_ID, MAX_ID + 1, True, False, 1.0, 2.5, "7", None]),
                )
            }
        ),
        st.dictionaries(st.sampled_from(["question_id", "text", "extra"]), st.integers()),
    ),
    name=st.sampled_from(["vote", "unvote"]),
)
def test_a_votes_question_is_taken_as_the_payload_model_takes_it(
    payload: dict[str, Any], name: str
) -> None:
    """The vote's fast path (`question_ref`) agrees with QuestionRef on every payload."""
    try:
        wanted: int | str = parse_payload(ACTIONS[name], payload).question_id  # type: ignore[attr-defined]
    except ActionRefused as refusal:
        wanted = refusal.code
    try:
        got: int | str = question_ref(name, payload)
    except ActionRefused as refusal:
        got = refusal.code

    assert got == wanted
    assert type(got) is type(wanted)
