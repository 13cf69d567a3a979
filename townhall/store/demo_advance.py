"""Demo: the scheduled dialogue takes questions in advance (docs/calendar.md): its window
opened a day ago and it goes live in three days, so `make serve` shows a question page that
takes questions before the event and offers to add it to a calendar."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from townhall.store.tables import Event

ADVANCE_SLUG = "dialogue-herrera"


async def open_questions_in_advance(session: AsyncSession, now: datetime) -> None:
    event = await session.scalar(select(Event).where(Event.slug == ADVANCE_SLUG))
    if event is None:
        return
    minute = now.replace(second=0, microsecond=0)
    event.starts_at = minute + timedelta(days=3)
    event.questions_from = minute - timedelta(days=1)
    event.questions_until = event.starts_at + timedelta(minutes=event.duration_minutes)
    event.questions_open = True  # a window that opens turns the switch on (domain/intake.py)
