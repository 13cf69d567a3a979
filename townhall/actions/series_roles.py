"""Who may touch a series: its owners and editors, and admins (who may do everything).

Owners edit the series and its events and choose who else may; editors edit the series and its
events. Every organiser endpoint that touches a series or one of its events asks here first.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from pydantic import Field
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from townhall.actions.base import ActionRefused, Payload, Services
from townhall.store import organisers as store
from townhall.store.tables import Event, Series

Need = Literal["editor", "owner"]


@dataclass(frozen=True)
class OrganiserActor:
    organiser_id: int
    is_admin: bool = False


def _forbidden(what: str) -> ActionRefused:
    return ActionRefused(
        "forbidden", f"You are not allowed to change this {what}; ask its owner.", status=403
    )


async def role_for(session: AsyncSession, who: OrganiserActor, series_id: int | None) -> str | None:
    """'admin', 'owner', 'editor' or None."""
    if who.is_admin:
        return "admin"
    if series_id is None:
        return None
    return await store.role_in(session, who.organiser_id, series_id)


async def require_series(
    session: AsyncSession, who: OrganiserActor, series: Series, need: Need = "editor"
) -> str:
    role = await role_for(session, who, series.id)
    if role is None or (need == "owner" and role == store.EDITOR):
        raise _forbidden("series")
    return role


async def require_event(session: AsyncSession, who: OrganiserActor, event: Event) -> None:
    if await role_for(session, who, event.series_id) is None:
        raise _forbidden("event")


class MemberPayload(Payload):
    email: str = Field(max_length=254)
    role: Literal["owner", "editor"] = "editor"


class MemberRemoval(Payload):
    email: str = Field(max_length=254)


def member_json(email: str, name: str, role: str) -> dict[str, Any]:
    return {"email": email, "name": name, "role": role}


async def list_members(session: AsyncSession, series: Series) -> list[dict[str, Any]]:
    return [
        member_json(o.email, o.name, role) for o, role in await store.members(session, series.id)
    ]


async def find_series(session: AsyncSession, slug: str) -> Series:
    series = await session.scalar(select(Series).where(Series.slug == slug))
    if series is None:
        raise ActionRefused("unknown_series", "There is no such series.", status=404)
    return series


async def _series_for_owner(session: AsyncSession, who: OrganiserActor, slug: str) -> Series:
    series = await find_series(session, slug)
    await require_series(session, who, series, "owner")
    return series


async def add_member(
    services: Services, who: OrganiserActor, slug: str, payload: MemberPayload
) -> list[dict[str, Any]]:
    async with services.write_sessions() as session, session.begin():
        series = await _series_for_owner(session, who, slug)
        organiser = await store.by_email(session, payload.email)
        if organiser is None:
            raise ActionRefused(
                "unknown_organiser",
                "There is no organiser account with that email.",
                status=404,
            )
        current = await store.role_in(session, organiser.id, series.id)
        if current == store.OWNER and payload.role != store.OWNER:
            await _keep_an_owner(session, series)
        await store.set_role(session, series.id, organiser.id, payload.role, services.clock())
        await session.flush()
        return await list_members(session, series)


async def remove_member(
    services: Services, who: OrganiserActor, slug: str, payload: MemberRemoval
) -> list[dict[str, Any]]:
    async with services.write_sessions() as session, session.begin():
        series = await _series_for_owner(session, who, slug)
        organiser = await store.by_email(session, payload.email)
        current = (
            await store.role_in(session, organiser.id, series.id) if organiser is not None else None
        )
        if organiser is None or current is None:
            raise ActionRefused(
                "not_a_member",
                "That organiser has no role in this series.",
                field="email",
                status=404,
            )
        if current == store.OWNER:
            await _keep_an_owner(session, series)
        await store.remove_role(session, series.id, organiser.id)
        return await list_members(session, series)


async def _keep_an_owner(session: AsyncSession, series: Series) -> None:
    if await store.owner_count(session, series.id) <= 1:
        raise ActionRefused(
            "last_owner",
            "A series needs at least one owner: make someone else owner first.",
            status=409,
        )
