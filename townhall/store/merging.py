"""Merge and unmerge in the database, every change logged with its score.

Votes never move: each stays on the wording it was cast for, and counts group by root, so
a person who backed two merged wordings counts once and an unmerge restores every count.

Both lock every row they change (the moving wordings and the roots of both groups) before
reading the groups they act on (store/locking.py), so a vote batch running at the same time
either commits first and is recounted, or waits and then sees the new groups.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from townhall.domain.questions import root_of, subtree
from townhall.store.locking import lock_questions, takes_row_locks
from townhall.store.queries import count_supporters
from townhall.store.tables import ModerationEntry, Question


class MergeRefused(ValueError):
    """The merge or unmerge does not apply; the message says why."""


async def _parents(session: AsyncSession, event_id: int) -> dict[int, int | None]:
    rows = await session.execute(
        select(Question.id, Question.canonical_id).where(Question.event_id == event_id)
    )
    return {question_id: parent for question_id, parent in rows}


async def _locked_parents(
    session: AsyncSession, event_id: int, rows: Callable[[dict[int, int | None]], set[int]]
) -> dict[int, int | None]:
    """The event's parents, read once every row `rows` names in them is locked."""
    locked: set[int] = set()
    while True:
        parents = await _parents(session, event_id)
        wanted = rows(parents) - locked
        if not wanted or not takes_row_locks(session):
            return parents
        await lock_questions(session, wanted)
        locked |= wanted


async def _set_root(session: AsyncSession, ids: set[int], root: int) -> None:
    await session.execute(update(Question).where(Question.id.in_(ids)).values(root_id=root))


async def _recount(session: AsyncSession, *root_ids: int) -> None:
    """Exact counts for groups whose membership changed (a person counted once per group)."""
    for root_id in root_ids:
        root = await session.get(Question, root_id, with_for_update=True)
        if root is not None:
            root.supporters = await count_supporters(session, root_id)


async def merge(
    session: AsyncSession,
    source: Question,
    target: Question,
    *,
    score: float | None,
    actor: str,
    action: str,
    now: datetime,
) -> int:
    """Merge `source` (and what was merged into it) under `target`; returns the group's root."""
    if source.event_id != target.event_id:
        raise MergeRefused("Both questions must belong to the same event.")
    parents = await _locked_parents(
        session,
        source.event_id,
        lambda parents: subtree(source.id, parents) | {root_of(target.id, parents)},
    )
    if parents.get(source.id) is not None:
        raise MergeRefused(f"Question {source.id} is already merged; unmerge it first.")
    root = root_of(target.id, parents)
    if root == source.id:
        raise MergeRefused("A question cannot be merged into itself or into one of its own.")
    moved = subtree(source.id, parents)
    source.canonical_id = target.id
    source.similarity = score
    source.suggested_id = None
    await session.flush()
    await _set_root(session, moved, root)
    await _recount(session, root, source.id)
    session.add(
        ModerationEntry(
            event_id=source.event_id,
            question_id=source.id,
            actor=actor,
            action=action,
            detail={"into": target.id, "root": root, "moved": sorted(moved)},
            score=score,
            created_at=now,
        )
    )
    return root


async def unmerge(session: AsyncSession, question: Question, *, actor: str, now: datetime) -> int:
    """Make `question` stand alone again, with what had been merged into it."""
    parents = await _locked_parents(
        session,
        question.event_id,
        lambda parents: subtree(question.id, parents) | {root_of(question.id, parents)},
    )
    former = parents.get(question.id)
    if former is None:
        raise MergeRefused(f"Question {question.id} is not merged.")
    former_root = root_of(question.id, parents)
    moved = subtree(question.id, parents)
    question.canonical_id = None
    await session.flush()
    await _set_root(session, moved, question.id)
    await _recount(session, former_root, question.id)
    session.add(
        ModerationEntry(
            event_id=question.event_id,
            question_id=question.id,
            actor=actor,
            action="unmerge",
            detail={"from": former, "moved": sorted(moved)},
            score=question.similarity,
            created_at=now,
        )
    )
    return question.id
