"""Questions in advance (domain/intake.py) through the one action implementation, on SQLite
and PostgreSQL: asking and voting before the window opens, inside it (before the event is
live) and after it closes; the batched paths and the single-action paths alike."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from conftest import Database, seed
from running import running_services
from sqlalchemy import func, select

from townhall.actions import moderation, questions  # noqa: F401  (registers the actions)
from townhall.actions.base import ActionRefused, Actor, Services, perform
from townhall.store.queries import event_by_slug
from townhall.store.tables import Question, Vote

OPENS = datetime(2031, 5, 1, 9, 0, tzinfo=UTC)
STARTS = datetime(2031, 5, 4, 14, 0, tzinfo=UTC)
CLOSES = datetime(2031, 5, 4, 15, 30, tzinfo=UTC)
BEFORE, INSIDE, AFTER = OPENS - timedelta(minutes=1), OPENS + timedelta(days=1), CLOSES

ALICE = Actor("00000000-0000-4000-8000-00000000000a")
BRUNO = Actor("00000000-0000-4000-8000-00000000000b")


@dataclass
class Clock:
    now: datetime

    def __call__(self) -> datetime:
        return self.now


@dataclass
class World:
    services: Services
    slug: str
    moderator: Actor
    clock: Clock

    async def act(self, actor: Actor, name: str, client_id: str, **payload: Any) -> dict[str, Any]:
        reply = await perform(self.services, actor, self.slug, name, client_id, payload)
        return reply.result

    async def count(self, model: type) -> int:
        async with self.services.read_sessions() as session:
            return int(await session.scalar(select(func.count()).select_from(model)) or 0)


async def _world(database: Database, *, batched: bool) -> AsyncIterator[World]:
    # A scheduled event, not live and with the moderator's switch on as a window turns it.
    demo = await seed(
        database,
        status="scheduled",
        starts_at=STARTS,
        questions_open=True,
        questions_from=OPENS,
        questions_until=CLOSES,
    )
    clock = Clock(INSIDE)
    async with running_services(
        database.url, database.schema, batchers=batched, clock=clock
    ) as services:
        async with services.read_sessions() as session:
            event = await event_by_slug(session, demo.slug)
            assert event is not None
        yield World(services, demo.slug, Actor("0000-moderator", moderator_of=event.id), clock)


@pytest.fixture(params=[True, False], ids=["batched", "single"])
async def world(database: Database, request: pytest.FixtureRequest) -> AsyncIterator[World]:
    async for built in _world(database, batched=request.param):
        yield built


async def test_submit_question_before_window_refused_with_opening_time(world: World) -> None:
    world.clock.now = BEFORE

    with pytest.raises(ActionRefused) as refused:
        await world.act(ALICE, "submit_question", "a1", text="Can I ask before it opens?")

    assert (refused.value.code, refused.value.details) == (
        "questions_not_open_yet",
        {"opens_at": "2031-05-01T09:00:00Z"},
    )
    assert await world.count(Question) == 0


async def test_submit_question_and_vote_inside_window_before_live_accepted(world: World) -> None:
    asked = await world.act(ALICE, "submit_question", "a1", text="What will you do on day one?")

    voted = await world.act(BRUNO, "vote", "b1", question_id=asked["question_id"])

    assert voted == {"question_id": asked["question_id"], "voted": True, "votes": 2}


async def test_vote_after_window_closed_refused_and_nothing_stored(world: World) -> None:
    asked = await world.act(ALICE, "submit_question", "a1", text="What will you do on day one?")
    world.clock.now = AFTER

    with pytest.raises(ActionRefused) as refused:
        await world.act(BRUNO, "vote", "b1", question_id=asked["question_id"])

    assert (refused.value.code, refused.value.details) == (
        "questions_closed",
        {"closed_at": "2031-05-04T15:30:00Z"},
    )
    assert await world.count(Vote) == 1  # the asker's own


async def test_submit_question_after_window_closed_refused(world: World) -> None:
    world.clock.now = AFTER

    with pytest.raises(ActionRefused) as refused:
        await world.act(ALICE, "submit_question", "a1", text="Is it too late to ask now?")

    assert refused.value.code == "questions_closed"
    assert await world.count(Question) == 0


async def test_vote_before_window_opens_refused(world: World) -> None:
    asked = await world.act(ALICE, "submit_question", "a1", text="What will you do on day one?")
    world.clock.now = BEFORE  # the organiser moved the opening later, say: the clock stands in

    with pytest.raises(ActionRefused) as refused:
        await world.act(BRUNO, "vote", "b1", question_id=asked["question_id"])

    assert refused.value.code == "questions_not_open_yet"


async def test_moderator_switch_pauses_questions_inside_window_not_votes(world: World) -> None:
    asked = await world.act(ALICE, "submit_question", "a1", text="What will you do on day one?")
    await world.act(world.moderator, "set_questions_open", "m1", open=False)

    with pytest.raises(ActionRefused) as refused:
        await world.act(BRUNO, "submit_question", "b1", text="And on the second day?")
    voted = await world.act(BRUNO, "vote", "b2", question_id=asked["question_id"])

    assert (refused.value.code, voted["votes"]) == ("questions_closed", 2)


async def test_question_asked_in_advance_is_moderated_like_a_live_one(world: World) -> None:
    first = await world.act(ALICE, "submit_question", "a1", text="What will you do on day one?")
    second = await world.act(BRUNO, "submit_question", "b1", text="Something rude, to be hidden")
    world.clock.now = STARTS + timedelta(minutes=5)  # the event is live now

    answering = await world.act(
        world.moderator, "mark_answering", "m1", question_id=first["question_id"]
    )
    hidden = await world.act(
        world.moderator, "hide_question", "m2", question_id=second["question_id"]
    )

    assert (answering["status"], hidden["status"]) == ("answering", "hidden")
