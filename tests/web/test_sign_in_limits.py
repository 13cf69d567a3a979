"""Sign-in throttling: a password-guessing script gets 429s, the real organiser still gets in."""

from __future__ import annotations

import asyncio

import httpx
from conftest import Database, ServerFactory, seed
from organisers import PASSWORD, add_organiser

EMAIL = "org@example.org"
ATTACKER = {"X-Forwarded-For": "203.0.113.7"}
ELSEWHERE = {"X-Forwarded-For": "198.51.100.20"}


async def _attempt(
    http: httpx.AsyncClient, password: str, headers: dict[str, str], email: str = EMAIL
) -> httpx.Response:
    return await http.post(
        "/api/organiser/sign-in", json={"email": email, "password": password}, headers=headers
    )


async def test_sign_in_two_hundred_wrong_passwords_from_one_address_get_429_not_a_lockout(
    database: Database, start_server: ServerFactory
) -> None:
    await seed(database)
    await add_organiser(database, EMAIL)
    server = await start_server(database, trusted_proxies="127.0.0.1")
    async with httpx.AsyncClient(base_url=server.base_url) as organiser:
        # The real organiser signed in from this browser before (it holds a device cookie)...
        first = await _attempt(organiser, PASSWORD, ATTACKER)
        await organiser.post(
            "/api/organiser/sign-out", headers={"X-CSRF-Token": first.json()["csrf_token"]}
        )
        # ...then a script on the same address guesses, each guess from a fresh cookie jar.
        statuses = []
        for number in range(200):
            async with httpx.AsyncClient(base_url=server.base_url) as script:
                response = await _attempt(script, f"guess number {number}", ATTACKER)
                statuses.append(response.status_code)
                if response.status_code == 429:
                    retry_after = response.headers["retry-after"]
                    refused = response.json()["error"]
        async with httpx.AsyncClient(base_url=server.base_url) as script:
            right_password_from_script = await _attempt(script, PASSWORD, ATTACKER)
        with_device_cookie = await _attempt(organiser, PASSWORD, ATTACKER)
        async with httpx.AsyncClient(base_url=server.base_url) as new_browser:
            from_elsewhere = await _attempt(new_browser, PASSWORD, ELSEWHERE)

    assert statuses[:5] == [401] * 5
    assert statuses[5:] == [429] * 195
    assert int(retry_after) > 0
    assert refused["code"] == "too_many_attempts"
    assert right_password_from_script.status_code == 429  # no oracle while throttled
    assert with_device_cookie.status_code == 200
    assert from_elsewhere.status_code == 200


async def test_sign_in_guesses_spread_over_accounts_are_limited_per_address(
    sqlite_database: Database, start_server: ServerFactory
) -> None:
    await seed(sqlite_database)
    server = await start_server(
        sqlite_database, trusted_proxies="127.0.0.1", sign_in_rate_network="8/hour"
    )
    async with httpx.AsyncClient(base_url=server.base_url) as script:
        statuses = [
            (
                await _attempt(script, "wrong password!", ATTACKER, f"user{n}@example.org")
            ).status_code
            for n in range(12)
        ]
        elsewhere = await _attempt(script, "wrong password!", ELSEWHERE, "user99@example.org")

    assert statuses == [401] * 8 + [429] * 4
    assert elsewhere.status_code == 401


async def test_sign_in_device_cookie_is_limited_on_its_own(
    sqlite_database: Database, start_server: ServerFactory
) -> None:
    await seed(sqlite_database)
    await add_organiser(sqlite_database, EMAIL)
    server = await start_server(
        sqlite_database, trusted_proxies="127.0.0.1", sign_in_rate_device="3/hour"
    )
    async with httpx.AsyncClient(base_url=server.base_url) as stolen_device:
        await _attempt(stolen_device, PASSWORD, ATTACKER)
        statuses = [
            (await _attempt(stolen_device, f"guess {n} wrong", ELSEWHERE)).status_code
            for n in range(5)
        ]
        async with httpx.AsyncClient(base_url=server.base_url) as other:
            stranger = await _attempt(other, "guess from a stranger", ELSEWHERE)

    assert statuses == [401, 401, 401, 429, 429]
    assert stranger.status_code == 401  # the device's failures do not count against others


async def test_sign_in_throttle_is_shared_by_every_worker(
    sqlite_database: Database, start_server: ServerFactory
) -> None:
    await seed(sqlite_database)
    await add_organiser(sqlite_database, EMAIL)
    one = await start_server(sqlite_database, trusted_proxies="127.0.0.1")
    two = await start_server(sqlite_database, trusted_proxies="127.0.0.1")
    async with (
        httpx.AsyncClient(base_url=one.base_url) as first,
        httpx.AsyncClient(base_url=two.base_url) as second,
    ):
        on_first = [
            (await _attempt(first, f"guess {n} is wrong", ATTACKER)).status_code for n in range(5)
        ]
        on_second = await asyncio.gather(
            *(_attempt(second, f"guess {n} again", ATTACKER) for n in range(3))
        )

    assert on_first == [401] * 5
    assert [r.status_code for r in on_second] == [429] * 3
