"""Where support comes from: reads for the moderator, set-aside writes, the retention sweep.

Network hashes are keyed hashes (web/client.py), never addresses. Set-aside votes stay
stored with the id of the decision that set them aside; counts leave them out
(`queries.count_supporters`), so a restore is exact and nothing is ever deleted. Both lock
the roots of the groups they recount before reading them (store/locking.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, case, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from townhall.domain.provenance import RULES, Burst, BurstRules, NetworkCount, SupportVote
from townhall.domain.provenance import detect_burst as _detect
from townhall.store.locking import lock_groups
from townhall.store.queries import count_supporters
from townhall.store.tables import Participant, Question, SupportSetAside, Vote


async def support_votes(session: AsyncSession, root_id: int) -> list[SupportVote]:
    """The group's counted votes, with when each voter's identity was created."""
    rows = await session.execute(
        select(Vote.participant_id, Vote.created_at, Participant.created_at, Vote.network_hash)
        .join(Question, Question.id == Vote.question_id)
        .join(Participant, Participant.id == Vote.participant_id)
        .where(Question.root_id == root_id, Vote.set_aside_id.is_(None))
    )
    return [SupportVote(*row) for row in rows]


def _younger_than(session: AsyncSession, seconds: float) -> ColumnElement[bool]:
    """The voter's identity was less than `seconds` old when the vote was cast."""
    if session.get_bind().dialect.name == "postgresql":
        age: Any = func.extract("epoch", Vote.created_at - Participant.created_at)
    else:  # SQLite keeps datetimes as ISO text in UTC
        age = (func.julianday(Vote.created_at) - func.julianday(Participant.created_at)) * 86400.0
    return age < seconds  # type: ignore[no-any-return]  # a SQL comparison


async def flagged(
    session: AsyncSession, event_id: int, now: datetime, rules: BurstRules = RULES
) -> dict[int, Burst]:
    """Groups of the event whose last window of votes looks automated, in one read.

    Only the event's window of votes is read (`ix_votes_event_recent`), aggregated per group and
    network in SQL; the rules themselves are the domain's."""
    new = case((_younger_than(session, rules.new_identity.total_seconds()), 1), else_=0)
    rows = await session.execute(
        select(Question.root_id, Vote.network_hash, func.count(), func.sum(new))
        .join(Question, Question.id == Vote.question_id)
        .join(Participant, Participant.id == Vote.participant_id)
        .where(
            Vote.event_id == event_id,
            Vote.created_at > now - rules.window,
            Vote.set_aside_id.is_(None),
        )
        .group_by(Question.root_id, Vote.network_hash)
    )
    windows: dict[int, list[NetworkCount]] = {}
    for root, network, votes, fresh in rows:
        if root is not None:
            windows.setdefault(root, []).append(NetworkCount(network, votes, int(fresh or 0)))
    found = {}
    for root, counts in windows.items():
        burst = _detect(counts, rules)
        if burst is not None:
            found[root] = burst
    return found


@dataclass(frozen=True)
class Selection:
    """Which of a group's counted votes to set aside: all of the given conditions hold."""

    network_hash: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    new_only: bool = False


async def set_aside(
    session: AsyncSession,
    event_id: int,
    question_id: int,
    selection: Selection,
    *,
    actor: str,
    now: datetime,
    rules: BurstRules = RULES,
) -> tuple[SupportSetAside, int]:
    """Mark the matching counted votes of the question's group as set aside; returns the
    decision (its `question_id` is the group's root) and the group's new count."""
    root_id = (await lock_groups(session, [question_id]))[question_id]
    query = (
        select(Vote.id, Vote.created_at, Participant.created_at)
        .join(Question, Question.id == Vote.question_id)
        .join(Participant, Participant.id == Vote.participant_id)
        .where(Question.root_id == root_id, Vote.set_aside_id.is_(None))
    )
    if selection.network_hash is not None:
        query = query.where(Vote.network_hash == selection.network_hash)
    if selection.since is not None:
        query = query.where(Vote.created_at >= selection.since)
    if selection.until is not None:
        query = query.where(Vote.created_at <= selection.until)
    if selection.new_only:
        query = query.where(_younger_than(session, rules.new_identity.total_seconds()))
    ids = sorted(vote_id for vote_id, _, _ in await session.execute(query))
    decision = SupportSetAside(
        event_id=event_id,
        question_id=root_id,
        network_hash=selection.network_hash,
        since=selection.since,
        until=selection.until,
        new_only=selection.new_only,
        votes=len(ids),
        actor=actor,
        created_at=now,
    )
    session.add(decision)
    await session.flush()
    if ids:
        await session.execute(
            update(Vote).where(Vote.id.in_(ids)).values(set_aside_id=decision.id),
            execution_options={"synchronize_session": False},
        )
    return decision, await _recount(session, [root_id])


async def restore(
    session: AsyncSession, decision: SupportSetAside, *, actor: str, now: datetime
) -> tuple[int, list[int]]:
    """Count the decision's votes again; returns how many and the groups recounted (a
    wording may have been merged or unmerged since)."""
    wordings = await session.scalars(
        select(Vote.question_id).distinct().where(Vote.set_aside_id == decision.id)
    )
    roots = sorted(set((await lock_groups(session, set(wordings))).values()))
    restored = await session.execute(
        update(Vote)
        .where(Vote.set_aside_id == decision.id)
        .values(set_aside_id=None)
        .returning(Vote.id),
        execution_options={"synchronize_session": False},
    )
    count = len(restored.all())
    decision.restored_at, decision.restored_by = now, actor
    await _recount(session, roots)
    return count, roots


async def _recount(session: AsyncSession, roots: Sequence[int]) -> int:
    """Exact counts for the groups (a person counts once per group, set-aside rows never);
    returns the last group's."""
    count = 0
    for root_id in roots:
        count = await count_supporters(session, root_id)
        await session.execute(
            update(Question).where(Question.id == root_id).values(supporters=count),
            execution_options={"synchronize_session": False},
        )
        for instance in list(session.identity_map.values()):
            if isinstance(instance, Question) and instance.id == root_id:
                session.expire(instance, ["supporters"])
    return count


async def set_asides(session: AsyncSession, root_id: int) -> Sequence[SupportSetAside]:
    query = (
        select(SupportSetAside)
        .where(SupportSetAside.question_id == root_id)
        .order_by(SupportSetAside.id)
    )
    return (await session.scalars(query)).all()


@dataclass(frozen=True)
class Cleared:
    participants: int
    votes: int
    set_asides: int


async def clear_network_hashes(session: AsyncSession, before: datetime) -> Cleared:
    """Forget the network hashes of everything stored before `before` (the retention)."""
    cleared = []
    for table in (Participant, Vote, SupportSetAside):
        result = await session.execute(
            update(table)
            .where(table.created_at < before, table.network_hash.is_not(None))
            .values(network_hash=None)
            .returning(table.id),
            execution_options={"synchronize_session": False},
        )
        cleared.append(len(result.all()))
    return Cleared(*cleared)
