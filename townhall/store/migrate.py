"""Apply the Alembic migrations (`townhall migrate`, the Procfile's release step, tests)."""

from __future__ import annotations

import asyncio
from pathlib import Path

from alembic import command
from alembic.config import Config

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def alembic_config(database_url: str, *, schema: str | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    config.attributes["schema"] = schema
    return config


def upgrade(database_url: str, *, schema: str | None = None) -> None:
    """Bring the database to the newest revision. Call it outside a running event loop."""
    command.upgrade(alembic_config(database_url, schema=schema), "head")


async def upgrade_async(database_url: str, *, schema: str | None = None) -> None:
    """The same from async code: Alembic runs its own loop, so it gets a thread of its own."""
    await asyncio.to_thread(upgrade, database_url, schema=schema)
