"""Organiser sign-in throttling that a stranger cannot turn into a lock-out.

Failed attempts are stored (keyed hashes only, `sign_in_failures`), so every worker counts the
same ones. An attempt is refused with 429 and `Retry-After` while any of its keys is over its
rate; only attempts that were checked and failed count, so refused ones cost nothing.

A browser that signed in successfully holds a signed device cookie for that account (OWASP's
"device cookies"). With it, the browser's attempts on that account count only against its
own device key: a stranger hammering the account from anywhere cannot lock the real
organiser out of the browser they use. Without it, attempts count per network, per account
on that network, and per account across networks (the last bounds a spread-out attack, and
can delay a new browser of the real organiser until the window passes).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from itsdangerous import BadSignature, SignatureExpired, TimestampSigner
from starlette.requests import HTTPConnection
from starlette.responses import Response

from townhall.domain.rates import Rate, parse_rates
from townhall.domain.throttle import longest_window, most_failures, wait_seconds
from townhall.store import organisers as store
from townhall.store.db import SessionFactory
from townhall.store.schedule import utc

DEVICE_COOKIE = "townhall_device"
DEVICE_SECONDS = 180 * 24 * 3600


@dataclass(frozen=True)
class Limit:
    key: str  # keyed hash
    rates: tuple[Rate, ...]


class SignInLimits:
    def __init__(
        self,
        secret_key: str,
        *,
        network: str,
        account_network: str,
        account: str,
        device: str,
    ) -> None:
        self._key = hashlib.sha256(f"sign-in:{secret_key}".encode()).digest()
        self._signer = TimestampSigner(secret_key, salt="townhall.device")
        self._network = parse_rates(network)
        self._account_network = parse_rates(account_network)
        self._account = parse_rates(account)
        self._device = parse_rates(device)
        self._keep = max(
            longest_window(rates)
            for rates in (self._network, self._account_network, self._account, self._device)
        )

    def _hash(self, text: str) -> str:
        return hmac.new(self._key, text.encode(), hashlib.sha256).hexdigest()

    def limits(self, email: str, network: str, device: str | None) -> list[Limit]:
        """What an attempt on `email` counts against (a trusted device: only itself)."""
        account = email.strip().lower()
        if device is not None:
            return [Limit(self._hash(f"device:{device}"), self._device)]
        return [
            Limit(self._hash(f"network:{network}"), self._network),
            Limit(self._hash(f"account-network:{account}\n{network}"), self._account_network),
            Limit(self._hash(f"account:{account}"), self._account),
        ]

    @staticmethod
    async def wait(sessions: SessionFactory, limits: list[Limit], now: datetime) -> float:
        """Seconds before the next attempt is allowed (0: now)."""
        longest = 0.0
        async with sessions() as session:
            for limit in limits:
                since = now - longest_window(limit.rates)
                failures = await store.recent_failures(
                    session, limit.key, since, most_failures(limit.rates)
                )
                longest = max(
                    longest, wait_seconds([utc(moment) for moment in failures], limit.rates, now)
                )
        return longest

    async def failed(self, sessions: SessionFactory, limits: list[Limit], now: datetime) -> None:
        async with sessions() as session, session.begin():
            await store.forget_failures(session, now - self._keep - timedelta(minutes=1))
            await store.record_failure(session, [limit.key for limit in limits], now)

    # --- device cookies ---

    def device_of(self, connection: HTTPConnection, organiser_id: int | None) -> str | None:
        """The device id when the connection holds a valid device cookie for this organiser."""
        raw = connection.cookies.get(DEVICE_COOKIE)
        if not raw or organiser_id is None or len(raw) > 256:
            return None
        try:
            value = self._signer.unsign(raw, max_age=DEVICE_SECONDS).decode("ascii")
        except (BadSignature, SignatureExpired, UnicodeDecodeError):
            return None
        owner, _, device = value.partition(":")
        if owner != str(organiser_id) or not device:
            return None
        return device

    def set_device_cookie(
        self, response: Response, organiser_id: int, device: str | None = None, *, secure: bool
    ) -> None:
        value = f"{organiser_id}:{device or secrets.token_urlsafe(16)}"
        response.set_cookie(
            DEVICE_COOKIE,
            self._signer.sign(value).decode("ascii"),
            max_age=DEVICE_SECONDS,
            httponly=True,
            samesite="strict",
            secure=secure,
            path="/api/organiser/",
        )
