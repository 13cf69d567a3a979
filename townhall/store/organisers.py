"""Organiser accounts, their server-side sessions, their roles per series, failed sign-ins."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from townhall.store.tables import Organiser, OrganiserSession, SeriesRole, SignInFailure

OWNER = "owner"
EDITOR = "editor"
ROLES = (OWNER, EDITOR)


async def by_email(session: AsyncSession, email: str) -> Organiser | None:
    return await session.scalar(select(Organiser).where(Organiser.email == email.strip().lower()))


# --- sessions ------------------------------------------------------------------------------


async def start_session(
    session: AsyncSession, organiser_id: int, token_hash: str, now: datetime, expires: datetime
) -> None:
    session.add(
        OrganiserSession(
            token_hash=token_hash,
            organiser_id=organiser_id,
            created_at=now,
            last_seen_at=now,
            expires_at=expires,
        )
    )


async def live_session(
    session: AsyncSession, token_hash: str
) -> tuple[OrganiserSession, Organiser] | None:
    """The session with this token and its organiser (the caller checks expiry)."""
    row = (
        await session.execute(
            select(OrganiserSession, Organiser)
            .join(Organiser, Organiser.id == OrganiserSession.organiser_id)
            .where(OrganiserSession.token_hash == token_hash)
        )
    ).first()
    return (row[0], row[1]) if row is not None else None


async def touch_session(session: AsyncSession, token_hash: str, now: datetime) -> None:
    await session.execute(
        update(OrganiserSession)
        .where(OrganiserSession.token_hash == token_hash)
        .values(last_seen_at=now)
    )


async def end_session(session: AsyncSession, token_hash: str) -> None:
    await session.execute(delete(OrganiserSession).where(OrganiserSession.token_hash == token_hash))


async def end_every_session(session: AsyncSession, organiser_id: int) -> int:
    result = await session.execute(
        delete(OrganiserSession).where(OrganiserSession.organiser_id == organiser_id)
    )
    return int(getattr(result, "rowcount", 0) or 0)


async def end_expired_sessions(session: AsyncSession, now: datetime) -> None:
    await session.execute(delete(OrganiserSession).where(OrganiserSession.expires_at < now))


# --- roles ---------------------------------------------------------------------------------


async def role_in(session: AsyncSession, organiser_id: int, series_id: int) -> str | None:
    role: str | None = await session.scalar(
        select(SeriesRole.role).where(
            SeriesRole.organiser_id == organiser_id, SeriesRole.series_id == series_id
        )
    )
    return role


async def roles_of(session: AsyncSession, organiser_id: int) -> dict[int, str]:
    rows = await session.execute(
        select(SeriesRole.series_id, SeriesRole.role).where(SeriesRole.organiser_id == organiser_id)
    )
    return {series_id: role for series_id, role in rows}


async def members(session: AsyncSession, series_id: int) -> Sequence[tuple[Organiser, str]]:
    rows = await session.execute(
        select(Organiser, SeriesRole.role)
        .join(SeriesRole, SeriesRole.organiser_id == Organiser.id)
        .where(SeriesRole.series_id == series_id)
        .order_by(SeriesRole.role.desc(), Organiser.email)  # owners first
    )
    return [(organiser, role) for organiser, role in rows]


async def set_role(
    session: AsyncSession, series_id: int, organiser_id: int, role: str, now: datetime
) -> None:
    existing = await session.get(SeriesRole, (series_id, organiser_id))
    if existing is None:
        session.add(
            SeriesRole(series_id=series_id, organiser_id=organiser_id, role=role, created_at=now)
        )
    else:
        existing.role = role


async def remove_role(session: AsyncSession, series_id: int, organiser_id: int) -> bool:
    result = await session.execute(
        delete(SeriesRole).where(
            SeriesRole.series_id == series_id, SeriesRole.organiser_id == organiser_id
        )
    )
    return bool(getattr(result, "rowcount", 0))


async def owner_count(session: AsyncSession, series_id: int) -> int:
    count = await session.scalar(
        select(func.count())
        .select_from(SeriesRole)
        .where(SeriesRole.series_id == series_id, SeriesRole.role == OWNER)
    )
    return int(count or 0)


# --- failed sign-ins -----------------------------------------------------------------------


async def record_failure(session: AsyncSession, keys: Sequence[str], now: datetime) -> None:
    session.add_all(SignInFailure(key=key, created_at=now) for key in keys)


async def recent_failures(
    session: AsyncSession, key: str, since: datetime, limit: int
) -> list[datetime]:
    """Times of the key's failures after `since`, newest first (at most `limit`)."""
    rows = await session.scalars(
        select(SignInFailure.created_at)
        .where(SignInFailure.key == key, SignInFailure.created_at > since)
        .order_by(SignInFailure.created_at.desc())
        .limit(limit)
    )
    return list(rows)


async def forget_failures(session: AsyncSession, before: datetime) -> None:
    await session.execute(delete(SignInFailure).where(SignInFailure.created_at < before))
