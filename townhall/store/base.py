"""The declarative base of every table and the slug column type."""

from __future__ import annotations

from typing import Any

from sqlalchemy import String
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase
from sqlalchemy.types import TypeDecorator


class Base(DeclarativeBase):
    pass


class Slug(TypeDecorator[str]):
    """A slug (a-z, 0-9, -). A slug looked up from a URL may hold a NUL, which PostgreSQL
    cannot even compare: it becomes U+FFFD, which no slug holds, so the lookup finds nothing
    (a 404) instead of failing the query (a 500, or the batch of votes it was in)."""

    impl = String(80)
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> Any:
        return value.replace("\x00", "\ufffd") if isinstance(value, str) else value
