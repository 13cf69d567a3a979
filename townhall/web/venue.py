"""Venue tokens: what the stage screen's QR code carries so a hall behind one NAT can join.

A token is the event's slug signed with a time stamp (itsdangerous `TimestampSigner`); it is
accepted for `TOWNHALL_VENUE_TOKEN_SECONDS`, and the stage screen fetches a fresh one every
quarter of that. Whoever opens the join link with a valid token gives their network its own,
larger allowance for that event (web/admission.py). Only a keyed stage screen shows tokens:
the moderator key, or the event's stage key, which is derived from the secret and the
moderator key's hash (rotating the moderator key rotates it) and lets its holder do nothing
but fetch tokens, so the laptop behind the projector need not hold the moderator key.
"""

from __future__ import annotations

import base64
import hashlib
import hmac

from itsdangerous import BadSignature, TimestampSigner

from townhall.store.tables import Event


class VenueTokens:
    def __init__(self, secret_key: str, max_age: int) -> None:
        self._signer = TimestampSigner(secret_key, salt="townhall.venue")
        self._stage = hashlib.sha256(f"stage:{secret_key}".encode()).digest()
        self.max_age = max_age

    def issue(self, slug: str) -> str:
        return self._signer.sign(slug).decode("ascii")

    def verify(self, token: str, slug: str) -> bool:
        if not token or len(token) > 512:
            return False
        try:
            signed = self._signer.unsign(token, max_age=self.max_age)
        except BadSignature:  # SignatureExpired is one
            return False
        return hmac.compare_digest(signed, slug.encode("utf-8"))

    def stage_key(self, event: Event) -> str:
        message = f"{event.id}:{event.moderator_key_hash}".encode()
        digest = hmac.new(self._stage, message, hashlib.sha256).digest()[:18]
        return base64.urlsafe_b64encode(digest).decode("ascii")

    def is_stage_key(self, event: Event, key: str | None) -> bool:
        if not key:
            return False
        return hmac.compare_digest(self.stage_key(event).encode(), key.encode("utf-8"))
