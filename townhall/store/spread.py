"""Regional balance: one aggregated read of who backs each live question group."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import distinct, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from townhall.domain.spread import SupportRow
from townhall.store.tables import Participant, Question, Vote

# Groups whose spread the moderator console shows: the queue and what is on stage.
LIVE_STATUSES = ("open", "answering")


async def support_rows(session: AsyncSession, event_id: int) -> list[SupportRow]:
    """(root, country, stakeholder group, distinct supporters) for the event's live groups.

    Counted votes only (set-aside ones are left out, as everywhere); a person who backed two
    wordings of a group counts once, since the count is distinct per root."""
    root = aliased(Question)
    query = (
        select(
            Question.root_id,
            Participant.country,
            Participant.stakeholder_group,
            func.count(distinct(Vote.participant_id)),
        )
        .join(Question, Question.id == Vote.question_id)
        .join(root, root.id == Question.root_id)
        .join(Participant, Participant.id == Vote.participant_id)
        .where(
            Question.event_id == event_id,
            root.status.in_(LIVE_STATUSES),
            Vote.set_aside_id.is_(None),
        )
        .group_by(Question.root_id, Participant.country, Participant.stakeholder_group)
    )
    rows = await session.execute(query)
    # Every counted vote's question has a root (its own id for a root), joined above.
    return [(int(r or 0), country, stakeholder, int(n)) for r, country, stakeholder, n in rows]


async def open_groups(session: AsyncSession, event_id: int) -> list[tuple[int, int, datetime]]:
    """(id, supporters, created) of the event's open queue."""
    query = select(Question.id, Question.supporters, Question.created_at).where(
        Question.event_id == event_id, Question.status == "open", Question.canonical_id.is_(None)
    )
    return [(int(i), int(n), at) for i, n, at in await session.execute(query)]
