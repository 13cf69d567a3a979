"""Organisations of a series, the delegates who speak for them, and their endorsements."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from typing import Any

from sqlalchemy import Select, String, Subquery, and_, cast, delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from townhall.domain.access import INVITED
from townhall.store.pairs import INTEGER_STRING, joined_to_pairs
from townhall.store.queries import insert_ignoring_duplicates
from townhall.store.tables import Endorsement, EventAccess, Invitation, Organisation, Question


async def of_series(session: AsyncSession, series_id: int) -> list[Organisation]:
    return list(
        await session.scalars(
            select(Organisation)
            .where(Organisation.series_id == series_id)
            .order_by(Organisation.name, Organisation.id)
        )
    )


async def by_names(
    session: AsyncSession, series_id: int | None, names: Collection[str]
) -> dict[str, Organisation]:
    """The series' organisations with these names, by case-folded name (none for an event
    outside any series: there every invitation has its own)."""
    if series_id is None:
        return {}
    folded = {name.casefold() for name in names}
    return {
        organisation.name.casefold(): organisation
        for organisation in await of_series(session, series_id)
        if organisation.name.casefold() in folded
    }


async def rename(session: AsyncSession, organisation: Organisation, name: str) -> None:
    """Rename the organisation and its invitations (which repeat the name)."""
    organisation.name = name
    await session.execute(
        update(Invitation).where(Invitation.organisation_id == organisation.id).values(name=name)
    )


async def events_inviting(session: AsyncSession, organisation_id: int) -> list[int]:
    rows = await session.scalars(
        select(Invitation.event_id).where(Invitation.organisation_id == organisation_id).distinct()
    )
    return sorted(rows)


_DELEGATE = (
    select(Organisation)
    .join(Invitation, Invitation.organisation_id == Organisation.id)
    .join(
        EventAccess,
        and_(
            EventAccess.event_id == Invitation.event_id,
            EventAccess.kind == INVITED,
            EventAccess.detail == cast(Invitation.id, String(64)),
        ),
    )
    .where(Invitation.revoked_at.is_(None))
)


async def of_delegate(
    session: AsyncSession, event_id: int, participant_id: str
) -> Organisation | None:
    """The organisation this identity is a delegate of in the event (by its delegate link)."""
    query = _DELEGATE.where(
        EventAccess.event_id == event_id, EventAccess.participant_id == participant_id
    )
    return (await session.scalars(query)).first()


@joined_to_pairs(INTEGER_STRING)
def _delegates_of(wanted: Subquery) -> Select[Any]:
    return (
        select(wanted.c.first, wanted.c.second, Invitation.organisation_id)
        .select_from(wanted)
        .join(
            EventAccess,
            and_(
                EventAccess.event_id == wanted.c.first,
                EventAccess.participant_id == wanted.c.second,
                EventAccess.kind == INVITED,
            ),
        )
        .join(
            Invitation,
            and_(
                cast(Invitation.id, String(64)) == EventAccess.detail,
                Invitation.event_id == EventAccess.event_id,
                Invitation.revoked_at.is_(None),
            ),
        )
    )


async def of_delegates(
    session: AsyncSession, pairs: Collection[tuple[int, str]]
) -> dict[tuple[int, str], int]:
    """(event, participant) -> organisation id, for each pair that is a delegate: one read for
    a whole batch of questions."""
    if not pairs:
        return {}
    rows = await _delegates_of.execute(session, sorted(set(pairs)))
    return {(event_id, participant): organisation for event_id, participant, organisation in rows}


async def endorsement_rows(
    session: AsyncSession, event_id: int, root_id: int | None = None
) -> list[tuple[int, int, str, str | None]]:
    """(group root, organisation id, name, country) for each endorsement of the event (or of
    one group)."""
    query = (
        select(
            Question.root_id,
            Endorsement.organisation_id,
            Organisation.name,
            Organisation.country,
        )
        .join(Question, Question.id == Endorsement.question_id)
        .join(Organisation, Organisation.id == Endorsement.organisation_id)
        .where(Endorsement.event_id == event_id)
    )
    if root_id is not None:
        query = query.where(Question.root_id == root_id)
    rows = await session.execute(query)
    return [
        (root, organisation, name, country)
        for root, organisation, name, country in rows
        if root is not None  # every stored question has its root set
    ]


async def group_endorsed_by(session: AsyncSession, root_id: int, organisation_id: int) -> bool:
    """Whether the organisation endorses any wording of the group."""
    found = await session.scalar(
        select(Endorsement.id)
        .join(Question, Question.id == Endorsement.question_id)
        .where(Question.root_id == root_id, Endorsement.organisation_id == organisation_id)
        .limit(1)
    )
    return found is not None


async def endorse(
    session: AsyncSession,
    question: Question,
    organisation_id: int,
    participant_id: str,
    now: datetime,
) -> None:
    await session.execute(
        insert_ignoring_duplicates(
            session, Endorsement.__table__, ["question_id", "organisation_id"]
        ),
        [
            {
                "question_id": question.id,
                "organisation_id": organisation_id,
                "event_id": question.event_id,
                "participant_id": participant_id,
                "created_at": now,
            }
        ],
    )


async def withdraw(session: AsyncSession, root_id: int, organisation_id: int) -> int:
    """Take the organisation's endorsement off every wording of the group; how many went."""
    wordings = select(Question.id).where(Question.root_id == root_id)
    gone = await session.execute(
        delete(Endorsement)
        .where(
            Endorsement.organisation_id == organisation_id,
            Endorsement.question_id.in_(wordings),
        )
        .returning(Endorsement.id)
    )
    return len(gone.all())


async def endorsed_groups(session: AsyncSession, event_id: int, organisation_id: int) -> list[int]:
    """The roots of the groups the organisation endorses in the event."""
    rows = await session.scalars(
        select(Question.root_id)
        .distinct()
        .join(Endorsement, Endorsement.question_id == Question.id)
        .where(Endorsement.event_id == event_id, Endorsement.organisation_id == organisation_id)
    )
    return sorted(root for root in rows if root is not None)
