"""The demo's regional balance: supporters who gave a country back three questions of the live
dialogue, so that "most votes" and "most regions" order them differently in the moderator
console (`make serve`). Every region here has at least the default privacy threshold (5)."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from townhall.domain.questions import Status
from townhall.store.tables import Event, Participant, Question, Vote

LIVE_SLUG = "dialogue-diallo"
# (question, countries of its supporters: one person each; the first one asked it)
BACKED: tuple[tuple[str, tuple[str, ...]], ...] = (
    (
        "Will you appoint a special envoy for digital public infrastructure?",
        ("IN",) * 20,  # many votes, one region
    ),
    (
        "How will you keep humanitarian aid flowing when the Security Council is deadlocked?",
        ("SN",) * 5 + ("BR",) * 5 + ("ID",) * 5,  # fewer votes, three regions
    ),
    (
        "What will you do to protect journalists who cover UN peace operations?",
        ("DE",) * 10 + ("FJ",) * 5,  # two regions
    ),
)
STAKEHOLDERS = ("civil_society", "academia", "youth", "media")


async def seed_regional_support(session: AsyncSession, now: datetime) -> None:
    event = await session.scalar(select(Event).where(Event.slug == LIVE_SLUG))
    if event is None:
        return
    for number, (text, countries) in enumerate(BACKED):
        asked = now - timedelta(minutes=30 - number)
        people = [
            Participant(
                id=str(uuid.uuid4()),
                country=country,
                stakeholder_group=STAKEHOLDERS[n % len(STAKEHOLDERS)],
                created_at=asked,
            )
            for n, country in enumerate(countries)
        ]
        session.add_all(people)
        await session.flush()
        question = Question(
            event_id=event.id,
            author_id=people[0].id,
            text=text,
            status=Status.OPEN.value,
            supporters=len(people),
            dedup_state="pending",  # the dedup sweep embeds it at start-up
            created_at=asked,
            status_changed_at=asked,
        )
        session.add(question)
        await session.flush()
        question.root_id = question.id
        session.add_all(
            Vote(
                question_id=question.id,
                participant_id=person.id,
                created_at=asked,
                event_id=event.id,
            )
            for person in people
        )
