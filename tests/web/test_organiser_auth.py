"""Organiser sessions live on the server: sign-out and password changes end them."""

from __future__ import annotations

import asyncio
import io

import httpx
import pytest
from conftest import Database, ServerFactory, seed
from organisers import PASSWORD, add_organiser, sign_in

from townhall import cli

EMAIL = "org@example.org"
NEW_PASSWORD = "a completely different passphrase"


def _cookie_only(http: httpx.AsyncClient) -> dict[str, str]:
    return {"townhall_organiser": http.cookies["townhall_organiser"]}


async def _sign_in_status(base_url: str, password: str) -> int:
    async with httpx.AsyncClient(base_url=base_url) as http:
        response = await http.post(
            "/api/organiser/sign-in", json={"email": EMAIL, "password": password}
        )
    return response.status_code


async def test_sign_out_refuses_a_cookie_copied_before(
    database: Database, start_server: ServerFactory
) -> None:
    await seed(database)
    await add_organiser(database, EMAIL)
    server = await start_server(database)
    async with httpx.AsyncClient(base_url=server.base_url) as http:
        organiser = await sign_in(http, EMAIL)
        copied = _cookie_only(http)
        before = await http.get(
            "/api/organiser/me",
            headers={"Cookie": f"townhall_organiser={copied['townhall_organiser']}"},
        )

        signed_out = await organiser.post("/api/organiser/sign-out")
    async with httpx.AsyncClient(base_url=server.base_url, cookies=copied) as thief:
        after = await thief.get("/api/organiser/me")
        listing = await thief.get("/api/organiser/series")

    assert (before.status_code, signed_out.status_code) == (200, 200)
    assert (after.status_code, listing.status_code) == (401, 401)
    assert after.json()["error"]["code"] == "sign_in"


async def test_password_change_ends_every_session_of_the_organiser(
    database: Database, start_server: ServerFactory
) -> None:
    await seed(database)
    await add_organiser(database, EMAIL)
    await add_organiser(database, "other@example.org")
    server = await start_server(database)
    async with (
        httpx.AsyncClient(base_url=server.base_url) as laptop,
        httpx.AsyncClient(base_url=server.base_url) as phone,
        httpx.AsyncClient(base_url=server.base_url) as colleague,
    ):
        on_laptop = await sign_in(laptop, EMAIL)
        await sign_in(phone, EMAIL)
        await sign_in(colleague, "other@example.org")
        copied = _cookie_only(laptop)

        changed = await on_laptop.post(
            "/api/organiser/password",
            {"current_password": PASSWORD, "new_password": NEW_PASSWORD},
        )
        phone_after = await phone.get("/api/organiser/me")
        laptop_after = await laptop.get("/api/organiser/me")
        colleague_after = await colleague.get("/api/organiser/me")
        async with httpx.AsyncClient(base_url=server.base_url, cookies=copied) as thief:
            copied_after = await thief.get("/api/organiser/me")
        old_password = await _sign_in_status(server.base_url, PASSWORD)
        new_password = await _sign_in_status(server.base_url, NEW_PASSWORD)

    assert changed.status_code == 200
    assert changed.json()["organiser"]["email"] == EMAIL
    assert (phone_after.status_code, copied_after.status_code) == (401, 401)
    assert (laptop_after.status_code, colleague_after.status_code) == (200, 200)
    assert (old_password, new_password) == (401, 200)


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        (
            {"current_password": "not my password!", "new_password": NEW_PASSWORD},
            403,
            "bad_password",
        ),
        ({"current_password": PASSWORD, "new_password": "short"}, 400, "weak_password"),
        ({"current_password": PASSWORD}, 400, "bad_payload"),
    ],
)
async def test_password_change_refused_keeps_password_and_sessions(
    sqlite_database: Database,
    start_server: ServerFactory,
    body: dict[str, str],
    status: int,
    code: str,
) -> None:
    await seed(sqlite_database)
    await add_organiser(sqlite_database, EMAIL)
    server = await start_server(sqlite_database)
    async with httpx.AsyncClient(base_url=server.base_url) as http:
        organiser = await sign_in(http, EMAIL)
        refused = await organiser.post("/api/organiser/password", body)
        still = await http.get("/api/organiser/me")
        again = await http.post(
            "/api/organiser/sign-in", json={"email": EMAIL, "password": PASSWORD}
        )

    assert (refused.status_code, refused.json()["error"]["code"]) == (status, code)
    assert (still.status_code, again.status_code) == (200, 200)


async def test_password_reset_on_the_command_line_ends_every_session(
    sqlite_database: Database,
    start_server: ServerFactory,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    await seed(sqlite_database)
    await add_organiser(sqlite_database, EMAIL)
    server = await start_server(sqlite_database)
    monkeypatch.setenv("TOWNHALL_DATABASE_URL", sqlite_database.url)
    monkeypatch.setenv("TOWNHALL_SECRET_KEY", "test-secret-key-0123456789")
    monkeypatch.setattr("sys.stdin", io.StringIO(NEW_PASSWORD + "\n"))
    async with httpx.AsyncClient(base_url=server.base_url) as http:
        await sign_in(http, EMAIL)
        before = await http.get("/api/organiser/me")

        code = await asyncio.to_thread(
            cli.main, ["set-password", "--email", EMAIL, "--password-stdin"]
        )
        after = await http.get("/api/organiser/me")
        signed_in = await http.post(
            "/api/organiser/sign-in", json={"email": EMAIL, "password": NEW_PASSWORD}
        )

    assert (code, before.status_code, after.status_code) == (0, 200, 401)
    assert signed_in.status_code == 200


async def test_session_expires_after_its_lifetime(
    sqlite_database: Database, start_server: ServerFactory
) -> None:
    await seed(sqlite_database)
    await add_organiser(sqlite_database, EMAIL)
    server = await start_server(sqlite_database, organiser_session_hours=0.0001)  # 0.36 s
    async with httpx.AsyncClient(base_url=server.base_url) as http:
        await sign_in(http, EMAIL)
        await asyncio.sleep(0.5)
        expired = await http.get("/api/organiser/me")

    assert expired.status_code == 401
