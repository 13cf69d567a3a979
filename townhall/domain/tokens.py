"""Random tokens stored only as hashes and compared in constant time."""

from __future__ import annotations

import hashlib
import hmac
import secrets
import string

_CODE_ALPHABET = "".join(c for c in string.ascii_uppercase + string.digits if c not in "0O1IL")


def new_token() -> str:
    return secrets.token_urlsafe(24)


def hash_token(token: str) -> str:
    # Tokens carry 192 random bits, so a fast hash is enough (no password stretching needed).
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def token_matches(token: str, stored_hash: str) -> bool:
    return hmac.compare_digest(hash_token(token), stored_hash)


def new_event_code(length: int = 6) -> str:
    """A short code people can type to join (no 0/O or 1/I/L to misread)."""
    return "".join(secrets.choice(_CODE_ALPHABET) for _ in range(length))
