"""Verified-e-mail events end to end: a real SMTP server in process (aiosmtpd) receives the
sign-in link, and the test follows the link taken from the message it received."""

from __future__ import annotations

from collections.abc import Iterator
from email.header import decode_header, make_header

import httpx
import pytest
from conftest import Database, ServerFactory, seed
from smtp_inbox import Inbox, running_inbox, sign_in_link
from sqlalchemy import update

from townhall.store.db import create_engine, session_factory
from townhall.store.tables import EmailToken


@pytest.fixture
def inbox() -> Iterator[Inbox]:
    with running_inbox() as running:
        yield running


async def _verify_with(http: httpx.AsyncClient, link: str) -> httpx.Response:
    """What the participant page does with `#verify=…` when the link is opened."""
    path, _, fragment = link.partition("#")
    slug = path.rsplit("/e/", 1)[1]
    page = await http.get(path)
    assert page.status_code == 200
    return await http.post(
        f"/api/events/{slug}/access/verify", json={"token": fragment.removeprefix("verify=")}
    )


async def test_email_link_received_over_smtp_verifies_the_participant_once(
    database: Database, start_server: ServerFactory, inbox: Inbox
) -> None:
    demo = await seed(database, access_mode="email")
    server = await start_server(
        database, smtp_url=inbox.smtp_url, mail_from="Town hall <th@example.org>"
    )
    slug = demo.slug
    async with (
        httpx.AsyncClient(base_url=server.base_url) as moderator,
        httpx.AsyncClient(base_url=server.base_url) as person,
        httpx.AsyncClient(base_url=server.base_url) as other,
    ):
        await moderator.post(
            f"/api/events/{slug}/actions/submit_question",
            json={"client_id": "m1", "text": "How will you fund the peacekeeping budget?"},
            headers={"Authorization": f"Bearer {demo.moderator_key}"},
        )
        refused = await person.post(
            f"/api/events/{slug}/actions/vote", json={"client_id": "v1", "question_id": 1}
        )
        bad = await person.post(f"/api/events/{slug}/access/email", json={"email": "nobody"})
        sent = await person.post(
            f"/api/events/{slug}/access/email", json={"email": " Ada@Example.ORG "}
        )
        message = (await inbox.wait_for(1))[0]
        verified = await _verify_with(person, sign_in_link(message))
        voted = await person.post(
            f"/api/events/{slug}/actions/vote", json={"client_id": "v2", "question_id": 1}
        )
        replayed = await _verify_with(other, sign_in_link(message))
        other_vote = await other.post(
            f"/api/events/{slug}/actions/vote", json={"client_id": "v3", "question_id": 1}
        )

    assert (refused.status_code, refused.json()["error"]["mode"]) == (403, "email")
    assert bad.json()["error"]["code"] == "bad_email"
    assert sent.json() == {"sent": True, "expires_in_minutes": 15}
    assert (message["To"], message["From"]) == ("ada@example.org", "Town hall <th@example.org>")
    assert sign_in_link(message).startswith(f"{server.base_url}/e/{slug}#verify=")
    assert verified.json() == {
        "mode": "email",
        "allowed": True,
        "granted": "email",
        "organisation": None,
        "endorsed": [],
    }
    assert voted.json()["result"] == {"question_id": 1, "voted": True, "votes": 2}
    assert replayed.json()["error"]["code"] == "link_used"
    assert other_vote.json()["error"]["code"] == "verification_required"


async def test_email_link_expires_and_sending_is_throttled(
    database: Database, start_server: ServerFactory, inbox: Inbox
) -> None:
    demo = await seed(database, access_mode="email")
    server = await start_server(database, smtp_url=inbox.smtp_url, mail_from="th@example.org")
    slug = demo.slug
    async with httpx.AsyncClient(base_url=server.base_url) as person:
        sends = [
            await person.post(f"/api/events/{slug}/access/email", json={"email": "b@example.org"})
            for _ in range(4)
        ]
        messages = await inbox.wait_for(3)
        engine = create_engine(database.url, schema=database.schema)
        async with session_factory(engine, write=True)() as session, session.begin():
            await session.execute(update(EmailToken).values(expires_at=EmailToken.created_at))
        await engine.dispose()
        expired = await _verify_with(person, sign_in_link(messages[0]))

    assert [s.status_code for s in sends] == [200, 200, 200, 429]
    assert sends[3].json()["error"]["code"] == "mail_throttled"
    assert sends[3].headers["retry-after"] == "3600"
    assert len(messages) == 3
    assert expired.json()["error"]["code"] == "link_expired"


async def test_email_without_mail_server_says_so(
    database: Database, start_server: ServerFactory
) -> None:
    demo = await seed(database, access_mode="email")
    server = await start_server(database)
    async with httpx.AsyncClient(base_url=server.base_url) as person:
        sent = await person.post(
            f"/api/events/{demo.slug}/access/email", json={"email": "c@example.org"}
        )

    assert (sent.status_code, sent.json()["error"]["code"]) == (503, "mail_not_configured")


async def test_email_links_from_fresh_cookies_count_as_new_identities_of_the_network(
    database: Database, start_server: ServerFactory, inbox: Inbox
) -> None:
    # Per address and per identity a sender is throttled; a fresh cookie per request made a
    # network an unlimited mail relay, to as many addresses as it liked.
    demo = await seed(database, access_mode="email")
    server = await start_server(
        database,
        smtp_url=inbox.smtp_url,
        mail_from="Town hall <th@example.org>",
        rate_new_identities="3/minute",
    )
    answers = []
    for n in range(5):
        async with httpx.AsyncClient(base_url=server.base_url) as http:  # a fresh cookie
            reply = await http.post(
                f"/api/events/{demo.slug}/access/email", json={"email": f"p{n}@example.org"}
            )
            answers.append((reply.status_code, reply.json().get("error", {}).get("code")))
    received = await inbox.wait_for(3)

    assert answers == [(200, None)] * 3 + [(429, "new_identity_limit")] * 2
    assert sorted(m["To"] for m in received) == [f"p{n}@example.org" for n in range(3)]


@pytest.mark.parametrize(
    ("language", "subject_start", "body_has"),
    [
        ("fr", "Votre lien de connexion : ", "Ouvrez ce lien dans les 15 minutes"),
        ("ar", "رابط تسجيل الدخول الخاص بك: ", "افتح هذا الرابط خلال 15 دقيقة"),
        ("xx", "Your sign-in link: ", "Open this link within 15 minutes"),  # unknown: falls back
    ],
)
async def test_email_link_written_in_the_language_of_the_request(
    sqlite_database: Database,
    start_server: ServerFactory,
    inbox: Inbox,
    language: str,
    subject_start: str,
    body_has: str,
) -> None:
    demo = await seed(sqlite_database, access_mode="email", languages=["en", "fr"])
    server = await start_server(
        sqlite_database, smtp_url=inbox.smtp_url, mail_from="th@example.org"
    )
    async with httpx.AsyncClient(base_url=server.base_url) as person:
        sent = await person.post(
            f"/api/events/{demo.slug}/access/email",
            json={"email": "reader@example.org", "language": language},
            headers={"Accept-Language": "de-DE, de;q=0.9"},
        )
        message = (await inbox.wait_for(1))[0]

    body = message.get_payload(decode=True)
    assert sent.status_code == 200, sent.text
    assert isinstance(body, bytes)
    assert str(make_header(decode_header(message["Subject"]))).startswith(subject_start)
    assert body_has in body.decode("utf-8")
    assert message["Content-Language"] == ("en" if language == "xx" else language)
    assert sign_in_link(message).startswith(f"{server.base_url}/e/{demo.slug}#verify=")


async def test_email_link_without_language_follows_accept_language(
    sqlite_database: Database, start_server: ServerFactory, inbox: Inbox
) -> None:
    demo = await seed(sqlite_database, access_mode="email")
    server = await start_server(
        sqlite_database, smtp_url=inbox.smtp_url, mail_from="th@example.org"
    )
    async with httpx.AsyncClient(base_url=server.base_url) as person:
        await person.post(
            f"/api/events/{demo.slug}/access/email",
            json={"email": "reader@example.org"},
            headers={"Accept-Language": "es-MX,es;q=0.9,en;q=0.5"},
        )
        message = (await inbox.wait_for(1))[0]

    assert message["Content-Language"] == "es"
