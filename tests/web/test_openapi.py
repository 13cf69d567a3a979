"""schemathesis runs every operation of /openapi.json against a real server (signed in as an
organiser, and with the moderator key half of the time): no answer contradicts the document.
And every route the app serves under /api/ is in the document."""

from __future__ import annotations

import asyncio
import re
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
from schemathesis.checks import (
    content_type_conformance,
    negative_data_rejection,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)
from sqlalchemy import select
from starlette.routing import Route

from townhall.actions.base import ACTIONS
from townhall.app import create_app
from townhall.domain.passwords import hash_password
from townhall.settings import Settings
from townhall.store.db import create_engine, session_factory
from townhall.store.tables import Event, Invitation, Organisation, Organiser, Series
from townhall.web.openapi import build_openapi

UNLIMITED = {"rate_questions": "100000/minute", "rate_actions": "100000/10seconds"}
# Sign-in links go to the log, so /access/email runs to the end (no mail server here).
SERVER = {**UNLIMITED, "mail_log_links": True}
EXAMPLES = 20  # per operation (56 operations): about 15-30 s per database here
PASSWORD = "correct horse battery staple"
# A 5xx, a status or content type the document does not list, a body that does not match its
# schema, or invalid input that is accepted: each is a contradiction of the document.
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    negative_data_rejection,
]


@dataclass(frozen=True)
class Credentials:
    base_url: str
    event_slug: str
    series_slug: str
    invitation_id: int
    organisation_id: int
    moderator_key: str
    organiser_cookie: str
    csrf_token: str


async def _add_organiser(database: Database, event_slug: str) -> tuple[str, int, int]:
    """Adds an admin organiser (so the handlers run past the role check) and an invitation to
    the demo event; returns the demo series' slug and the invitation's and its organisation's
    ids."""
    engine = create_engine(database.url, schema=database.schema)
    async with session_factory(engine, write=True)() as session, session.begin():
        now = datetime.now(UTC)
        session.add(
            Organiser(
                email="fuzz@example.org",
                name="Fuzz",
                password_hash=hash_password(PASSWORD),
                created_at=now,
                is_admin=True,
            )
        )
        series = await session.scalar(select(Series.slug).order_by(Series.id).limit(1))
        event = await session.scalar(select(Event).where(Event.slug == event_slug))
        assert event is not None
        organisation = Organisation(
            series_id=event.series_id, name="Fuzz union", created_at=now, updated_at=now
        )
        session.add(organisation)
        await session.flush()
        invitation = Invitation(
            event_id=event.id,
            organisation_id=organisation.id,
            name="Fuzz union",
            token_hash="0" * 64,
            created_at=now,
        )
        session.add(invitation)
        await session.flush()
        invitation_id = invitation.id
        organisation_id = organisation.id
    await engine.dispose()
    return str(series), invitation_id, organisation_id


def _operations(schema: Any) -> list[Any]:
    operations = [result.ok() for result in schema.get_all_operations()]
    # Cancelling or rotating the key of the demo event last keeps it open for the rest.
    return sorted(operations, key=lambda op: ("/cancel" in op.path, "moderator-key" in op.path))


def _known(operation: Any, credentials: Credentials) -> dict[str, Any]:
    """Path parameters that name the demo rows, so the cases reach the handlers."""
    series = operation.path.startswith(("/api/organiser/series/", "/api/series/"))
    known: dict[str, Any] = {"slug": credentials.series_slug if series else credentials.event_slug}
    if "{invitation_id}" in operation.path:
        known["invitation_id"] = credentials.invitation_id
    if "{organisation_id}" in operation.path:
        known["organisation_id"] = credentials.organisation_id
    return known


def _run(operation: Any, credentials: Credentials, http: requests.Session) -> Counter[int]:
    """Runs the operation's cases (valid and not, on the demo rows and on any); raises at the
    first answer that contradicts the document. Returns how often each status came back."""
    takes_slug = "{slug}" in operation.path
    strategies = [
        operation.as_strategy(
            generation_mode=mode,
            **({"path_parameters": _known(operation, credentials)} if known else {}),
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
        try:
            case.validate_response(response, checks=CHECKS)
        except (Exception, BaseExceptionGroup) as error:
            errors.append(
                f"{case.as_curl_command()} -> {response.status_code} {response.text[:500]}\n{error}"
            )
            raise

    try:
        run()
    except (Exception, BaseExceptionGroup) as error:  # schemathesis' FailureGroup is the latter
        raise AssertionError("\n".join(errors) or str(error)) from error
    return statuses


def _fuzz(credentials: Credentials) -> tuple[list[str], dict[str, Counter[int]]]:
    """Runs every operation in this thread; returns the failures and the statuses seen."""
    schema = schemathesis.openapi.from_url(f"{credentials.base_url}/openapi.json")
    # Unknown query parameters are ignored, as on the web at large (cache busters and so on):
    # not a contradiction of the document.
    # The test signs each request in itself (below); schemathesis leaving out the cookie or the
    # CSRF header would not reach the request.
    schema.config.generation.update(allow_extra_parameters=False, with_security_parameters=False)
    # A body over the size cap is refused before it is read: 413 is a refusal too.
    rejection = schema.config.checks.negative_data_rejection
    rejection.expected_statuses = [*rejection.expected_statuses, "413"]
    http = requests.Session()
    failures: list[str] = []
    seen: dict[str, Counter[int]] = {}
    for operation in _operations(schema):
        try:
            seen[operation.label] = _run(operation, credentials, http)
        except AssertionError as error:  # every operation runs; all failures are reported at once
            failures.append(f"{operation.label}: {error}")
    return failures, seen


async def test_openapi_every_operation_answers_as_documented(
    database: Database, start_server: ServerFactory
) -> None:
    demo = await seed(database)
    series_slug, invitation_id, organisation_id = await _add_organiser(database, demo.slug)
    server = await start_server(database, **SERVER)
    async with httpx.AsyncClient(base_url=server.base_url) as http:
        signed_in = await http.post(
            "/api/organiser/sign-in", json={"email": "fuzz@example.org", "password": PASSWORD}
        )
    assert signed_in.status_code == 200
    credentials = Credentials(
        server.base_url,
        demo.slug,
        series_slug,
        invitation_id,
        organisation_id,
        demo.moderator_key,
        signed_in.cookies["townhall_organiser"],
        signed_in.json()["csrf_token"],
    )

    failures, seen = await asyncio.to_thread(_fuzz, credentials)

    assert failures == [], "\n\n".join(failures)
    assert len(seen) == sum(len(path) for path in build_openapi()["paths"].values())
    # Not vacuous: the runs reached the handlers, not only the refusals at the door.
    assert sum(statuses[200] + statuses[201] for statuses in seen.values()) > len(seen)
    print({label: dict(statuses) for label, statuses in seen.items()})


def _served(settings: Settings) -> set[tuple[str, str]]:
    """(path, method) of every route the app serves under /api/, the action route once per
    named action, path parameters without their converters."""
    served: set[tuple[str, str]] = set()
    for route in create_app(settings).routes:
        if not isinstance(route, Route) or not route.path.startswith("/api/"):
            continue
        path = re.sub(r"\{(\w+):\w+\}", r"{\1}", route.path)
        paths = (
            [path.replace("{action}", name) for name in ACTIONS] if "{action}" in path else [path]
        )
        served |= {(p, m.lower()) for p in paths for m in route.methods or () if m != "HEAD"}
    return served


def test_openapi_describes_every_api_route(settings: Settings) -> None:
    document = build_openapi()["paths"]
    described = {(path, method) for path, item in document.items() for method in item}

    assert described == _served(settings)
