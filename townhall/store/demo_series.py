"""The demo across a series: an ended earlier dialogue with the same candidate, where one
question and the series' common question were answered; the live dialogue carries the common
question and a participant's question that repeats the answered one, so the moderator console
flags it as soon as the dedup sweep has embedded them (`make serve`)."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from townhall.domain.questions import Status
from townhall.domain.tokens import hash_token, new_event_code, new_token
from townhall.store.queries import ensure_participant
from townhall.store.series import add_common
from townhall.store.tables import (
    Candidate,
    Event,
    EventCandidate,
    EventModerator,
    Moderator,
    Question,
    Series,
)

ENDED_SLUG = "dialogue-earlier"  # other demo modules seed this event's record details
LIVE_SLUG = "dialogue-diallo"
ASKER = "demo-participant-series"
ANSWERED = "How will you make the Security Council more representative of Africa?"
REPEAT = "How would you make the Security Council more representative of Africa?"
OTHER = "What is your plan for financing the Sustainable Development Goals?"
COMMON = {
    "en": "What would you change first in how the Secretariat works?",
    "fr": "Que changeriez-vous en premier dans le fonctionnement du Secrétariat ?",
    "es": "¿Qué cambiaría primero en el funcionamiento de la Secretaría?",
}


def _ask(event_id: int, text: str, at: datetime, **columns: object) -> Question:
    return Question(
        event_id=event_id,
        author_id=ASKER,
        text=text,
        status=columns.pop("status", Status.OPEN.value),
        dedup_state="pending",  # the dedup sweep embeds and decides it at start-up
        created_at=at,
        status_changed_at=columns.pop("status_changed_at", at),
        **columns,
    )


async def seed_series_memory(
    session: AsyncSession, series: Series, candidate: Candidate, moderator: Moderator, now: datetime
) -> tuple[str, str, str]:
    """Seed it; returns the ended event's (slug, code, moderator key)."""
    key = new_token()
    start = (now - timedelta(days=14)).replace(hour=14, minute=0, second=0, microsecond=0)
    ended = Event(
        series_id=series.id,
        slug=ENDED_SLUG,
        uid=f"{uuid.uuid4()}@townhall",
        code=new_event_code(),
        title=f"First informal dialogue with {candidate.name}",
        kind="informal_dialogue",
        description="The first of the dialogues with this candidate.",
        starts_at=start,
        timezone="America/New_York",
        duration_minutes=90,
        venue="Trusteeship Council Chamber, UN Headquarters, New York",
        stream_url="https://webtv.un.org/",
        status="ended",
        questions_open=False,
        moderation_mode="post",
        moderator_key_hash=hash_token(key),
        sequence=0,
        languages=["en", "fr"],
        created_at=start - timedelta(days=7),
        updated_at=start + timedelta(hours=2),
    )
    session.add(ended)
    await session.flush()
    session.add(EventCandidate(event_id=ended.id, candidate_id=candidate.id))
    session.add(EventModerator(event_id=ended.id, moderator_id=moderator.id))
    await ensure_participant(session, ASKER, now)
    answered_at = start + timedelta(minutes=25)
    earlier = [
        _ask(
            ended.id,
            ANSWERED,
            start + timedelta(minutes=3),
            status=Status.ANSWERED.value,
            status_changed_at=answered_at,
        ),
        _ask(ended.id, OTHER, start + timedelta(minutes=5)),
    ]
    session.add_all(earlier)
    await session.flush()
    _, copies, _ = await add_common(
        session, series, COMMON["en"], COMMON, created_by="demo", now=start - timedelta(days=1)
    )
    await session.execute(
        update(Question)
        .where(Question.id.in_(copies), Question.event_id == ended.id)
        .values(status=Status.ANSWERED.value, status_changed_at=start + timedelta(minutes=12))
    )
    live = await session.scalar(select(Event.id).where(Event.slug == LIVE_SLUG))
    if live is not None:
        session.add(_ask(live, REPEAT, now - timedelta(minutes=4)))
    await session.flush()
    ids = [q.id for q in earlier] + list(
        await session.scalars(select(Question.id).where(Question.author_id == ASKER))
    )
    await session.execute(update(Question).where(Question.id.in_(ids)).values(root_id=Question.id))
    return ended.slug, ended.code, key
