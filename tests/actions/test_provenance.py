"""Where support comes from, against real databases: capture, the flag, set aside and
restore with exact counts (merged groups included), retention, who may do it."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from conftest import Database, seed
from running import running_services
from sqlalchemy import select

from townhall.actions import moderation, provenance, questions  # noqa: F401  (registers them)
from townhall.actions.base import ActionRefused, Actor, Services, perform
from townhall.actions.retention import NetworkRetention
from townhall.actions.views import SupportFlags, load_queue
from townhall.domain.provenance import ONE_NETWORK
from townhall.store import queries
from townhall.store.demo import DemoEvent
from townhall.store.provenance import Cleared
from townhall.store.tables import ModerationEntry, Participant, Question, Vote

START = datetime(2026, 12, 2, 18, 0, tzinfo=UTC)
BAD = "b" * 32
HOME = [f"{n:032x}" for n in range(1, 6)]


@dataclass
class World:
    services: Services
    demo: DemoEvent
    event_id: int
    moderator: Actor
    clock: list[datetime]

    async def act(self, actor: Actor, name: str, client_id: str, **payload: Any) -> dict[str, Any]:
        reply = await perform(self.services, actor, self.demo.slug, name, client_id, payload)
        return reply.result

    async def ask(self, text: str) -> int:
        asker = Actor(f"00000000-0000-4000-8000-{len(text):012x}", network=HOME[0])
        result = await self.act(asker, "submit_question", f"ask-{len(text)}", text=text)
        return int(result["question_id"])

    async def supporters(self, question_id: int) -> int:
        async with self.services.read_sessions() as session:
            return int(await session.scalar(select(Question.supporters).filter_by(id=question_id)))

    async def exact(self, root_id: int) -> int:
        """The group's count computed from scratch: distinct voters of counted rows."""
        async with self.services.read_sessions() as session:
            return await queries.count_supporters(session, root_id)


@pytest.fixture
async def world(database: Database) -> AsyncIterator[World]:
    demo = await seed(database)
    clock = [START]
    async with running_services(database.url, database.schema, clock=lambda: clock[0]) as services:
        async with services.read_sessions() as session:
            event = await queries.event_by_slug(session, demo.slug)
            assert event is not None
        moderator = Actor("00000000-0000-4000-8000-00000000000f", moderator_of=event.id)
        yield World(services, demo, event.id, moderator, clock)


def _people(prefix: int, count: int, network: str) -> list[Actor]:
    return [
        Actor(f"00000000-0000-4000-{prefix:04x}-{n:012x}", network=network) for n in range(count)
    ]


async def _votes(world: World, people: list[Actor], question_id: int, tag: str) -> None:
    for n, person in enumerate(people):
        await world.act(person, "vote", f"{tag}-{question_id}-{n}", question_id=question_id)


async def test_vote_stores_network_hash_on_vote_and_new_participant(world: World) -> None:
    question = await world.ask("Where will the new office be built?")
    person = Actor("00000000-0000-4000-8000-0000000000c1", network=HOME[1])
    await world.act(person, "vote", "v1", question_id=question)
    moved = Actor(person.participant_id, network=HOME[2])
    other = await world.ask("Who pays for the road repairs next year?")

    await world.act(moved, "vote", "v2", question_id=other)

    async with world.services.read_sessions() as session:
        votes = (
            await session.execute(
                select(Vote.question_id, Vote.network_hash)
                .filter_by(participant_id=person.participant_id)
                .order_by(Vote.question_id)
            )
        ).all()
        first = await session.scalar(
            select(Participant.network_hash).filter_by(id=person.participant_id)
        )
    assert [tuple(row) for row in votes] == [(question, HOME[1]), (other, HOME[2])]
    assert first == HOME[1]  # the network it was first stored from


async def test_queue_flags_burst_of_new_identities_from_one_network(world: World) -> None:
    question = await world.ask("Why was the budget cut without a vote?")
    calm = await world.ask("How will the council consult young people?")
    world.clock[0] = START - timedelta(days=2)
    await _votes(world, _people(1, 5, HOME[1]), calm, "old")  # identities two days old
    world.clock[0] = START
    await _votes(world, _people(1, 5, HOME[1]), calm, "old-again")
    await _votes(world, _people(2, 25, BAD), question, "burst")

    current = await load_queue(world.services.read_sessions, world.event_id, 1, START)

    assert current is not None
    assert current.flags == {question: ONE_NETWORK}


async def test_set_aside_support_excludes_burst_and_restore_counts_it_again(world: World) -> None:
    question = await world.ask("Why was the budget cut without a vote?")
    await _votes(world, _people(1, 3, HOME[1]), question, "honest")
    await _votes(world, _people(2, 25, BAD), question, "burst")
    assert await world.supporters(question) == 29

    aside = await world.act(
        world.moderator, "set_aside_support", "sa1", question_id=question, network=BAD
    )
    replay = await perform(
        world.services,
        world.moderator,
        world.demo.slug,
        "set_aside_support",
        "sa1",
        {"question_id": question, "network": BAD},
    )
    after_aside = await world.supporters(question)
    flags = await load_queue(world.services.read_sessions, world.event_id, 1, START)
    restored = await world.act(
        world.moderator, "restore_support", "rs1", set_aside_id=aside["set_aside"]["id"]
    )

    assert (aside["votes"], aside["set_aside"]["votes"], after_aside) == (4, 25, 4)
    assert (replay.replayed, replay.result) == (True, aside)
    assert flags is not None and flags.flags == {}
    assert restored == {
        "set_aside_id": aside["set_aside"]["id"],
        "restored": 25,
        "votes": {str(question): 29},
    }
    assert await world.supporters(question) == await world.exact(question) == 29
    async with world.services.read_sessions() as session:
        stored = await session.scalar(select(Vote.id).where(Vote.question_id == question).limit(1))
        log = [
            (entry.action, entry.question_id)
            for entry in await queries.moderation_entries(session, world.event_id)
            if entry.action.endswith("_support")
        ]
    assert stored is not None
    assert log == [("set_aside_support", question), ("restore_support", question)]
    with pytest.raises(ActionRefused) as again:
        await world.act(
            world.moderator, "restore_support", "rs2", set_aside_id=aside["set_aside"]["id"]
        )
    assert again.value.code == "already_restored"


async def test_set_aside_then_merge_and_unmerge_keep_counts_exact(world: World) -> None:
    first = await world.ask("Why was the budget cut without a vote?")
    second = await world.ask("Why did the council cut the budget without voting on it?")
    honest, script = _people(1, 4, HOME[1]), _people(2, 22, BAD)
    await _votes(world, honest, first, "h")
    await _votes(world, honest[:2], second, "h")
    await _votes(world, script, first, "s")
    await _votes(world, script[:10], second, "s")  # counted: set aside only on the first group

    aside = await world.act(
        world.moderator, "set_aside_support", "sa", question_id=first, network=BAD
    )
    await world.act(world.moderator, "merge_questions", "m", question_id=second, into_id=first)
    merged = (await world.supporters(first), await world.exact(first))
    await world.act(world.moderator, "unmerge_question", "u", question_id=second)
    apart = (await world.supporters(first), await world.supporters(second))
    await world.act(world.moderator, "restore_support", "r", set_aside_id=aside["set_aside"]["id"])

    # 4 honest + 1 asker of each wording; after the merge the script's 10 on `second` count.
    assert aside["votes"] == 5
    assert merged == (4 + 2 + 10, 4 + 2 + 10)
    assert apart == (5, 1 + 2 + 10)
    assert (await world.supporters(first), await world.supporters(second)) == (5 + 22, 13)
    assert await world.exact(first) == 27


async def test_set_aside_vote_stays_its_voters_and_cannot_be_cast_again(world: World) -> None:
    question = await world.ask("Why was the budget cut without a vote?")
    caught = _people(2, 1, BAD)[0]
    await world.act(caught, "vote", "c1", question_id=question)
    await world.act(world.moderator, "set_aside_support", "sa", question_id=question, network=BAD)

    unvoted = await world.act(caught, "unvote", "c2", question_id=question)
    voted = await world.act(caught, "vote", "c3", question_id=question)

    async with world.services.read_sessions() as session:
        marks = await queries.participant_view(session, world.event_id, caught.participant_id)
        rows = await session.scalar(
            select(Vote.set_aside_id).filter_by(participant_id=caught.participant_id)
        )
    assert unvoted == {"question_id": question, "voted": True, "votes": 1}
    assert voted == {"question_id": question, "voted": True, "votes": 1}
    assert marks == ([question], [])
    assert rows is not None


async def test_set_aside_support_window_and_new_identities_only(world: World) -> None:
    question = await world.ask("Why was the budget cut without a vote?")
    world.clock[0] = START - timedelta(hours=3)
    regulars = _people(1, 3, BAD)
    await _votes(world, regulars, question, "warm")  # the same NAT, long-standing people
    world.clock[0] = START
    await _votes(world, _people(2, 21, BAD), question, "burst")
    await world.act(regulars[0], "unvote", "w-un", question_id=question)
    await world.act(regulars[0], "vote", "w-re", question_id=question)  # an old identity, now

    aside = await world.act(
        world.moderator,
        "set_aside_support",
        "sa",
        question_id=question,
        network=BAD,
        since=(START - timedelta(minutes=1)).isoformat(),
        new_only=True,
    )

    assert (aside["set_aside"]["votes"], aside["votes"]) == (21, 4)


async def test_set_aside_support_refused_to_participants(world: World) -> None:
    question = await world.ask("Why was the budget cut without a vote?")

    with pytest.raises(ActionRefused) as refused:
        await world.act(
            _people(1, 1, HOME[1])[0], "set_aside_support", "x", question_id=question, network=BAD
        )

    assert (refused.value.code, refused.value.status) == ("forbidden", 403)


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"question_id": 1}, "payload"),
        ({"question_id": "1", "network": BAD}, "question_id"),
        ({"question_id": 2**40, "network": BAD}, "question_id"),
        ({"question_id": 1, "network": "10.0.0.1"}, "network"),
        ({"question_id": 1, "since": "2026-12-02T18:00:00"}, "since"),
    ],
)
async def test_set_aside_support_bad_payload_refused(
    world: World, payload: dict[str, Any], field: str
) -> None:
    with pytest.raises(ActionRefused) as refused:
        await world.act(world.moderator, "set_aside_support", "x", **payload)

    assert (refused.value.code, refused.value.details["field"]) == ("bad_payload", field)


async def test_retention_sweep_clears_old_network_hashes_only(world: World) -> None:
    question = await world.ask("Why was the budget cut without a vote?")
    world.clock[0] = START - timedelta(days=40)
    await _votes(world, _people(1, 2, HOME[1]), question, "old")
    world.clock[0] = START
    await _votes(world, _people(2, 3, BAD), question, "new")
    await world.act(world.moderator, "set_aside_support", "sa", question_id=question, network=BAD)

    cleared = await NetworkRetention(world.services, days=30).sweep()

    async with world.services.read_sessions() as session:
        kept = sorted(
            (row.network_hash or "-")
            for row in await session.execute(
                select(Vote.network_hash).where(Vote.question_id == question)
            )
        )
    assert cleared == Cleared(participants=2, votes=2, set_asides=0)
    assert kept == sorted(["-", "-", BAD, BAD, BAD, HOME[0]])
    assert await NetworkRetention(world.services, days=30).sweep() == Cleared(0, 0, 0)
    async with world.services.read_sessions() as session:
        log = await session.scalar(
            select(ModerationEntry.detail).filter_by(action="set_aside_support")
        )
    assert log is not None and log["votes"] == 3


async def test_support_flags_read_at_most_every_refresh_unless_forgotten(world: World) -> None:
    question = await world.ask("Why was the budget cut without a vote?")
    ticks = [0.0]
    cache = SupportFlags(refresh=2.0, clock=lambda: ticks[0])
    sessions = world.services.read_sessions
    before = await load_queue(sessions, world.event_id, 1, START, flags=cache)
    await _votes(world, _people(2, 25, BAD), question, "burst")

    cached = await load_queue(sessions, world.event_id, 1, START, flags=cache)
    ticks[0] = 2.0
    refreshed = await load_queue(sessions, world.event_id, 1, START, flags=cache)
    await world.act(world.moderator, "set_aside_support", "sa", question_id=question, network=BAD)
    cache.forget(world.event_id)  # what perform does after a set-aside
    after = await load_queue(sessions, world.event_id, 1, START, flags=cache)

    assert [q.flags for q in (before, cached, refreshed, after) if q is not None] == [
        {},
        {},
        {question: ONE_NETWORK},
        {},
    ]


async def test_support_flags_served_from_cache_ask_for_a_render_when_due() -> None:
    ticks = [0.0]
    due: list[int] = []
    rendered = asyncio.Event()

    def on_due(event_id: int) -> None:
        due.append(event_id)
        rendered.set()

    cache = SupportFlags(refresh=2.0, clock=lambda: ticks[0], on_due=on_due)
    cache.store(7, {})
    ticks[0] = 1.99  # 10 ms before the flags fall due

    first, second = cache.cached(7), cache.cached(7)
    await asyncio.wait_for(rendered.wait(), 5)

    assert (first, second, due) == ({}, {}, [7])  # one follow-up render, however many served
