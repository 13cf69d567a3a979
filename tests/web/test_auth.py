"""The participant cookie is `Secure` whenever the visitor came over HTTPS, behind a proxy too."""

from __future__ import annotations

import httpx
import pytest
from conftest import Database, ServerFactory, seed


def _secure(response: httpx.Response) -> bool:
    return "secure" in response.headers["set-cookie"].lower().split("; ")


@pytest.mark.parametrize(
    ("trusted_proxies", "headers", "secure"),
    [
        ("127.0.0.1", {"X-Forwarded-Proto": "https"}, True),  # the proxy saw HTTPS
        ("127.0.0.1", {"X-Forwarded-Proto": "http"}, False),
        ("127.0.0.1", {}, False),
        ("10.0.0.0/8", {"X-Forwarded-Proto": "https"}, False),  # anyone can send the header
    ],
)
async def test_participant_cookie_secure_when_https(
    sqlite_database: Database,
    start_server: ServerFactory,
    trusted_proxies: str,
    headers: dict[str, str],
    secure: bool,
) -> None:
    demo = await seed(sqlite_database)
    server = await start_server(sqlite_database, trusted_proxies=trusted_proxies)

    async with httpx.AsyncClient(base_url=server.base_url, headers=headers) as http:
        page = await http.get(f"/e/{demo.slug}")
    async with httpx.AsyncClient(base_url=server.base_url, headers=headers) as http:
        action = await http.post(
            f"/api/events/{demo.slug}/actions/submit_question",
            json={"client_id": "c1", "text": "Is this cookie kept off plain HTTP?"},
        )

    assert (_secure(page), _secure(action)) == (secure, secure)
