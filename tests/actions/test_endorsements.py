"""Organisations ask on their own behalf and endorse questions: endorsements are counted
apart from votes, never added to them, once per organisation per group (merges included)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import pytest
from conftest import Database, seed
from running import running_services
from sqlalchemy import func, select

from townhall.actions import endorsements, invitations, moderation, questions  # noqa: F401  (registers them)
from townhall.actions.access import claim_invitation
from townhall.actions.base import ActionRefused, Actor, Services, perform
from townhall.actions.views import load_queue
from townhall.domain.access import Organisation
from townhall.domain.questions import QueueItem
from townhall.store.demo import DemoEvent
from townhall.store.queries import event_by_slug
from townhall.store.tables import Endorsement, Question

OXFAM = Organisation("Oxfam", None, "KE", "civil_society", "https://oxfam.org")
ACTIONAID = Organisation("ActionAid", None, "NG", "civil_society", None)
AMNESTY = Organisation("Amnesty", None, "FR", "civil_society", None)


@dataclass
class World:
    services: Services
    demo: DemoEvent
    event_id: int
    moderator: Actor

    async def act(self, actor: Actor, name: str, client_id: str, **payload: Any) -> dict[str, Any]:
        reply = await perform(self.services, actor, self.demo.slug, name, client_id, payload)
        return reply.result

    async def refusal(self, actor: Actor, name: str, client_id: str, **payload: Any) -> str:
        with pytest.raises(ActionRefused) as refused:
            await self.act(actor, name, client_id, **payload)
        return refused.value.code

    async def delegates(self, *organisations: Organisation) -> list[Actor]:
        """One delegate per organisation, through the real delegate link."""
        made = await invitations.add(self.services, self.demo.slug, list(organisations))
        actors = []
        for number, view in enumerate(made):
            actor = Actor(f"00000000-0000-4000-8000-0000000000d{number}")
            assert view.token is not None
            await claim_invitation(self.services, self.demo.slug, actor.participant_id, view.token)
            actors.append(actor)
        return actors

    async def item(self, question_id: int) -> QueueItem:
        current = await load_queue(self.services.read_sessions, self.event_id, online=0)
        assert current is not None
        queue = current.queue
        for item in (*queue.open, *queue.answering, *queue.answered):
            if item.id == question_id:
                return item
        raise AssertionError(f"question {question_id} is not in the queue")

    async def supporters(self, question_id: int) -> int:
        async with self.services.read_sessions() as session:
            found = await session.scalar(
                select(Question.supporters).where(Question.id == question_id)
            )
            return int(found or 0)

    async def endorsement_rows(self) -> int:
        async with self.services.read_sessions() as session:
            return int(await session.scalar(select(func.count()).select_from(Endorsement)) or 0)


@pytest.fixture
async def world(database: Database) -> AsyncIterator[World]:
    demo = await seed(database)  # an open event: delegate links work there too
    async with running_services(database.url, database.schema) as services:
        async with services.read_sessions() as session:
            event = await event_by_slug(session, demo.slug)
            assert event is not None
        moderator = Actor("00000000-0000-4000-8000-00000000000m", event.id)
        yield World(services, demo, event.id, moderator)


ALICE = Actor("00000000-0000-4000-8000-00000000000a")
BRUNO = Actor("00000000-0000-4000-8000-00000000000b")


async def test_ask_on_behalf_shows_the_organisation_on_the_question(world: World) -> None:
    (oxfam,) = await world.delegates(OXFAM)

    asked = await world.act(
        oxfam,
        "submit_question",
        "q1",
        text="How will you fund climate adaptation?",
        as_organisation=True,
    )
    own = await world.act(oxfam, "submit_question", "q2", text="Will you visit Nairobi first?")

    assert (await world.item(asked["question_id"])).organisation == "Oxfam"
    assert (await world.item(own["question_id"])).organisation is None
    assert await world.supporters(asked["question_id"]) == 1


async def test_ask_on_behalf_is_refused_to_anyone_but_a_delegate(world: World) -> None:
    code = await world.refusal(
        ALICE, "submit_question", "q1", text="Who do you speak for, then?", as_organisation=True
    )

    current = await load_queue(world.services.read_sessions, world.event_id, online=0)
    assert current is not None
    assert (code, current.queue.open) == ("not_a_delegate", ())


async def test_endorse_twice_counts_once_and_never_adds_to_supporters(world: World) -> None:
    oxfam, actionaid, amnesty = await world.delegates(OXFAM, ACTIONAID, AMNESTY)
    asked = await world.act(ALICE, "submit_question", "q1", text="How will you fund adaptation?")
    question = asked["question_id"]
    await world.act(BRUNO, "vote", "v1", question_id=question)

    first = await world.act(oxfam, "endorse", "e1", question_id=question)
    again = await world.act(oxfam, "endorse", "e2", question_id=question)
    replayed = await world.act(oxfam, "endorse", "e1", question_id=question)
    await world.act(actionaid, "endorse", "e1", question_id=question)
    last = await world.act(amnesty, "endorse", "e1", question_id=question)
    item = await world.item(question)

    assert first == {
        "question_id": question,
        "organisation": "Oxfam",
        "endorsed": True,
        "organisations": 1,
        "regions": 1,
    }
    assert again == replayed == first
    assert (last["organisations"], last["regions"]) == (3, 2)  # Africa twice, Europe
    assert item.endorsed is not None
    assert (item.endorsed.organisations, item.endorsed.regions) == (
        ("ActionAid", "Amnesty", "Oxfam"),
        ("Africa", "Europe"),
    )
    assert (item.votes, await world.supporters(question)) == (2, 2)
    assert await world.endorsement_rows() == 3


async def test_withdraw_endorsement_takes_it_back_and_leaves_votes(world: World) -> None:
    (oxfam,) = await world.delegates(OXFAM)
    asked = await world.act(ALICE, "submit_question", "q1", text="How will you fund adaptation?")
    question = asked["question_id"]
    await world.act(oxfam, "vote", "v1", question_id=question)
    await world.act(oxfam, "endorse", "e1", question_id=question)

    withdrawn = await world.act(oxfam, "withdraw_endorsement", "w1", question_id=question)
    twice = await world.act(oxfam, "withdraw_endorsement", "w2", question_id=question)

    assert (
        withdrawn
        == twice
        == {
            "question_id": question,
            "organisation": "Oxfam",
            "endorsed": False,
            "organisations": 0,
            "regions": 0,
        }
    )
    assert (await world.item(question)).endorsed is None
    assert await world.supporters(question) == 2


async def test_endorsements_follow_merge_and_unmerge_and_never_change_supporters(
    world: World,
) -> None:
    oxfam, actionaid = await world.delegates(OXFAM, ACTIONAID)
    one = (await world.act(ALICE, "submit_question", "q1", text="How will you fund adaptation?"))[
        "question_id"
    ]
    two = (
        await world.act(
            oxfam,
            "submit_question",
            "q2",
            text="Who pays for climate adaptation?",
            as_organisation=True,
        )
    )["question_id"]
    await world.act(BRUNO, "vote", "v1", question_id=one)
    await world.act(BRUNO, "vote", "v2", question_id=two)
    await world.act(oxfam, "endorse", "e1", question_id=one)
    await world.act(oxfam, "endorse", "e2", question_id=two)
    await world.act(actionaid, "endorse", "e1", question_id=two)
    before = (await world.supporters(one), await world.supporters(two))

    await world.act(world.moderator, "merge_questions", "m1", question_id=two, into_id=one)
    merged, merged_supporters = await world.item(one), await world.supporters(one)
    again = await world.act(actionaid, "endorse", "e2", question_id=one)  # its group already
    await world.act(world.moderator, "unmerge_question", "m2", question_id=two)
    apart = (await world.item(one), await world.item(two))

    assert before == (2, 2)  # Alice and Bruno; Oxfam's delegate and Bruno
    assert merged.endorsed is not None and merged.endorsed.organisations == ("ActionAid", "Oxfam")
    assert merged.votes == merged_supporters == 3  # three people, whatever endorses
    assert [w.organisation for w in merged.merged] == ["Oxfam"]  # its name stays on the group
    assert again["organisations"] == 2 and await world.endorsement_rows() == 3
    assert [item.endorsed.organisations if item.endorsed else () for item in apart] == [
        ("Oxfam",),
        ("ActionAid", "Oxfam"),
    ]
    assert (apart[0].votes, apart[1].votes) == before
    assert apart[1].organisation == "Oxfam"


async def test_endorse_is_refused_to_non_delegates_and_on_hidden_or_merged(world: World) -> None:
    (oxfam,) = await world.delegates(OXFAM)
    one = (await world.act(ALICE, "submit_question", "q1", text="How will you fund adaptation?"))[
        "question_id"
    ]
    two = (await world.act(BRUNO, "submit_question", "q2", text="Who pays for adaptation?"))[
        "question_id"
    ]
    three = (await world.act(BRUNO, "submit_question", "q3", text="Is the budget public?"))[
        "question_id"
    ]
    await world.act(world.moderator, "merge_questions", "m1", question_id=two, into_id=one)
    await world.act(world.moderator, "hide_question", "m2", question_id=three)

    codes = [
        await world.refusal(ALICE, "endorse", "e1", question_id=one),
        await world.refusal(world.moderator, "endorse", "e2", question_id=one),
        await world.refusal(oxfam, "endorse", "e3", question_id=two),
        await world.refusal(oxfam, "endorse", "e4", question_id=three),
        await world.refusal(oxfam, "endorse", "e5", question_id=999),
    ]

    assert codes == [
        "not_a_delegate",
        "not_a_delegate",
        "merged",
        "not_endorsable",
        "unknown_question",
    ]
    assert await world.endorsement_rows() == 0


async def test_revoked_delegate_link_ends_asking_and_endorsing_on_behalf(world: World) -> None:
    (oxfam,) = await world.delegates(OXFAM)
    asked = await world.act(ALICE, "submit_question", "q1", text="How will you fund adaptation?")
    _, views = await invitations.listing(world.services, world.demo.slug)
    await invitations.revoke(world.services, world.demo.slug, views[0].invitation.id)

    codes = [
        await world.refusal(oxfam, "endorse", "e1", question_id=asked["question_id"]),
        await world.refusal(
            oxfam, "submit_question", "q2", text="Still speaking for Oxfam?", as_organisation=True
        ),
    ]

    assert codes == ["not_a_delegate", "not_a_delegate"]


class ForgetfulCache:
    def __init__(self) -> None:
        self.forgotten: list[int] = []

    def forget(self, event_id: int) -> None:
        self.forgotten.append(event_id)


async def test_endorse_withdraw_and_merges_make_the_ticker_read_endorsements_again(
    world: World,
) -> None:
    (oxfam,) = await world.delegates(OXFAM)
    cache = ForgetfulCache()
    world.services.endorsements = cache
    one = (await world.act(ALICE, "submit_question", "q1", text="How will you fund adaptation?"))[
        "question_id"
    ]
    two = (await world.act(BRUNO, "submit_question", "q2", text="Who pays for adaptation?"))[
        "question_id"
    ]
    await world.act(BRUNO, "vote", "v1", question_id=one)
    asked_and_voted = list(cache.forgotten)

    await world.act(oxfam, "endorse", "e1", question_id=one)
    await world.act(oxfam, "withdraw_endorsement", "w1", question_id=one)
    await world.act(world.moderator, "merge_questions", "m1", question_id=two, into_id=one)
    await world.act(world.moderator, "unmerge_question", "m2", question_id=two)

    assert asked_and_voted == []  # votes and questions never change endorsements
    assert cache.forgotten == [world.event_id] * 4
