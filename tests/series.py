"""An earlier, ended event of the demo series with the live event's candidate, and its
answered questions: what a new question of the live event may repeat (tests across a series)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from conftest import Database
from sqlalchemy import select

from townhall.domain.tokens import hash_token, new_event_code, new_token
from townhall.store.db import create_engine, session_factory
from townhall.store.queries import ensure_participant
from townhall.store.tables import Event, EventCandidate, Question

EARLIER_SLUG = "dialogue-before"
ANSWERED_AT = datetime(2026, 5, 12, 14, 25, tzinfo=UTC)
ROOT = "How will you make the Security Council more representative of Africa?"
MERGED = "What will you do to protect journalists in conflict zones?"
SPLIT = "How will you fight corruption inside the United Nations system?"


@dataclass(frozen=True)
class Earlier:
    slug: str
    moderator_key: str
    root_id: int  # answered, with MERGED merged into it
    merged_id: int
    split_id: int  # merged into the root too (a test unmerges it)


async def seed_earlier(database: Database, live_slug: str) -> Earlier:
    """Questions wait for the dedup sweep to embed them (`dedup.sweep()`)."""
    key = new_token()
    engine = create_engine(database.url, schema=database.schema)
    try:
        async with session_factory(engine, write=True)() as session, session.begin():
            live = await session.scalar(select(Event).where(Event.slug == live_slug))
            assert live is not None and live.series_id is not None
            candidate = await session.scalar(
                select(EventCandidate.candidate_id).where(EventCandidate.event_id == live.id)
            )
            start = live.starts_at - timedelta(days=30)
            event = Event(
                series_id=live.series_id,
                slug=EARLIER_SLUG,
                uid=f"{uuid.uuid4()}@townhall",
                code=new_event_code(),
                title="The first dialogue",
                kind="informal_dialogue",
                description="",
                starts_at=start,
                timezone="UTC",
                duration_minutes=90,
                status="ended",
                questions_open=False,
                moderation_mode="post",
                moderator_key_hash=hash_token(key),
                sequence=0,
                languages=["en"],
                created_at=start,
                updated_at=start,
            )
            session.add(event)
            await session.flush()
            session.add(EventCandidate(event_id=event.id, candidate_id=candidate))
            await ensure_participant(session, "earlier-asker", start)

            def ask(text: str, status: str = "open") -> Question:
                return Question(
                    event_id=event.id,
                    author_id="earlier-asker",
                    text=text,
                    status=status,
                    dedup_state="pending",
                    created_at=start,
                    status_changed_at=ANSWERED_AT if status == "answered" else start,
                )

            root, merged, split = ask(ROOT, "answered"), ask(MERGED), ask(SPLIT)
            session.add_all([root, merged, split])
            await session.flush()
            root.root_id = root.id
            merged.canonical_id = merged.root_id = root.id
            split.canonical_id = split.root_id = root.id
    finally:
        await engine.dispose()
    return Earlier(EARLIER_SLUG, key, root.id, merged.id, split.id)
