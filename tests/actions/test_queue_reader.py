"""The ticks' re-reads: when only some questions' rows changed (votes, a new question), the
queue chosen again from the last full read's rows and those is the queue a full read gives."""

from __future__ import annotations

import asyncio
import random
from datetime import UTC, datetime, timedelta

from conftest import Database, seed
from running import running_services
from sqlalchemy import insert, select, update

from townhall.actions.base import Actor, Reply, Services
from townhall.actions.queue_reader import QueueReader
from townhall.actions.views import load_queue
from townhall.store.tables import Event, Participant, Question

QUESTIONS = 180  # more than the top 100 and the newest 50 together: some are not shown


async def _crowded_event(services: Services, slug: str) -> tuple[int, list[int]]:
    """The event with QUESTIONS more open questions, their counts bunched near the cut."""
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


async def test_a_reread_of_votes_shows_what_a_full_read_shows(database: Database) -> None:
    demo = await seed(database)
    async with running_services(database.url, database.schema) as services:
        assert services.votes is not None
        event_id, _ = await _crowded_event(services, demo.slug)
        reader = QueueReader(services.read_sessions)
        await reader.read(event_id, 1)
        rng = random.Random(11)
        cast: list[tuple[Actor, int]] = []
        for round_ in range(8):
            # Votes and unvotes on shown questions, most around the cut (the 100th by votes).
            full = await load_queue(services.read_sessions, event_id, 1)
            assert full is not None
            ranked = [item.id for item in full.queue.open]
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
                    services.votes.vote(actor, demo.slug, f"{kind}-{round_}-{n}", qid, kind)
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

            recounted = await reader.read(event_id, 1, frozenset(changed))
            wanted = await load_queue(services.read_sessions, event_id, 1)

            assert recounted is not None and wanted is not None
            assert recounted.queue == wanted.queue, f"round {round_}"
    assert reader.rereads >= 4  # most rounds were re-reads, not full reads


async def test_a_question_the_last_read_left_out_joins_the_queue_once_voted_into_the_top(
    database: Database,
) -> None:
    demo = await seed(database)
    async with running_services(database.url, database.schema) as services:
        assert services.votes is not None
        event_id, ids = await _crowded_event(services, demo.slug)
        reader = QueueReader(services.read_sessions)
        first = await reader.read(event_id, 1)
        assert first is not None
        shown = {item.id for item in first.queue.open}
        hidden_root = next(question_id for question_id in ids if question_id not in shown)
        for n in range(40):  # enough votes to climb into the top
            actor = Actor(f"00000000-0000-4000-8000-{n:012d}")
            await services.votes.vote(actor, demo.slug, f"climb-{n}", hidden_root)

        recounted = await reader.read(event_id, 1, frozenset({hidden_root}))
        wanted = await load_queue(services.read_sessions, event_id, 1)

    assert recounted is not None and wanted is not None
    assert recounted.queue == wanted.queue
    assert hidden_root in {item.id for item in recounted.queue.open}
    assert (reader.full_reads, reader.rereads) == (1, 1)


async def test_new_questions_join_the_queue_as_a_full_read_shows_them(database: Database) -> None:
    demo = await seed(database)
    async with running_services(database.url, database.schema) as services:
        assert services.asking is not None
        event_id, _ = await _crowded_event(services, demo.slug)
        reader = QueueReader(services.read_sessions)
        await reader.read(event_id, 1)
        asked = await asyncio.gather(
            *(
                services.asking.ask(Actor(f"asker-{n}"), demo.slug, f"ask-{n}", text)
                for n, text in enumerate(
                    ["Will you reform the Security Council?", "How will you fund the UN?"]
                )
            )
        )
        new = frozenset(reply.result["question_id"] for reply in asked)

        reread = await reader.read(event_id, 1, new)
        wanted = await load_queue(services.read_sessions, event_id, 1)

    assert reread is not None and wanted is not None
    assert reread.queue == wanted.queue
    assert new <= {item.id for item in reread.queue.open}
    assert reread.queue.totals["questions"] == wanted.queue.totals["questions"]
    assert reader.rereads == 1


async def test_a_full_read_comes_at_least_every_thirty_seconds(database: Database) -> None:
    demo = await seed(database)
    now = [0.0]
    async with running_services(database.url, database.schema) as services:
        event_id, ids = await _crowded_event(services, demo.slug)
        reader = QueueReader(services.read_sessions, clock=lambda: now[0])
        await reader.read(event_id, 1)
        await reader.read(event_id, 1, frozenset(ids[:3]))
        now[0] = 31.0
        await reader.read(event_id, 1, frozenset(ids[:3]))

    assert (reader.full_reads, reader.rereads) == (2, 1)
