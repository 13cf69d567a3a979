"""Organiser accounts and signed-in API clients for tests."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import httpx
from conftest import Database

from townhall.domain.passwords import hash_password
from townhall.store.db import create_engine, session_factory
from townhall.store.tables import Organiser

PASSWORD = "correct horse battery staple"


async def add_organiser(database: Database, email: str, *, admin: bool = False) -> None:
    engine = create_engine(database.url, schema=database.schema)
    try:
        async with session_factory(engine, write=True)() as session, session.begin():
            session.add(
                Organiser(
                    email=email,
                    name=email.split("@")[0].title(),
                    password_hash=hash_password(PASSWORD),
                    created_at=datetime.now(UTC),
                    is_admin=admin,
                )
            )
    finally:
        await engine.dispose()


@dataclass
class OrganiserClient:
    http: httpx.AsyncClient
    csrf: str

    async def get(self, path: str) -> httpx.Response:
        return await self.http.get(path)

    async def post(self, path: str, body: dict[str, Any] | None = None) -> httpx.Response:
        return await self.http.post(path, json=body or {}, headers={"X-CSRF-Token": self.csrf})

    async def patch(self, path: str, body: dict[str, Any]) -> httpx.Response:
        return await self.http.patch(path, json=body, headers={"X-CSRF-Token": self.csrf})


async def sign_in(
    http: httpx.AsyncClient, email: str, password: str = PASSWORD, **headers: str
) -> OrganiserClient:
    response = await http.post(
        "/api/organiser/sign-in", json={"email": email, "password": password}, headers=headers
    )
    assert response.status_code == 200, response.text
    return OrganiserClient(http, response.json()["csrf_token"])
