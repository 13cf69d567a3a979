"""Actions against real databases: exact votes, idempotent retries, bad input refused."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import pytest
from conftest import Database, seed
from running import running_services
from sqlalchemy import func, select

from townhall.actions import moderation, questions  # noqa: F401  (registers the actions)
from townhall.actions.base import ActionRefused, Actor, Services, perform
from townhall.actions.vote_batcher import MAX_VOTES_PER_BATCH, VoteBatcher
from townhall.store.demo import DemoEvent
from townhall.store.tables import ActionReceipt, ModerationEntry, Question, Vote


@dataclass
class World:
    services: Services
    demo: DemoEvent
    moderator: Actor

    async def act(self, actor: Actor, name: str, client_id: str, **payload: Any) -> dict[str, Any]:
        reply = await perform(self.services, actor, self.demo.slug, name, client_id, payload)
        return reply.result

    async def count(self, model: type, **where: Any) -> int:
        async with self.services.read_sessions() as session:
            query = select(func.count()).select_from(model).filter_by(**where)
            return int(await session.scalar(query) or 0)


@pytest.fixture
async def world(database: Database) -> AsyncIterator[World]:
    demo = await seed(database)
    async with running_services(database.url, database.schema) as services:
        async with services.read_sessions() as session:
            from townhall.store.queries import event_by_slug

            event = await event_by_slug(session, demo.slug)
            assert event is not None
        yield World(
            services, demo, Actor("00000000-0000-4000-8000-00000000000m", moderator_of=event.id)
        )


ALICE = Actor("00000000-0000-4000-8000-00000000000a")
BRUNO = Actor("00000000-0000-4000-8000-00000000000b")


async def test_vote_concurrent_double_votes_count_once(world: World) -> None:
    asked = await world.act(
        ALICE, "submit_question", "a1", text="What would you change first at the UN?"
    )

    results = await asyncio.gather(
        *(world.act(BRUNO, "vote", f"b{n}", question_id=asked["question_id"]) for n in range(8))
    )

    assert {r["votes"] for r in results} == {2}
    assert await world.count(Vote, question_id=asked["question_id"]) == 2


async def test_action_retried_with_same_client_id_applies_once(world: World) -> None:
    first = await perform(
        world.services,
        ALICE,
        world.demo.slug,
        "submit_question",
        "same-id",
        {"text": "Will you visit every region in your first year?"},
    )

    again = await perform(
        world.services,
        ALICE,
        world.demo.slug,
        "submit_question",
        "same-id",
        {"text": "Will you visit every region in your first year?"},
    )

    assert (again.result, again.replayed, first.replayed) == (first.result, True, False)
    assert await world.count(Question) == 1
    assert await world.count(ActionReceipt) == 1


async def test_action_concurrent_retries_apply_once(world: World) -> None:
    replies = await asyncio.gather(
        *(
            perform(world.services, ALICE, world.demo.slug, "vote", "dup", {"question_id": 1})
            for _ in range(2)
        ),
        return_exceptions=True,
    )
    # question 1 does not exist yet: both refuse and nothing is stored
    assert all(isinstance(r, ActionRefused) and r.code == "unknown_question" for r in replies)
    assert await world.count(ActionReceipt) == 0


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("", "invalid_text"),
        ("   \n\t ", "invalid_text"),
        ("x" * 501, "invalid_text"),
        (42, "bad_payload"),
    ],
)
async def test_submit_question_bad_text_refused_and_nothing_stored(
    world: World, text: object, code: str
) -> None:
    with pytest.raises(ActionRefused) as refused:
        await world.act(ALICE, "submit_question", "bad", text=text)

    assert refused.value.code == code
    assert (await world.count(Question), await world.count(ActionReceipt)) == (0, 0)


async def test_submit_question_closed_event_refused(world: World) -> None:
    await world.act(world.moderator, "set_questions_open", "close", open=False)

    with pytest.raises(ActionRefused) as refused:
        await world.act(ALICE, "submit_question", "late", text="Is it too late to ask a question?")

    assert refused.value.code == "questions_closed"
    assert await world.count(Question) == 0


async def test_action_unknown_event_refused(world: World) -> None:
    with pytest.raises(ActionRefused) as refused:
        await perform(world.services, ALICE, "no-such-event", "vote", "x1", {"question_id": 1})

    assert (refused.value.code, refused.value.status) == ("unknown_event", 404)


async def test_vote_on_hidden_question_refused(world: World) -> None:
    asked = await world.act(
        ALICE, "submit_question", "a1", text="An offensive question that gets hidden?"
    )
    await world.act(world.moderator, "hide_question", "m1", question_id=asked["question_id"])

    with pytest.raises(ActionRefused) as refused:
        await world.act(BRUNO, "vote", "b1", question_id=asked["question_id"])

    assert refused.value.code == "not_votable"


async def test_merge_counts_shared_supporter_once_and_unmerge_restores(world: World) -> None:
    one = await world.act(
        ALICE, "submit_question", "a1", text="How will you reform the Security Council veto?"
    )
    two = await world.act(
        BRUNO, "submit_question", "b1", text="What is your position on the veto power?"
    )
    carol = Actor("00000000-0000-4000-8000-00000000000c")
    await world.act(carol, "vote", "c1", question_id=one["question_id"])
    await world.act(carol, "vote", "c2", question_id=two["question_id"])
    await world.act(ALICE, "vote", "a2", question_id=two["question_id"])
    # before: one = {alice, carol}; two = {bruno, carol, alice}

    merged = await world.act(
        world.moderator,
        "merge_questions",
        "m1",
        question_id=two["question_id"],
        into_id=one["question_id"],
    )
    after_merge = await world.act(BRUNO, "vote", "b2", question_id=one["question_id"])
    with pytest.raises(ActionRefused) as refused:
        await world.act(carol, "vote", "c3", question_id=two["question_id"])
    await world.act(world.moderator, "unmerge_question", "m2", question_id=two["question_id"])
    back_one = await world.act(carol, "vote", "c4", question_id=one["question_id"])
    back_two = await world.act(carol, "vote", "c5", question_id=two["question_id"])

    assert merged["root_id"] == one["question_id"]
    assert after_merge["votes"] == 3  # alice, carol, bruno: each once
    assert refused.value.code == "merged"
    assert (back_one["votes"], back_two["votes"]) == (2, 3)
    async with world.services.read_sessions() as session:
        log = [
            (e.action, e.question_id)
            for e in await session.scalars(select(ModerationEntry).order_by(ModerationEntry.id))
        ]
    assert log == [("merge", two["question_id"]), ("unmerge", two["question_id"])]


async def test_mark_answering_moves_previous_to_answered(world: World) -> None:
    one = await world.act(
        ALICE, "submit_question", "a1", text="First question for the candidate today?"
    )
    two = await world.act(
        ALICE, "submit_question", "a2", text="Second question for the candidate today?"
    )

    await world.act(world.moderator, "mark_answering", "m1", question_id=one["question_id"])
    await world.act(world.moderator, "mark_answering", "m2", question_id=two["question_id"])

    async with world.services.read_sessions() as session:
        statuses = dict((await session.execute(select(Question.id, Question.status))).all())
    assert statuses == {one["question_id"]: "answered", two["question_id"]: "answering"}


async def test_set_profile_stores_optional_details(world: World) -> None:
    result = await world.act(
        ALICE,
        "set_profile",
        "p1",
        display_name="  Awa  N. ",
        country="sn",
        stakeholder_group="civil_society",
    )

    assert result == {
        "display_name": "Awa N.",
        "country": "SN",
        "stakeholder_group": "civil_society",
    }


async def test_set_profile_unknown_group_refused(world: World) -> None:
    with pytest.raises(ActionRefused) as refused:
        await world.act(ALICE, "set_profile", "p1", stakeholder_group="lobbyists")

    assert (refused.value.code, refused.value.details["field"]) == (
        "bad_payload",
        "stakeholder_group",
    )


async def _counters_match_votes(world: World) -> None:
    from townhall.store.queries import count_supporters

    async with world.services.read_sessions() as session:
        roots = (
            await session.execute(
                select(Question.id, Question.supporters).where(Question.canonical_id.is_(None))
            )
        ).all()
        recounted = {qid: await count_supporters(session, qid) for qid, _ in roots}
    assert dict(roots) == recounted


async def test_vote_batch_of_the_largest_size_stores_every_vote_once(world: World) -> None:
    one = await world.act(ALICE, "submit_question", "a1", text="What will you do about debt?")
    two = await world.act(BRUNO, "submit_question", "b1", text="How would you reform the UN?")
    largest = VoteBatcher(world.services, max_batch=MAX_VOTES_PER_BATCH)
    world.services.votes = largest
    await largest.start()
    people = [Actor(f"00000000-0000-4000-8000-{n:012d}") for n in range(MAX_VOTES_PER_BATCH)]
    commits = world.services.committer.commits

    replies = await asyncio.gather(
        *(
            world.act(person, "vote", f"v{n}", question_id=(one if n % 2 else two)["question_id"])
            for n, person in enumerate(people)
        )
    )
    await largest.stop()

    assert world.services.committer.commits == commits + 1  # all in one batch
    assert sum(1 for reply in replies if reply["voted"]) == len(people)
    assert await world.count(Vote) == len(people) + 2  # and each asker's own
    assert await world.count(ActionReceipt) == len(people) + 2
    await _counters_match_votes(world)


async def test_vote_counter_exact_under_concurrent_voters_and_merges(world: World) -> None:
    one = await world.act(
        ALICE, "submit_question", "a1", text="Will you strengthen the UN's work on pandemics?"
    )
    two = await world.act(
        BRUNO, "submit_question", "b1", text="How will the UN prepare for the next pandemic?"
    )
    people = [Actor(f"00000000-0000-4000-8000-{n:012d}") for n in range(1, 25)]

    await asyncio.gather(
        *(
            world.act(person, "vote", f"v{n}", question_id=(one if n % 3 else two)["question_id"])
            for n, person in enumerate(people)
        ),
        *(
            world.act(person, "vote", f"w{n}", question_id=two["question_id"])
            for n, person in enumerate(people[:6])
        ),
    )
    await _counters_match_votes(world)
    await world.act(
        world.moderator,
        "merge_questions",
        "m1",
        question_id=two["question_id"],
        into_id=one["question_id"],
    )
    await _counters_match_votes(world)
    await asyncio.gather(
        *(
            world.act(p, "unvote", f"u{n}", question_id=one["question_id"])
            for n, p in enumerate(people[:4])
        )
    )
    await _counters_match_votes(world)
    await world.act(world.moderator, "unmerge_question", "m2", question_id=two["question_id"])
    await _counters_match_votes(world)


async def test_group_commit_one_refusal_does_not_undo_the_others(world: World) -> None:
    asked = await world.act(
        ALICE, "submit_question", "a1", text="Will the next Secretary-General be a woman?"
    )
    voters = [Actor(f"00000000-0000-4000-8000-1{n:011d}") for n in range(30)]
    commits_before = world.services.committer.commits

    outcomes = await asyncio.gather(
        *(
            world.act(v, "vote", f"v{n}", question_id=asked["question_id"])
            for n, v in enumerate(voters)
        ),
        world.act(BRUNO, "vote", "bad", question_id=999_999),
        return_exceptions=True,
    )

    refused = [o for o in outcomes if isinstance(o, ActionRefused)]
    assert [r.code for r in refused] == ["unknown_question"]
    assert await world.count(Vote, question_id=asked["question_id"]) == 31
    assert world.services.committer.commits - commits_before < 31  # votes shared commits


async def test_vote_without_batcher_follows_the_same_rules(world: World) -> None:
    from dataclasses import replace

    single = replace(world.services, votes=None)
    asked = await world.act(ALICE, "submit_question", "a1", text="Will you listen to young people?")
    qid = asked["question_id"]

    first = await perform(single, BRUNO, world.demo.slug, "vote", "s1", {"question_id": qid})
    again = await perform(single, BRUNO, world.demo.slug, "vote", "s2", {"question_id": qid})
    replayed = await perform(single, BRUNO, world.demo.slug, "vote", "s1", {"question_id": qid})
    with pytest.raises(ActionRefused) as refused:
        await perform(single, BRUNO, world.demo.slug, "vote", "s3", {"question_id": 999})

    assert (first.result["votes"], again.result["votes"], replayed.replayed) == (2, 2, True)
    assert refused.value.code == "unknown_question"
    assert await world.count(Vote, question_id=qid) == 2


async def test_vote_and_unvote_in_one_batch_apply_in_arrival_order(world: World) -> None:
    asked = await world.act(ALICE, "submit_question", "a1", text="Will you meet refugees first?")
    qid = asked["question_id"]
    carol = Actor("00000000-0000-4000-8000-00000000000c")
    await world.act(carol, "vote", "c0", question_id=qid)

    await asyncio.gather(
        world.act(BRUNO, "vote", "b1", question_id=qid),
        world.act(BRUNO, "unvote", "b2", question_id=qid),
        world.act(carol, "unvote", "c1", question_id=qid),
        world.act(carol, "vote", "c2", question_id=qid),
    )

    assert set(await _voters(world, qid)) == {ALICE.participant_id, carol.participant_id}
    await _counters_match_votes(world)


async def test_unvote_withdraws_every_wording_of_the_group_once(world: World) -> None:
    one = await world.act(ALICE, "submit_question", "a1", text="How will you fund the WHO?")
    two = await world.act(BRUNO, "submit_question", "b1", text="Will WHO funding rise?")
    carol = Actor("00000000-0000-4000-8000-00000000000c")
    await world.act(carol, "vote", "c1", question_id=one["question_id"])
    await world.act(carol, "vote", "c2", question_id=two["question_id"])
    await world.act(
        world.moderator,
        "merge_questions",
        "m1",
        question_id=two["question_id"],
        into_id=one["question_id"],
    )

    undone = await world.act(carol, "unvote", "c3", question_id=one["question_id"])
    again = await world.act(carol, "unvote", "c4", question_id=one["question_id"])

    assert (undone, again) == (
        {"question_id": one["question_id"], "voted": False, "votes": 2},  # alice and bruno
        {"question_id": one["question_id"], "voted": False, "votes": 2},
    )
    assert await world.count(Vote, participant_id=carol.participant_id) == 0
    await _counters_match_votes(world)


async def test_unvote_retried_with_same_client_id_applies_once(world: World) -> None:
    asked = await world.act(ALICE, "submit_question", "a1", text="Will you publish your diary?")
    qid = asked["question_id"]
    await world.act(BRUNO, "vote", "b1", question_id=qid)
    await world.act(BRUNO, "unvote", "b2", question_id=qid)
    await world.act(BRUNO, "vote", "b3", question_id=qid)

    replay = await perform(
        world.services, BRUNO, world.demo.slug, "unvote", "b2", {"question_id": qid}
    )

    assert (replay.replayed, replay.result["voted"]) == (True, False)
    assert await _voters(world, qid) == [ALICE.participant_id, BRUNO.participant_id]


async def _voters(world: World, question_id: int) -> list[str]:
    async with world.services.read_sessions() as session:
        return sorted(
            await session.scalars(
                select(Vote.participant_id).where(Vote.question_id == question_id)
            )
        )


async def test_submit_question_burst_in_one_batch_each_stored_once(world: World) -> None:
    askers = [Actor(f"00000000-0000-4000-8000-2{n:011d}") for n in range(20)]

    replies = await asyncio.gather(
        *(
            perform(
                world.services,
                asker,
                world.demo.slug,
                "submit_question",
                "q1",
                {"text": f"Question number {n} on the reform of the Council?"},
            )
            for n, asker in enumerate(askers)
        ),
        perform(world.services, ALICE, world.demo.slug, "submit_question", "a1", {"text": " "}),
        perform(world.services, BRUNO, world.demo.slug, "submit_question", "b1", {"text": "Why?"}),
        perform(world.services, BRUNO, world.demo.slug, "submit_question", "b1", {"text": "Why?"}),
        return_exceptions=True,
    )

    stored, refused, twice = replies[:20], replies[20], replies[21:]
    ids = [reply.result["question_id"] for reply in stored if not isinstance(reply, Exception)]
    assert len(set(ids)) == 20
    assert isinstance(refused, ActionRefused) and refused.code == "invalid_text"
    assert [r.result for r in twice if not isinstance(r, Exception)] == [twice[0].result] * 2
    async with world.services.read_sessions() as session:
        rows = (
            await session.execute(select(Question.id, Question.root_id, Question.supporters))
        ).all()
    assert sorted(rows) == sorted((qid, qid, 1) for qid in [*ids, twice[0].result["question_id"]])
    assert await world.count(Vote) == 21
    assert await world.count(ActionReceipt) == 21
    await _counters_match_votes(world)


async def test_submit_question_without_batcher_follows_the_same_rules(world: World) -> None:
    from dataclasses import replace

    single = replace(world.services, asking=None)

    first = await perform(
        single, ALICE, world.demo.slug, "submit_question", "s1", {"text": "Will you  listen?"}
    )
    replayed = await perform(
        single, ALICE, world.demo.slug, "submit_question", "s1", {"text": "Will you  listen?"}
    )
    with pytest.raises(ActionRefused) as refused:
        await perform(single, ALICE, world.demo.slug, "submit_question", "s2", {"text": ""})

    assert first.result["text"] == "Will you listen?"
    assert (replayed.replayed, replayed.result) == (True, first.result)
    assert refused.value.code == "invalid_text"
    assert (await world.count(Question), await world.count(Vote)) == (1, 1)
