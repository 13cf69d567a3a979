"""The demo's organisations: three profiles in the demo series, invited to the live dialogue,
one question asked on an organisation's behalf and endorsements (never votes). Fictional
organisations; their websites are example.org addresses."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from townhall.domain.access import INVITED
from townhall.domain.tokens import hash_token, new_token
from townhall.store.tables import (
    Endorsement,
    Event,
    EventAccess,
    Invitation,
    Organisation,
    Participant,
    Question,
    Series,
    Vote,
)

PROFILES = (
    ("Sahel Women's Network", "SN", "civil_society", "https://sahel-women.example.org"),
    ("Pacific Youth Climate Coalition", "FJ", "youth", "https://pacific-youth.example.org"),
    ("Geneva Institute for Peace Studies", "CH", "academia", "https://peace-studies.example.org"),
)
EARLIER_SLUG = "dialogue-earlier"  # seeded by demo_series.py, when that runs first


async def seed_organisations(
    session: AsyncSession, series: Series, live_slug: str, now: datetime
) -> str:
    """Seed the organisations; returns the first one's delegate-link token for the live event
    (printed by `make serve` like the moderator links; only its hash is stored). Called last,
    so that the ended dialogue of demo_series.py, if seeded, gets an endorsement too."""
    live = (await session.scalars(select(Event).where(Event.slug == live_slug))).one()
    made = [
        Organisation(
            series_id=series.id,
            name=name,
            country=country,
            stakeholder_group=group,
            website=website,
            created_at=now,
            updated_at=now,
        )
        for name, country, group, website in PROFILES
    ]
    session.add_all(made)
    await session.flush()
    token = new_token()
    delegates = []
    for number, organisation in enumerate(made):
        invitation = Invitation(
            event_id=live.id,
            organisation_id=organisation.id,
            name=organisation.name,
            token_hash=hash_token(token if number == 0 else new_token()),
            created_at=now,
        )
        session.add(invitation)
        await session.flush()
        delegates.append(await _delegate(session, live, invitation, now))
    asked = await _question(
        session,
        live,
        delegates[0],
        "How will the UN make sure that women in the Sahel are heard in peace processes?",
        now - timedelta(minutes=9),
        organisation=made[0],
    )
    other = await _question(
        session,
        live,
        str(uuid.uuid4()),
        "What will you do about the financing gap for climate adaptation in small islands?",
        now - timedelta(minutes=7),
    )
    for question, endorsers in ((asked, (1, 2)), (other, (1,))):
        for index in endorsers:
            session.add(_endorsement(question, made[index], delegates[index], now))
    await _endorse_earlier(session, made[2], delegates[2])
    return token


async def _delegate(
    session: AsyncSession, event: Event, invitation: Invitation, now: datetime
) -> str:
    """An identity holding the invitation's delegate grant (as if it had opened the link)."""
    participant = str(uuid.uuid4())
    session.add(Participant(id=participant, created_at=now))
    await session.flush()
    session.add(
        EventAccess(
            event_id=event.id,
            participant_id=participant,
            kind=INVITED,
            detail=str(invitation.id),
            created_at=now,
        )
    )
    return participant


async def _question(
    session: AsyncSession,
    event: Event,
    author: str,
    text: str,
    at: datetime,
    *,
    organisation: Organisation | None = None,
) -> Question:
    if await session.get(Participant, author) is None:
        session.add(Participant(id=author, created_at=at))
        await session.flush()
    question = Question(
        event_id=event.id,
        author_id=author,
        text=text,
        status="open",
        supporters=1,
        dedup_state="pending",
        organisation_id=organisation.id if organisation is not None else None,
        created_at=at,
    )
    session.add(question)
    await session.flush()
    question.root_id = question.id
    session.add(
        Vote(question_id=question.id, participant_id=author, created_at=at, event_id=event.id)
    )
    return question


def _endorsement(
    question: Question, organisation: Organisation, delegate: str, now: datetime
) -> Endorsement:
    return Endorsement(
        question_id=question.id,
        organisation_id=organisation.id,
        event_id=question.event_id,
        participant_id=delegate,
        created_at=now,
    )


async def _endorse_earlier(
    session: AsyncSession, organisation: Organisation, delegate: str
) -> None:
    """An endorsement of an answered question of the ended dialogue, if it was seeded."""
    earlier = await session.scalar(select(Event).where(Event.slug == EARLIER_SLUG))
    if earlier is None:
        return
    answered = await session.scalar(
        select(Question)
        .where(
            Question.event_id == earlier.id,
            Question.status == "answered",
            Question.canonical_id.is_(None),
        )
        .order_by(Question.id)
        .limit(1)
    )
    if answered is None:
        return
    session.add(
        Invitation(
            event_id=earlier.id,
            organisation_id=organisation.id,
            name=organisation.name,
            token_hash=hash_token(new_token()),
            created_at=earlier.starts_at,
        )
    )
    session.add(_endorsement(answered, organisation, delegate, earlier.starts_at))
