"""Organiser passwords, hashed with Argon2id (argon2-cffi, the maintained reference binding)."""

from __future__ import annotations

from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_hasher = PasswordHasher()

MIN_PASSWORD_LENGTH = 12


class WeakPassword(ValueError):
    pass


def hash_password(password: str) -> str:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise WeakPassword(f"The password must have at least {MIN_PASSWORD_LENGTH} characters.")
    return _hasher.hash(password)


def password_matches(password: str, stored_hash: str) -> bool:
    try:
        return _hasher.verify(stored_hash, password)
    except (VerificationError, InvalidHashError):
        return False


@cache
def dummy_hash() -> str:
    """Verified against when the email is unknown, so both cases take the same time."""
    return _hasher.hash("townhall-no-such-organiser")
