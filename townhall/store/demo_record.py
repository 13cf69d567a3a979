"""The demo's public record (docs/record.md): an ended dialogue with questions answered at
known times, a recording link and its start, a merge of two wordings in two languages, a
hidden question (never shown) and questions not reached; and a licence on the series.

If the demo already has an ended dialogue (`dialogue-earlier`, seeded with the series'
demo), this adds its recording and these questions to that event instead of making another.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from townhall.domain.tokens import hash_token, new_event_code, new_token
from townhall.store.tables import (
    Candidate,
    Event,
    EventCandidate,
    ModerationEntry,
    Participant,
    Question,
    Series,
    Vote,
)

EARLIER_SLUG = "dialogue-earlier"  # the series' demo's ended event, when present
RECORD_SLUG = "dialogue-opening"  # ours otherwise
RECORDING_URL = "https://media.un.org/en/asset/k1d/k1demo0000"
LICENCE = ("CC BY 4.0", "https://creativecommons.org/licenses/by/4.0/")


@dataclass(frozen=True)
class DemoQuestion:
    text: str
    language: str
    status: str
    supporters: int
    taken_after: int | None = None  # minutes after the start it was put on stage
    merged_into: int | None = None  # index in QUESTIONS


QUESTIONS = (
    DemoQuestion(
        "How would you strengthen the UN's response to the next pandemic?",
        "en",
        "answered",
        21,
        taken_after=6,
    ),
    DemoQuestion(
        "Comment renforceriez-vous la réponse de l'ONU à la prochaine pandémie ?",
        "fr",
        "answered",
        0,
        merged_into=0,
    ),
    DemoQuestion(
        "What will you do in your first hundred days about the climate emergency?",
        "en",
        "answered",
        17,
        taken_after=19,
    ),
    DemoQuestion(
        "¿Cómo garantizará la igualdad de género en los puestos directivos de la ONU?",
        "es",
        "answered",
        12,
        taken_after=33,
    ),
    DemoQuestion(
        "كيف ستعزز دور الأمم المتحدة في الوساطة لإنهاء النزاعات المسلحة؟",
        "ar",
        "answered",
        9,
        taken_after=51,
    ),
    DemoQuestion(
        "How will you protect the independence of UN human rights investigators?", "en", "open", 8
    ),
    DemoQuestion(
        "Что вы сделаете, чтобы миротворческие миссии лучше защищали мирных жителей?",
        "ru",
        "open",
        5,
    ),
    DemoQuestion("您将如何确保发展中国家在联合国决策中有更大的发言权？", "zh", "open", 3),
    DemoQuestion("Buy cheap followers at this link!!!", "en", "hidden", 1),
)


async def _ended_event(session: AsyncSession, series: Series, now: datetime) -> Event:
    earlier = await session.scalar(select(Event).where(Event.slug == EARLIER_SLUG))
    if earlier is not None:
        return earlier
    event = Event(
        series_id=series.id,
        slug=RECORD_SLUG,
        uid=f"{uuid.uuid4()}@townhall",
        code=new_event_code(),
        title="Opening dialogue: the candidates' vision for the United Nations",
        kind="informal_dialogue",
        description="The first dialogue of the series; its public record is open data.",
        starts_at=(now - timedelta(days=3)).replace(minute=0, second=0, microsecond=0),
        timezone="America/New_York",
        duration_minutes=90,
        venue="Trusteeship Council Chamber, UN Headquarters, New York",
        stream_url="https://webtv.un.org/",
        status="ended",
        questions_open=False,
        moderation_mode="post",
        moderator_key_hash=hash_token(new_token()),
        sequence=0,
        languages=["en", "fr", "es", "ar", "ru", "zh"],
        created_at=now - timedelta(days=10),
        updated_at=now - timedelta(days=3),
    )
    session.add(event)
    await session.flush()
    # Every candidate of the demo, in one dialogue.
    for candidate_id in await session.scalars(select(Candidate.id).order_by(Candidate.id)):
        session.add(EventCandidate(event_id=event.id, candidate_id=candidate_id))
    return event


async def seed_record_demo(session: AsyncSession, series: Series, now: datetime) -> str:
    """Seeds the demo's record (inside the demo's transaction); answers the event's slug."""
    series.licence_name, series.licence_url = LICENCE
    event = await _ended_event(session, series, now)
    start = event.starts_at
    event.recording_url = RECORDING_URL
    event.recording_started_at = start - timedelta(minutes=2)
    voters = [Participant(id=str(uuid.uuid4()), created_at=start) for _ in range(21)]
    session.add_all(voters)
    await session.flush()
    stored: list[Question] = []
    for number, item in enumerate(QUESTIONS):
        asked = start + timedelta(minutes=1 + number)
        parent = stored[item.merged_into] if item.merged_into is not None else None
        question = Question(
            event_id=event.id,
            author_id=voters[number].id,
            text=item.text,
            status=item.status,
            canonical_id=parent.id if parent else None,
            similarity=0.91 if parent else None,
            supporters=item.supporters,
            dedup_state="done",
            language=item.language,
            created_at=asked,
            status_changed_at=asked,
        )
        session.add(question)
        await session.flush()
        question.root_id = parent.id if parent else question.id
        stored.append(question)
        session.add_all(
            Vote(
                question_id=question.id,
                participant_id=voter.id,
                created_at=asked,
                event_id=event.id,
            )
            for voter in voters[: item.supporters]
        )
        _log(session, event, question, item, start, parent)
    return event.slug


def _log(
    session: AsyncSession,
    event: Event,
    question: Question,
    item: DemoQuestion,
    start: datetime,
    parent: Question | None,
) -> None:
    def entry(action: str, at: datetime, **detail: object) -> None:
        session.add(
            ModerationEntry(
                event_id=event.id,
                question_id=question.id,
                actor="moderator:demo",
                action=action,
                detail=detail,
                score=0.91 if action == "merge" else None,
                created_at=at,
            )
        )

    if parent is not None:
        entry("merge", question.created_at + timedelta(minutes=1), into=parent.id)
    if item.taken_after is not None:
        taken = start + timedelta(minutes=item.taken_after)
        done = taken + timedelta(minutes=9)
        entry("answering", taken, before="open", after="answering")
        entry("answered", done, before="answering", after="answered")
        question.status_changed_at = done
    if item.status == "hidden":
        entry("hide", question.created_at + timedelta(minutes=1), before="open", after="hidden")
