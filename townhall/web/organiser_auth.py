"""Organiser sign-in: Argon2 password check, a signed session cookie, a CSRF token per session.

Organiser requests that change anything must be JSON (`Content-Type: application/json`, which a
cross-site form cannot send without a CORS preflight) and carry `X-CSRF-Token`, an HMAC of the
session that only pages on this origin can read.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import secrets
from dataclasses import dataclass

from itsdangerous import BadSignature, SignatureExpired, TimestampSigner
from sqlalchemy import select
from starlette.requests import HTTPConnection, Request
from starlette.responses import Response

from townhall.domain.passwords import dummy_hash, password_matches
from townhall.store.db import SessionFactory
from townhall.store.tables import Organiser
from townhall.web.client import ClientIdentifier

COOKIE = "townhall_organiser"
SESSION_SECONDS = 12 * 3600


@dataclass(frozen=True)
class OrganiserSession:
    organiser_id: int
    name: str
    email: str
    csrf_token: str


class OrganiserAuth:
    def __init__(self, secret_key: str, clients: ClientIdentifier) -> None:
        self._signer = TimestampSigner(secret_key, salt="townhall.organiser")
        self._csrf_key = hashlib.sha256(f"csrf:{secret_key}".encode()).digest()
        self._clients = clients

    def _csrf_for(self, session_value: str) -> str:
        return hmac.new(self._csrf_key, session_value.encode(), hashlib.sha256).hexdigest()

    async def sign_in(
        self, sessions: SessionFactory, email: str, password: str
    ) -> tuple[OrganiserSession, str] | None:
        async with sessions() as session:
            organiser = await session.scalar(
                select(Organiser).where(Organiser.email == email.strip().lower())
            )
        stored = organiser.password_hash if organiser else dummy_hash()
        matches = await asyncio.to_thread(password_matches, password, stored)
        if organiser is None or not matches:
            return None
        value = f"{organiser.id}:{secrets.token_urlsafe(16)}"
        cookie = self._signer.sign(value).decode("ascii")
        return (
            OrganiserSession(organiser.id, organiser.name, organiser.email, self._csrf_for(value)),
            cookie,
        )

    async def current(
        self, connection: HTTPConnection, sessions: SessionFactory
    ) -> OrganiserSession | None:
        raw = connection.cookies.get(COOKIE)
        if not raw:
            return None
        try:
            value = self._signer.unsign(raw, max_age=SESSION_SECONDS).decode("ascii")
            organiser_id = int(value.split(":", 1)[0])
        except (BadSignature, SignatureExpired, ValueError, UnicodeDecodeError):
            return None
        async with sessions() as session:
            organiser = await session.get(Organiser, organiser_id)
        if organiser is None:
            return None
        return OrganiserSession(
            organiser.id, organiser.name, organiser.email, self._csrf_for(value)
        )

    @staticmethod
    def csrf_ok(request: Request, organiser: OrganiserSession) -> bool:
        if request.method in ("GET", "HEAD"):
            return True
        content_type = request.headers.get("content-type", "").split(";")[0].strip()
        token = request.headers.get("x-csrf-token", "")
        return content_type == "application/json" and hmac.compare_digest(
            token, organiser.csrf_token
        )

    def set_cookie(self, connection: HTTPConnection, response: Response, cookie: str) -> None:
        response.set_cookie(
            COOKIE,
            cookie,
            max_age=SESSION_SECONDS,
            httponly=True,
            samesite="strict",
            secure=self._clients.of(connection).https,
            path="/",
        )

    @staticmethod
    def clear_cookie(response: Response) -> None:
        response.delete_cookie(COOKIE, path="/")
