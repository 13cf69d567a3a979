"""Dedup decisions for an event's copy of a series' common question.

The common question is never merged away (it stands at the top of every event's queue so the
candidates' answers can be compared): when it arrives after a participant asked the same
thing, the participant's group merges into it instead (their votes go with their wording, so
they back the common question), or, in the suggest band, the participant's group is marked as
its possible duplicate for the moderator. Questions asked after it merge into it as into any
earlier question.
"""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from sqlalchemy.ext.asyncio import AsyncSession

from townhall.domain.questions import Status
from townhall.store import merging
from townhall.store.tables import Question

# A group answered or on stage keeps its own place (and its record) even if it repeats the
# common question; the moderator may still merge it by hand.
_GATHERED = frozenset({Status.OPEN.value, Status.PENDING.value})


class Found(Protocol):
    @property
    def score(self) -> float: ...

    @property
    def root_id(self) -> int: ...


async def gather_into_common(
    session: AsyncSession, common: Question, match: Found, decision: str, *, now: datetime
) -> None:
    if decision == "distinct":
        return
    root = await session.get(Question, match.root_id)
    if root is None or root.common_id is not None or root.id == common.id:
        return
    if decision == "merge" and root.status in _GATHERED:
        try:
            await merging.merge(
                session,
                root,
                common,
                score=match.score,
                actor="dedup",
                action="auto_merge",
                now=now,
            )
            return
        except merging.MergeRefused:
            pass
    root.suggested_id = common.id
    root.similarity = match.score
