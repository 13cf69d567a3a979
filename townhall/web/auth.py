"""Who is asking: the participant cookie (signed, server-issued) and moderator keys."""

from __future__ import annotations

import uuid

from itsdangerous import BadSignature, Signer
from starlette.requests import HTTPConnection
from starlette.responses import Response

from townhall.domain.tokens import token_matches
from townhall.store.tables import Event
from townhall.web.client import ClientIdentifier

COOKIE = "townhall_participant"
COOKIE_MAX_AGE = 400 * 24 * 3600  # browsers cap cookie lifetimes near 400 days


class ParticipantCookies:
    def __init__(self, secret_key: str, clients: ClientIdentifier) -> None:
        self._signer = Signer(secret_key, salt="townhall.participant")
        self._clients = clients

    def read(self, connection: HTTPConnection) -> str | None:
        raw = connection.cookies.get(COOKIE)
        if not raw:
            return None
        try:
            value = self._signer.unsign(raw).decode("ascii")
        except (BadSignature, UnicodeDecodeError):
            return None
        try:
            return str(uuid.UUID(value))
        except ValueError:
            return None

    def issue(self) -> tuple[str, str]:
        participant_id = str(uuid.uuid4())
        return participant_id, self._signer.sign(participant_id).decode("ascii")

    def identify(self, connection: HTTPConnection) -> tuple[str, str | None]:
        """The participant's id, and a new cookie value to set when there was none."""
        known = self.read(connection)
        if known is not None:
            return known, None
        return self.issue()

    def set(self, connection: HTTPConnection, response: Response, cookie_value: str | None) -> None:
        """Set a new cookie, `Secure` when this connection came over HTTPS (directly or through
        a trusted proxy, web/client.py)."""
        if cookie_value is None:
            return
        response.set_cookie(
            COOKIE,
            cookie_value,
            max_age=COOKIE_MAX_AGE,
            httponly=True,
            samesite="lax",
            secure=self._clients.of(connection).https,
        )


def moderator_key_from(connection: HTTPConnection) -> str | None:
    header = connection.headers.get("authorization", "")
    if header.lower().startswith("bearer "):
        return header[7:].strip() or None
    return connection.headers.get("x-moderator-key") or None


def is_moderator(event: Event, key: str | None) -> bool:
    return bool(key) and token_matches(key or "", event.moderator_key_hash)
