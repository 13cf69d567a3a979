"""schemathesis runs every operation of /openapi.json against a real server (signed in as an
organiser, and with the moderator key half of the time): no answer is a server error."""

from __future__ import annotations

import asyncio
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import httpx
import requests
import schemathesis
from conftest import Database, ServerFactory, seed
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from sqlalchemy import select

from townhall.domain.passwords import hash_password
from townhall.store.db import create_engine, session_factory
from townhall.store.tables import Organiser, Series
from townhall.web.openapi import build_openapi

UNLIMITED = {"rate_questions": "100000/minute", "rate_actions": "100000/10seconds"}
EXAMPLES = 15  # per operation (33 operations), on each database: about 40 s each here
PASSWORD = "correct horse battery staple"


@dataclass(frozen=True)
class Credentials:
    base_url: str
    event_slug: str
    series_slug: str
    moderator_key: str
    organiser_cookie: str
    csrf_token: str


async def _add_organiser(database: Database) -> str:
    """Adds an organiser; returns the demo series' slug."""
    engine = create_engine(database.url, schema=database.schema)
    async with session_factory(engine, write=True)() as session, session.begin():
        session.add(
            Organiser(
                email="fuzz@example.org",
                name="Fuzz",
                password_hash=hash_password(PASSWORD),
                created_at=datetime.now(UTC),
            )
        )
        series = await session.scalar(select(Series.slug).order_by(Series.id).limit(1))
    await engine.dispose()
    return str(series)


def _operations(schema: Any) -> list[Any]:
    operations = [result.ok() for result in schema.get_all_operations()]
    # Cancelling or rotating the key of the demo event last keeps it open for the rest.
    return sorted(operations, key=lambda op: ("/cancel" in op.path, "moderator-key" in op.path))


def _run(operation: Any, credentials: Credentials, http: requests.Session) -> Counter[int]:
    """Runs the operation's cases (valid and not, on a real slug and on any); raises at the
    first server error. Returns how often each status came back."""
    slug = (
        credentials.series_slug
        if operation.path.startswith("/api/organiser/series/")
        else credentials.event_slug
    )
    takes_slug = "{slug}" in operation.path
    strategies = [
        operation.as_strategy(
            generation_mode=mode, **({"path_parameters": {"slug": slug}} if known else {})
        )
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)
        for known in ((False, True) if takes_slug else (False,))
    ]
    # Signed in for the organiser API, except sign-out (which would end the session).
    organiser = operation.path.startswith("/api/organiser/") and not operation.path.endswith(
        "/sign-out"
    )
    statuses: Counter[int] = Counter()
    errors: list[str] = []

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=st.one_of(strategies), moderator=st.booleans())
    def run(case: Any, moderator: bool) -> None:
        headers: dict[str, str] = {}
        cookies: dict[str, str] = {}
        if organiser:
            headers["X-CSRF-Token"] = credentials.csrf_token
            cookies["townhall_organiser"] = credentials.organiser_cookie
        elif moderator:
            headers["Authorization"] = f"Bearer {credentials.moderator_key}"
        response = case.call(
            base_url=credentials.base_url, session=http, headers=headers, cookies=cookies
        )
        statuses[response.status_code] += 1
        if response.status_code >= 500:
            errors.append(f"{case.as_curl_command()} -> {response.status_code} {response.text}")
        case.validate_response(response, checks=[not_a_server_error])

    try:
        run()
    except Exception as error:
        raise AssertionError("\n".join(errors) or str(error)) from error
    return statuses


def _fuzz(credentials: Credentials) -> tuple[list[str], dict[str, Counter[int]]]:
    """Runs every operation in this thread; returns the failures and the statuses seen."""
    schema = schemathesis.openapi.from_url(f"{credentials.base_url}/openapi.json")
    http = requests.Session()
    failures: list[str] = []
    seen: dict[str, Counter[int]] = {}
    for operation in _operations(schema):
        try:
            seen[operation.label] = _run(operation, credentials, http)
        except Exception as error:  # every operation runs; all failures are reported at once
            failures.append(f"{operation.label}: {error}")
    return failures, seen


async def test_openapi_every_operation_answers_without_server_error(
    database: Database, start_server: ServerFactory
) -> None:
    demo = await seed(database)
    series_slug = await _add_organiser(database)
    server = await start_server(database, **UNLIMITED)
    async with httpx.AsyncClient(base_url=server.base_url) as http:
        signed_in = await http.post(
            "/api/organiser/sign-in", json={"email": "fuzz@example.org", "password": PASSWORD}
        )
    assert signed_in.status_code == 200
    credentials = Credentials(
        server.base_url,
        demo.slug,
        series_slug,
        demo.moderator_key,
        signed_in.cookies["townhall_organiser"],
        signed_in.json()["csrf_token"],
    )

    failures, seen = await asyncio.to_thread(_fuzz, credentials)

    assert failures == []
    assert len(seen) == sum(len(path) for path in build_openapi()["paths"].values())
    # Not vacuous: the runs reached the handlers, not only the refusals at the door.
    assert sum(statuses[200] + statuses[201] for statuses in seen.values()) > len(seen)
    print({label: dict(statuses) for label, statuses in seen.items()})
