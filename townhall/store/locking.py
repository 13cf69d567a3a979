"""Row locks on questions: how a group's counter stays exact on PostgreSQL.

A group's counter (`supporters` on its root) changes in two ways: vote batches add and
subtract in place (actions/votes.py), and merges, unmerges, set-asides and restores recount it.
Under READ COMMITTED each statement sees what had committed when it began, so each of them
first locks the rows it will change and reads the group only after that: the root of every
group whose wordings or counted votes it changes, and (merge, unmerge) every wording that
moves. Locks are held until commit, so whoever locked first has committed, with its change
visible, before the other reads. Rows are locked in id order in one statement, as the vote
batch locks the questions it is asked about, so two of them cannot deadlock (should a rarer
order collide, PostgreSQL ends one and the group committer tries it again).

SQLite needs none of it: a writer holds the database's only write lock from BEGIN IMMEDIATE.
"""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from townhall.store.tables import Question


def takes_row_locks(session: AsyncSession) -> bool:
    return session.get_bind().dialect.name == "postgresql"


async def lock_questions(session: AsyncSession, ids: Collection[int]) -> None:
    """Lock the questions' rows until commit, in id order (PostgreSQL; nothing on SQLite).

    FOR NO KEY UPDATE, the lock an UPDATE of the counter takes: it leaves alone the key-share
    locks that inserting a vote takes on its question (the foreign key)."""
    if ids and takes_row_locks(session):
        await session.execute(
            select(Question.id)
            .where(Question.id.in_(sorted(ids)))
            .order_by(Question.id)
            .with_for_update(key_share=True)
        )


async def lock_groups(session: AsyncSession, question_ids: Collection[int]) -> dict[int, int]:
    """Lock the roots of the questions' groups; returns each question's root as it stands
    once those locks are held (a question not found is left out).

    A root read before its lock was granted may have been merged away meanwhile: then the
    groups are read again and the new roots locked too, until every root read is locked."""
    ids = sorted(set(question_ids))
    locked: set[int] = set()
    while True:
        rows = await session.execute(
            select(Question.id, Question.root_id).where(Question.id.in_(ids))
        )
        roots = {question_id: root or question_id for question_id, root in rows}
        missing = set(roots.values()) - locked
        if not missing or not takes_row_locks(session):
            return roots
        await lock_questions(session, missing)
        locked |= missing
