"""The ticks' re-reads: when only some questions' rows changed (votes, a new question), the
queue chosen again from the last full read's rows and those is the queue a full read gives."""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from conftest import Database, seed
from running import running_services
from sqlalchemy import insert, select, update

from townhall.actions.asking import QuestionBatcher
from townhall.actions.base import Actor, Reply, Services
from townhall.actions.queue_reader import QueueReader
from townhall.actions.views import EventQueue, load_queue
from townhall.actions.vote_batcher import VoteBatcher
from townhall.store.tables import Event, Participant, Question

QUESTIONS = 180  # more than the top 100 and the newest 50 together: some are not shown


@dataclass
class Crowded:
    services: Services
    votes: VoteBatcher
    asking: QuestionBatcher
    slug: str
    event_id: int
    ids: list[int]  # its QUESTIONS added questions

    async def reader(self, clock: Callable[[], float] = time.monotonic) -> QueueReader:
        """A reader that has read the queue in full once."""
        reader = QueueReader(self.services.read_sessions, clock=clock)
        await reader.read(self.event_id, 1)
        return reader

    async def full_read(self) -> EventQueue:
        queue = await load_queue(self.services.read_sessions, self.event_id, 1)
        assert queue is not None
        return queue


@pytest.fixture
async def crowded(database: Database) -> AsyncIterator[Crowded]:
    """The demo's event with QUESTIONS more open questions, their counts bunched near the cut,
    and running services."""
    demo = await seed(database)
    async with running_services(database.url, database.schema) as services:
        assert isinstance(services.votes, VoteBatcher)
        assert isinstance(services.asking, QuestionBatcher)
        event_id, ids = await _add_questions(services, demo.slug)
        yield Crowded(services, services.votes, services.asking, demo.slug, event_id, ids)


async def _add_questions(services: Services, slug: str) -> tuple[int, list[int]]:
    rng = random.Random(7)
    start = datetime(2026, 1, 1, tzinfo=UTC)
    async with services.write_sessions() as session, session.begin():
        event_id = (await session.execute(select(Event.id).where(Event.slug == slug))).scalar_one()
        await session.execute(insert(Participant), [{"id": "author", "created_at": start}])
        await session.execute(
            insert(Question),
            [
                {
                    "event_id": event_id,
                    "author_id": "author",
                    "text": f"Crowded question {n}?",
                    "status": "open",
                    "supporters": rng.randint(0, 3),
                    "created_at": start + timedelta(minutes=n % 37),  # ties in time too
                    "dedup_state": "done",
                }
                for n in range(QUESTIONS)
            ],
        )
        await session.execute(
            update(Question).where(Question.root_id.is_(None)).values(root_id=Question.id)
        )
        ids = (
            await session.execute(
                select(Question.id).where(
                    Question.event_id == event_id, Question.text.like("Crowded%")
                )
            )
        ).scalars()
        return event_id, sorted(ids)


async def test_a_reread_of_votes_shows_what_a_full_read_shows(crowded: Crowded) -> None:
    reader = await crowded.reader()
    rng = random.Random(11)
    cast: list[tuple[Actor, int]] = []
    for round_ in range(8):
        # Votes and unvotes on shown questions, most around the cut (the 100th by votes).
        ranked = [item.id for item in (await crowded.full_read()).queue.open]
        near = ranked[90:110] + rng.sample(ranked, 5)
        actions = []
        for n in range(12):
            actor = Actor(f"00000000-0000-4000-8000-{round_:04d}{n:08d}")
            actions.append(("vote", actor, rng.choice(near)))
        for actor, question_id in rng.sample(cast, min(len(cast), 6)):
            actions.append(("unvote", actor, question_id))
            cast.remove((actor, question_id))
        replies = await asyncio.gather(
            *(
                crowded.votes.vote(actor, crowded.slug, f"{kind}-{round_}-{n}", qid, kind)
                for n, (kind, actor, qid) in enumerate(actions)
            ),
            return_exceptions=True,
        )
        changed = set()
        for (kind, actor, qid), reply in zip(actions, replies, strict=True):
            if isinstance(reply, Reply):
                changed.add(qid)
                if kind == "vote":
                    cast.append((actor, qid))

        reread = await reader.read(crowded.event_id, 1, frozenset(changed))

        assert reread is not None
        assert reread.queue == (await crowded.full_read()).queue, f"round {round_}"
    assert reader.rereads >= 4  # most rounds were re-reads, not full reads


async def test_a_question_the_last_read_left_out_joins_the_queue_once_voted_into_the_top(
    crowded: Crowded,
) -> None:
    reader = await crowded.reader()
    shown = {item.id for item in (await crowded.full_read()).queue.open}
    hidden_root = next(question_id for question_id in crowded.ids if question_id not in shown)
    for n in range(40):  # enough votes to climb into the top
        actor = Actor(f"00000000-0000-4000-8000-{n:012d}")
        await crowded.votes.vote(actor, crowded.slug, f"climb-{n}", hidden_root)

    reread = await reader.read(crowded.event_id, 1, frozenset({hidden_root}))

    assert reread is not None
    assert reread.queue == (await crowded.full_read()).queue
    assert hidden_root in {item.id for item in reread.queue.open}
    assert (reader.full_reads, reader.rereads) == (1, 1)


async def test_new_questions_join_the_queue_as_a_full_read_shows_them(crowded: Crowded) -> None:
    reader = await crowded.reader()
    texts = ["Will you reform the Security Council?", "How will you fund the UN?"]
    asked = await asyncio.gather(
        *(
            crowded.asking.ask(Actor(f"asker-{n}"), crowded.slug, f"ask-{n}", text)
            for n, text in enumerate(texts)
        )
    )
    new = frozenset(reply.result["question_id"] for reply in asked)

    reread = await reader.read(crowded.event_id, 1, new)

    assert reread is not None
    wanted = (await crowded.full_read()).queue
    assert reread.queue == wanted
    assert new <= {item.id for item in reread.queue.open}
    assert reread.queue.totals["questions"] == wanted.totals["questions"]
    assert reader.rereads == 1


async def test_a_full_read_comes_at_least_every_thirty_seconds(crowded: Crowded) -> None:
    now = [0.0]
    reader = await crowded.reader(clock=lambda: now[0])
    await reader.read(crowded.event_id, 1, frozenset(crowded.ids[:3]))
    now[0] = 31.0
    await reader.read(crowded.event_id, 1, frozenset(crowded.ids[:3]))

    assert (reader.full_reads, reader.rereads) == (2, 1)
