"""Organisers' side of participation modes: the mode per event, and invitation lists.

A delegate link's token is shown once, when it is made (only its hash is kept); a lost link
is replaced by a new one, which ends the old one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from townhall.actions.base import ActionRefused, Services
from townhall.domain import access as rules
from townhall.domain.tokens import hash_token, new_token
from townhall.store import access as store
from townhall.store import organisations as profiles
from townhall.store import queries
from townhall.store.tables import Event, Invitation, Organisation


@dataclass(frozen=True)
class InvitationView:
    invitation: Invitation
    delegates: int
    token: str | None = None  # only right after it was made
    organisation: Organisation | None = None  # its profile, where the caller read it


async def _event(session: AsyncSession, slug: str) -> Event:
    event = await queries.event_by_slug(session, slug)
    if event is None:
        raise ActionRefused("unknown_event", "There is no such event.", status=404)
    return event


async def set_mode(services: Services, slug: str, mode: str) -> Event:
    if mode not in rules.MODES:
        raise ActionRefused("invalid", f"The mode must be one of {', '.join(rules.MODES)}.")
    async with services.write_sessions() as session, session.begin():
        event = await _event(session, slug)
        event.access_mode = mode
    await services.hub.notify(event.id)
    return event


async def listing(services: Services, slug: str) -> tuple[Event, list[InvitationView]]:
    async with services.read_sessions() as session:
        event = await _event(session, slug)
        found = await store.invitations(session, event.id)
        counts = await store.delegates_per_invitation(session, event.id)
        profiles = await profiles_of(session, [i.organisation_id for i in found])
    return event, [
        InvitationView(i, counts.get(str(i.id), 0), None, profiles.get(i.organisation_id))
        for i in found
    ]


async def profiles_of(session: AsyncSession, ids: list[int]) -> dict[int, Organisation]:
    if not ids:
        return {}
    rows = await session.scalars(select(Organisation).where(Organisation.id.in_(set(ids))))
    return {organisation.id: organisation for organisation in rows}


async def add(
    services: Services, slug: str, organisations: list[rules.Organisation]
) -> list[InvitationView]:
    """Invite every organisation at once, or none (a name already invited is refused).

    Each becomes (or is found as, by name) an organisation of the event's series, so its
    profile serves every event of the series; profile fields given fill in or replace the
    stored ones, fields left out keep them."""
    now = services.clock()
    async with services.write_sessions() as session, session.begin():
        event = await _event(session, slug)
        return await invite(session, event, organisations, now)


async def invite(
    session: AsyncSession, event: Event, organisations: list[rules.Organisation], now: datetime
) -> list[InvitationView]:
    taken = await store.invited_names(session, event.id, [o.name for o in organisations])
    if taken:
        raise ActionRefused(
            "already_invited",
            f"Already invited: {', '.join(sorted(taken)[:5])}"
            + (f" and {len(taken) - 5} more." if len(taken) > 5 else "."),
            names=sorted(taken),
        )
    known = await profiles.by_names(session, event.series_id, [o.name for o in organisations])
    for given in organisations:
        profile = known.get(given.name.casefold())
        if profile is None:
            profile = Organisation(
                series_id=event.series_id, name=given.name, created_at=now, updated_at=now
            )
            session.add(profile)
            known[given.name.casefold()] = profile
        for field in ("country", "stakeholder_group", "website"):
            if getattr(given, field) is not None:
                setattr(profile, field, getattr(given, field))
                profile.updated_at = now
    await session.flush()
    made = []
    for given in organisations:
        profile = known[given.name.casefold()]
        token = new_token()
        invitation = Invitation(
            event_id=event.id,
            organisation_id=profile.id,
            name=profile.name,
            email=given.email,
            token_hash=hash_token(token),
            created_at=now,
        )
        session.add(invitation)
        made.append(InvitationView(invitation, 0, token, profile))
    await session.flush()
    return made


async def _invitation(session: AsyncSession, slug: str, invitation_id: int) -> Invitation:
    event = await _event(session, slug)
    invitation = await session.get(Invitation, invitation_id)
    if invitation is None or invitation.event_id != event.id:
        raise ActionRefused("unknown_invitation", "There is no such invitation.", status=404)
    return invitation


async def revoke(services: Services, slug: str, invitation_id: int) -> InvitationView:
    """End the link and every delegate grant it gave (their votes stay: nothing is deleted)."""
    now: datetime = services.clock()
    async with services.write_sessions() as session, session.begin():
        invitation = await _invitation(session, slug, invitation_id)
        if invitation.revoked_at is None:
            await store.revoke_invitation(session, invitation, now)
        organisation = await session.get(Organisation, invitation.organisation_id)
    await services.hub.notify(invitation.event_id)
    return InvitationView(invitation, 0, None, organisation)


async def new_link(services: Services, slug: str, invitation_id: int) -> InvitationView:
    """A fresh link for the organisation; the old one stops working (its grants end too)."""
    now = services.clock()
    token = new_token()
    async with services.write_sessions() as session, session.begin():
        invitation = await _invitation(session, slug, invitation_id)
        await store.revoke_invitation(session, invitation, now)
        invitation.revoked_at = None
        invitation.token_hash = hash_token(token)
        organisation = await session.get(Organisation, invitation.organisation_id)
    return InvitationView(invitation, 0, token, organisation)
