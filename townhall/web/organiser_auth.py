"""Organiser sign-in: Argon2 password check, a server-side session, a CSRF token per session.

The session cookie holds a random token; the database keeps only its hash, with the
organiser, when it was created, last seen and when it expires. Signing out deletes that row;
a password change or reset deletes every row of the organiser, so a copied cookie stops
working at once (docs/security.md).

Organiser requests that change anything must be JSON (`Content-Type: application/json`, which a
cross-site form cannot send without a CORS preflight) and carry `X-CSRF-Token`, an HMAC of the
session token that only pages on this origin can read.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
from dataclasses import dataclass
from datetime import datetime, timedelta

from starlette.requests import HTTPConnection, Request
from starlette.responses import Response

from townhall.domain.passwords import dummy_hash, hash_password, password_matches
from townhall.domain.tokens import hash_token, new_token
from townhall.store import organisers as store
from townhall.store.db import SessionFactory
from townhall.store.schedule import utc
from townhall.store.tables import Organiser
from townhall.web.client import ClientIdentifier
from townhall.web.sign_in_limits import SignInLimits

COOKIE = "townhall_organiser"
# How often a session's `last_seen_at` is written (not on every request).
TOUCH_EVERY = timedelta(minutes=1)


@dataclass(frozen=True)
class OrganiserSession:
    organiser_id: int
    name: str
    email: str
    is_admin: bool
    csrf_token: str
    token: str  # the cookie's value (never logged, never sent in a body)


class OrganiserAuth:
    def __init__(
        self,
        secret_key: str,
        clients: ClientIdentifier,
        *,
        limits: SignInLimits,
        session_hours: float = 12.0,
    ) -> None:
        self.limits = limits
        self._csrf_key = hashlib.sha256(f"csrf:{secret_key}".encode()).digest()
        self._clients = clients
        self._lifetime = timedelta(hours=session_hours)

    def _csrf_for(self, token: str) -> str:
        return hmac.new(self._csrf_key, token.encode(), hashlib.sha256).hexdigest()

    def _session(self, organiser: Organiser, token: str) -> OrganiserSession:
        return OrganiserSession(
            organiser.id,
            organiser.name,
            organiser.email,
            organiser.is_admin,
            self._csrf_for(token),
            token,
        )

    @staticmethod
    async def check_password(
        sessions: SessionFactory, email: str, password: str
    ) -> Organiser | None:
        """The organiser if the password is theirs (the same work when the email is unknown)."""
        async with sessions() as session:
            organiser = await store.by_email(session, email)
        stored = organiser.password_hash if organiser else dummy_hash()
        matches = await asyncio.to_thread(password_matches, password, stored)
        return organiser if organiser is not None and matches else None

    async def start(
        self, sessions: SessionFactory, organiser: Organiser, now: datetime
    ) -> OrganiserSession:
        """A new session for the organiser (and expired ones of anyone cleared away)."""
        token = new_token()
        async with sessions() as session, session.begin():
            await store.end_expired_sessions(session, now)
            await store.start_session(
                session, organiser.id, hash_token(token), now, now + self._lifetime
            )
        return self._session(organiser, token)

    async def current(
        self,
        connection: HTTPConnection,
        sessions: SessionFactory,
        write_sessions: SessionFactory,
        now: datetime,
    ) -> OrganiserSession | None:
        token = connection.cookies.get(COOKIE)
        if not token or len(token) > 128:
            return None
        token_hash = hash_token(token)
        async with sessions() as session:
            found = await store.live_session(session, token_hash)
        if found is None:
            return None
        row, organiser = found
        if utc(row.expires_at) <= now:
            return None
        if now - utc(row.last_seen_at) >= TOUCH_EVERY:
            async with write_sessions() as session, session.begin():
                await store.touch_session(session, token_hash, now)
        return self._session(organiser, token)

    @staticmethod
    async def end(sessions: SessionFactory, token: str) -> None:
        async with sessions() as session, session.begin():
            await store.end_session(session, hash_token(token))

    @staticmethod
    async def change_password(
        sessions: SessionFactory, organiser_id: int, new_password: str
    ) -> None:
        """Store the new password and end every session of the organiser, in one transaction.

        Raises WeakPassword (nothing stored) when the password is too short.
        """
        password_hash = await asyncio.to_thread(hash_password, new_password)
        async with sessions() as session, session.begin():
            organiser = await session.get(Organiser, organiser_id)
            if organiser is None:
                return
            organiser.password_hash = password_hash
            await store.end_every_session(session, organiser_id)

    @staticmethod
    def csrf_ok(request: Request, organiser: OrganiserSession) -> bool:
        if request.method in ("GET", "HEAD"):
            return True
        content_type = request.headers.get("content-type", "").split(";")[0].strip()
        token = request.headers.get("x-csrf-token", "")
        return content_type == "application/json" and hmac.compare_digest(
            token, organiser.csrf_token
        )

    def set_cookie(
        self, connection: HTTPConnection, response: Response, organiser: OrganiserSession
    ) -> None:
        response.set_cookie(
            COOKIE,
            organiser.token,
            max_age=int(self._lifetime.total_seconds()),
            httponly=True,
            samesite="strict",
            secure=self._clients.of(connection).https,
            path="/",
        )

    @staticmethod
    def clear_cookie(response: Response) -> None:
        response.delete_cookie(COOKIE, path="/")
