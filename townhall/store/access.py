"""Grants, invitations and sign-in tokens of participation modes (domain/access.py)."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from typing import Any

from sqlalchemy import Select, String, Subquery, and_, cast, delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from townhall.domain.access import OPEN
from townhall.store.pairs import INTEGER_STRING, joined_to_pairs
from townhall.store.queries import insert_ignoring_duplicates
from townhall.store.tables import (
    EmailToken,
    Event,
    EventAccess,
    Invitation,
    Participant,
    Question,
)


@joined_to_pairs(INTEGER_STRING)
def _ungranted(wanted: Subquery) -> Select[Any]:
    return (
        select(wanted.c.first, wanted.c.second, Event.access_mode)
        .select_from(wanted)
        .join(Event, and_(Event.id == wanted.c.first, Event.access_mode != OPEN))
        .outerjoin(
            EventAccess,
            and_(
                EventAccess.event_id == wanted.c.first,
                EventAccess.participant_id == wanted.c.second,
            ),
        )
        .where(EventAccess.participant_id.is_(None))
    )


async def ungranted(
    session: AsyncSession, pairs: Collection[tuple[int, str]]
) -> dict[tuple[int, str], str]:
    """(event, participant) -> the event's mode, for each pair that may not ask or vote:
    the event is not open and the participant has no grant. One read for a whole batch."""
    if not pairs:
        return {}
    rows = await _ungranted.execute(session, sorted(set(pairs)))
    return {(event_id, participant): mode for event_id, participant, mode in rows}


async def grant_of(session: AsyncSession, event_id: int, participant_id: str) -> EventAccess | None:
    return await session.get(EventAccess, (event_id, participant_id))


async def grant(
    session: AsyncSession, event_id: int, participant_id: str, kind: str, detail: str, now: datetime
) -> None:
    """Record the grant (the participant row first, if new); an existing grant is replaced."""
    await session.execute(
        insert_ignoring_duplicates(session, Participant.__table__, ["id"]),
        [{"id": participant_id, "created_at": now}],
    )
    await session.execute(
        delete(EventAccess).where(
            EventAccess.event_id == event_id, EventAccess.participant_id == participant_id
        )
    )
    session.add(
        EventAccess(
            event_id=event_id,
            participant_id=participant_id,
            kind=kind,
            detail=detail,
            created_at=now,
        )
    )
    await session.flush()


async def identities_of_address(session: AsyncSession, event_id: int, address: str) -> int:
    """How many identities this address (its keyed hash) has verified in the event."""
    count = await session.scalar(
        select(func.count())
        .select_from(EventAccess)
        .where(
            EventAccess.event_id == event_id,
            EventAccess.kind == "email",
            EventAccess.detail == address,
        )
    )
    return int(count or 0)


async def links_sent_since(
    session: AsyncSession,
    since: datetime,
    *,
    address: str | None = None,
    participant: str | None = None,
) -> int:
    query = select(func.count()).select_from(EmailToken).where(EmailToken.created_at >= since)
    if address is not None:
        query = query.where(EmailToken.address_hash == address)
    if participant is not None:
        query = query.where(EmailToken.participant_id == participant)
    return int(await session.scalar(query) or 0)


async def email_token(session: AsyncSession, token_hash: str, *, lock: bool) -> EmailToken | None:
    query = select(EmailToken).where(EmailToken.token_hash == token_hash)
    if lock:
        query = query.with_for_update()
    return (await session.scalars(query)).first()


async def invitation_by_token(session: AsyncSession, token_hash: str) -> Invitation | None:
    return (
        await session.scalars(select(Invitation).where(Invitation.token_hash == token_hash))
    ).first()


async def invitations(session: AsyncSession, event_id: int) -> list[Invitation]:
    return list(
        await session.scalars(
            select(Invitation).where(Invitation.event_id == event_id).order_by(Invitation.id)
        )
    )


async def invited_names(session: AsyncSession, event_id: int, names: Collection[str]) -> set[str]:
    """Which of these names (case-insensitive) are already invited to the event."""
    folded = {name.casefold() for name in names}
    rows = await session.scalars(select(Invitation.name).where(Invitation.event_id == event_id))
    return {name for name in rows if name.casefold() in folded}


async def delegates_per_invitation(session: AsyncSession, event_id: int) -> dict[str, int]:
    rows = await session.execute(
        select(EventAccess.detail, func.count())
        .where(EventAccess.event_id == event_id, EventAccess.kind == "invited")
        .group_by(EventAccess.detail)
    )
    return {detail: int(count) for detail, count in rows}


async def delegates(session: AsyncSession, event_id: int) -> list[tuple[str, str, datetime]]:
    """(participant, organisation, since) for each delegate of the event."""
    rows = await session.execute(
        select(EventAccess.participant_id, Invitation.name, EventAccess.created_at)
        .join(
            Invitation,
            and_(
                Invitation.event_id == EventAccess.event_id,
                cast(Invitation.id, String(64)) == EventAccess.detail,
            ),
        )
        .where(EventAccess.event_id == event_id, EventAccess.kind == "invited")
        .order_by(Invitation.name, EventAccess.created_at)
    )
    return [(participant, name, since) for participant, name, since in rows]


async def revoke_invitation(session: AsyncSession, invitation: Invitation, now: datetime) -> int:
    """Revoke the link and the grants it gave; returns how many grants ended."""
    invitation.revoked_at = now
    ended = await session.execute(
        delete(EventAccess)
        .where(
            EventAccess.event_id == invitation.event_id,
            EventAccess.kind == "invited",
            EventAccess.detail == str(invitation.id),
        )
        .returning(EventAccess.participant_id)
    )
    return len(ended.all())


async def set_mode(session: AsyncSession, event_id: int, mode: str) -> None:
    await session.execute(update(Event).where(Event.id == event_id).values(access_mode=mode))


async def questions_by_participants(
    session: AsyncSession, event_id: int, participants: Collection[str]
) -> dict[str, list[int]]:
    """The ids of the questions each of these participants asked in the event."""
    if not participants:
        return {}
    rows = await session.execute(
        select(Question.author_id, Question.id)
        .where(Question.event_id == event_id, Question.author_id.in_(sorted(set(participants))))
        .order_by(Question.id)
    )
    found: dict[str, list[int]] = {}
    for author, question_id in rows:
        found.setdefault(author, []).append(question_id)
    return found
