"""Participation modes over HTTP and WebSocket: refused without a grant, allowed with it,
moderators unaffected (on SQLite and PostgreSQL)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import httpx
import websockets
from conftest import Database, ServerFactory, seed

from townhall.domain.passwords import hash_password
from townhall.store.db import create_engine, session_factory
from townhall.store.tables import Organiser

PASSWORD = "correct horse battery staple"


def _refusal(response: httpx.Response) -> tuple[int, str, str | None]:
    error = response.json()["error"]
    return response.status_code, error["code"], error.get("mode")


async def _ask_as_moderator(http: httpx.AsyncClient, slug: str, key: str) -> httpx.Response:
    return await http.post(
        f"/api/events/{slug}/actions/submit_question",
        json={"client_id": "m1", "text": "How will you fund the peacekeeping budget?"},
        headers={"Authorization": f"Bearer {key}"},
    )


async def _vote(http: httpx.AsyncClient, slug: str, client_id: str, question_id: int) -> Any:
    return await http.post(
        f"/api/events/{slug}/actions/vote",
        json={"client_id": client_id, "question_id": question_id},
    )


async def test_code_event_refuses_until_the_code_is_entered(
    database: Database, start_server: ServerFactory
) -> None:
    demo = await seed(database, access_mode="code")
    server = await start_server(database)
    slug = demo.slug

    async with httpx.AsyncClient(base_url=server.base_url) as moderator:
        asked = await _ask_as_moderator(moderator, slug, demo.moderator_key)
    async with httpx.AsyncClient(base_url=server.base_url) as http:
        before = (await http.get(f"/api/events/{slug}/access")).json()
        vote_refused = await _vote(http, slug, "v1", 1)
        ask_refused = await http.post(
            f"/api/events/{slug}/actions/submit_question",
            json={"client_id": "q1", "text": "Will you publish your financial disclosures?"},
        )
        wrong = await http.post(f"/api/events/{slug}/access/code", json={"code": "ZZZZZZ"})
        right = await http.post(
            f"/api/events/{slug}/access/code", json={"code": f" {demo.code.lower()} "}
        )
        voted = await _vote(http, slug, "v2", 1)
        queue = (await http.get(f"/api/events/{slug}/queue")).json()

    assert asked.status_code == 200
    assert before == {
        "mode": "code",
        "allowed": False,
        "granted": None,
        "organisation": None,
        "endorsed": [],
    }
    assert _refusal(vote_refused) == (403, "verification_required", "code")
    assert _refusal(ask_refused) == (403, "verification_required", "code")
    assert _refusal(wrong) == (400, "bad_code", None)
    assert right.json() == {
        "mode": "code",
        "allowed": True,
        "granted": "code",
        "organisation": None,
        "endorsed": [],
    }
    assert voted.json()["result"] == {"question_id": 1, "voted": True, "votes": 2}
    assert [q["votes"] for q in queue["open"]] == [2]
    assert queue["event"]["access_mode"] == "code"


async def test_code_event_refuses_over_the_socket_too(
    database: Database, start_server: ServerFactory
) -> None:
    demo = await seed(database, access_mode="code")
    server = await start_server(database)
    async with httpx.AsyncClient(base_url=server.base_url) as http:
        await _ask_as_moderator(http, demo.slug, demo.moderator_key)

    async with websockets.connect(f"{server.ws_url}/ws/events/{demo.slug}") as socket:
        await socket.send(json.dumps({"type": "hello"}))
        await socket.send(json.dumps({"type": "vote", "client_id": "w1", "question_id": 1}))
        reply = None
        while reply is None:
            message = json.loads(await socket.recv())
            if message["type"] in ("ack", "refused"):
                reply = message

    assert (reply["type"], reply["code"]) == ("refused", "verification_required")


async def test_moderators_ask_and_vote_in_every_gated_mode(
    database: Database, start_server: ServerFactory
) -> None:
    demo = await seed(database, access_mode="invited")
    server = await start_server(database)
    bearer = {"Authorization": f"Bearer {demo.moderator_key}"}

    async with httpx.AsyncClient(base_url=server.base_url) as http:
        asked = await _ask_as_moderator(http, demo.slug, demo.moderator_key)
        voted = await http.post(
            f"/api/events/{demo.slug}/actions/unvote",
            json={"client_id": "m2", "question_id": 1},
            headers=bearer,
        )

    assert asked.json()["result"]["question_id"] == 1
    assert voted.json()["result"] == {"question_id": 1, "voted": False, "votes": 0}


async def _organiser(database: Database, http: httpx.AsyncClient) -> dict[str, str]:
    """Signs in an admin: the demo series has no owner, and these tests are not about roles
    (tests/web/test_series_roles.py is)."""
    engine = create_engine(database.url, schema=database.schema)
    async with session_factory(engine, write=True)() as session, session.begin():
        session.add(
            Organiser(
                email="org@example.org",
                name="Org",
                password_hash=hash_password(PASSWORD),
                created_at=datetime.now(UTC),
                is_admin=True,  # the demo series has its own owner
            )
        )
    await engine.dispose()
    signed_in = await http.post(
        "/api/organiser/sign-in", json={"email": "org@example.org", "password": PASSWORD}
    )
    return {"X-CSRF-Token": signed_in.json()["csrf_token"]}


async def test_invitation_list_gives_delegate_links_that_can_be_revoked(
    database: Database, start_server: ServerFactory
) -> None:
    demo = await seed(database)
    server = await start_server(database)
    slug = demo.slug
    organisations = "name,email\n" + "\n".join(
        f"NGO number {n},contact{n}@ngo{n}.example.org" for n in range(1, 751)
    )

    async with (
        httpx.AsyncClient(base_url=server.base_url) as org,
        httpx.AsyncClient(base_url=server.base_url) as delegate,
        httpx.AsyncClient(base_url=server.base_url) as stranger,
    ):
        csrf = await _organiser(database, org)
        base = f"/api/organiser/events/{slug}"
        mode = await org.post(f"{base}/access-mode", json={"mode": "invited"}, headers=csrf)
        bad_mode = await org.post(f"{base}/access-mode", json={"mode": "closed"}, headers=csrf)
        imported = await org.post(f"{base}/invitations", json={"text": organisations}, headers=csrf)
        again = await org.post(
            f"{base}/invitations",
            json={"organisations": [{"name": "ngo NUMBER 7"}]},
            headers=csrf,
        )
        links = {i["name"]: i["link"] for i in imported.json()["invitations"]}
        token = links["NGO number 7"].split("#invite=")[1]
        await _ask_as_moderator(org, slug, demo.moderator_key)
        refused = await _vote(delegate, slug, "d1", 1)
        claimed = await delegate.post(
            f"/api/events/{slug}/access/invitation", json={"token": token}
        )
        voted = await _vote(delegate, slug, "d2", 1)
        forged = await stranger.post(
            f"/api/events/{slug}/access/invitation", json={"token": token[:-2] + "xx"}
        )
        listed = (await org.get(f"{base}/invitations", headers=csrf)).json()
        seven = next(i for i in listed["invitations"] if i["name"] == "NGO number 7")
        seen_by_moderators = await delegate.get(
            f"/api/events/{slug}/delegates",
            headers={"Authorization": f"Bearer {demo.moderator_key}"},
        )
        revoked = await org.post(f"{base}/invitations/{seven['id']}/revoke", json={}, headers=csrf)
        after_revoke = await _vote(delegate, slug, "d3", 1)
        reuse = await stranger.post(f"/api/events/{slug}/access/invitation", json={"token": token})
        fresh = await org.post(f"{base}/invitations/{seven['id']}/link", json={}, headers=csrf)
        assert fresh.status_code == 200, fresh.text
        new_token = fresh.json()["link"].split("#invite=")[1]
        reclaimed = await delegate.post(
            f"/api/events/{slug}/access/invitation", json={"token": new_token}
        )

    assert mode.json() == {"slug": slug, "access_mode": "invited"}
    assert _refusal(bad_mode)[:2] == (400, "invalid")
    assert imported.status_code == 201 and len(links) == 750
    assert (again.status_code, again.json()["error"]["names"]) == (400, ["NGO number 7"])
    assert _refusal(refused) == (403, "verification_required", "invited")
    assert claimed.json() == {
        "mode": "invited",
        "allowed": True,
        "granted": "invited",
        "organisation": "NGO number 7",
        "endorsed": [],
    }
    assert voted.json()["result"]["votes"] == 2
    assert _refusal(forged) == (400, "bad_link", None)
    assert len(listed["invitations"]) == 750 and "link" not in seven
    assert (seven["email"], seven["delegates"], seven["revoked"]) == (
        "contact7@ngo7.example.org",
        1,
        False,
    )
    delegates = seen_by_moderators.json()["delegates"]
    assert [(d["organisation"], d["questions"]) for d in delegates] == [("NGO number 7", [])]
    assert revoked.json()["revoked"] is True
    assert _refusal(after_revoke) == (403, "verification_required", "invited")
    assert _refusal(reuse) == (400, "link_revoked", None)
    assert reclaimed.json()["organisation"] == "NGO number 7"


async def test_invitation_import_refuses_a_bad_line_and_stores_nothing(
    database: Database, start_server: ServerFactory
) -> None:
    demo = await seed(database)
    server = await start_server(database)
    async with httpx.AsyncClient(base_url=server.base_url) as org:
        csrf = await _organiser(database, org)
        base = f"/api/organiser/events/{demo.slug}"
        bad = await org.post(
            f"{base}/invitations",
            json={"text": "Oxfam,info@oxfam.example\nCARE,not-an-address\n"},
            headers=csrf,
        )
        listed = (await org.get(f"{base}/invitations", headers=csrf)).json()
        anonymous = await org.post(
            f"{base}/invitations", json={"text": "Oxfam"}, headers={"X-CSRF-Token": "wrong"}
        )

    assert bad.json()["error"] == {
        "code": "invalid",
        "message": "Line 2: 'not-an-address' is not an e-mail address.",
    }
    assert listed == {"access_mode": "open", "invitations": []}
    assert _refusal(anonymous)[:2] == (403, "csrf")


async def test_code_event_hides_its_code_and_join_link_grants(
    database: Database, start_server: ServerFactory
) -> None:
    demo = await seed(database, access_mode="code")
    server = await start_server(database)
    slug = demo.slug

    async with (
        httpx.AsyncClient(base_url=server.base_url) as public,
        httpx.AsyncClient(base_url=server.base_url) as room,
    ):
        listed = (await public.get(f"/api/events/{slug}")).json()
        as_moderator = await public.get(
            f"/api/events/{slug}/queue", headers={"Authorization": f"Bearer {demo.moderator_key}"}
        )
        joined = await room.get(f"/join?code={demo.code}")
        allowed = (await room.get(f"/api/events/{slug}/access")).json()["allowed"]
        wrong = [
            (await public.post(f"/api/events/{slug}/access/code", json={"code": "ZZZZZZ"})).json()[
                "error"
            ]["code"]
            for _ in range(22)
        ]
        blocked_right = await public.post(
            f"/api/events/{slug}/access/code", json={"code": demo.code}
        )

    assert listed["code"] is None
    assert as_moderator.json()["event"]["code"] == demo.code
    assert (joined.status_code, allowed) == (303, True)
    assert wrong == ["bad_code"] * 21 + ["slow_down"]
    assert (blocked_right.status_code, blocked_right.headers["retry-after"]) == (429, "60")


async def test_invitation_id_outside_the_id_column_is_unknown(
    database: Database, start_server: ServerFactory
) -> None:
    """Found by schemathesis: a non-ASCII digit ("²" passes str.isdigit, not int) or an id
    beyond PostgreSQL INTEGER was a 500; and a body other than `{}` was ignored."""
    demo = await seed(database)
    server = await start_server(database)
    base = f"/api/organiser/events/{demo.slug}/invitations"

    async with httpx.AsyncClient(base_url=server.base_url) as org:
        csrf = await _organiser(database, org)
        made = await org.post(base, json={"organisations": [{"name": "Union"}]}, headers=csrf)
        assert made.status_code == 201, made.text
        real = made.json()["invitations"][0]["id"]
        answers = [
            _refusal(await org.post(f"{base}/{invitation}/{what}", json={}, headers=csrf))[:2]
            for invitation in ("%C2%B2", "4294967296", "2147483648", "0")
            for what in ("revoke", "link")
        ]
        not_json = await org.post(
            f"{base}/{real}/revoke",
            content=b"revoke",
            headers={**csrf, "Content-Type": "application/json"},
        )
        extra = await org.post(f"{base}/{real}/link", json={"why": "lost"}, headers=csrf)
        listed = (await org.get(base)).json()["invitations"]

    assert answers == [(404, "unknown_invitation")] * 8
    assert (_refusal(not_json)[:2], _refusal(extra)[:2]) == (
        (400, "bad_json"),
        (400, "bad_payload"),
    )
    assert [i["revoked"] for i in listed] == [False]


async def test_code_entry_counts_as_a_new_identity_for_the_network_limit(
    database: Database, start_server: ServerFactory
) -> None:
    # The grant stores the participant; stored participants count as admitted, so without the
    # check at the door a script could mint a cookie, enter the projected code and vote, forever.
    demo = await seed(database, access_mode="code")
    server = await start_server(database, rate_new_identities="5/minute")
    slug = demo.slug
    async with httpx.AsyncClient(base_url=server.base_url) as moderator:
        asked = await _ask_as_moderator(moderator, slug, demo.moderator_key)
    entries, votes = [], []
    for n in range(8):
        async with httpx.AsyncClient(base_url=server.base_url) as http:  # a fresh cookie
            entered = await http.post(f"/api/events/{slug}/access/code", json={"code": demo.code})
            entries.append((entered.status_code, entered.json().get("error", {}).get("code")))
            votes.append((await _vote(http, slug, f"v{n}", 1)).status_code)
    async with httpx.AsyncClient(base_url=server.base_url) as http:
        queue = (await http.get(f"/api/events/{slug}/queue")).json()

    assert asked.status_code == 200
    assert entries == [(200, None)] * 5 + [(429, "new_identity_limit")] * 3
    assert votes == [200] * 5 + [429] * 3
    assert [q["votes"] for q in queue["open"]] == [6]


async def test_join_link_counts_as_a_new_identity_for_the_network_limit(
    database: Database, start_server: ServerFactory
) -> None:
    demo = await seed(database, access_mode="code")
    server = await start_server(database, rate_new_identities="3/minute")
    slug = demo.slug
    async with httpx.AsyncClient(base_url=server.base_url) as moderator:
        asked = await _ask_as_moderator(moderator, slug, demo.moderator_key)
    joined, votes = [], []
    for n in range(5):
        async with httpx.AsyncClient(base_url=server.base_url) as http:  # a fresh cookie
            reply = await http.get(f"/join?code={demo.code}")
            allowed = (await http.get(f"/api/events/{slug}/access")).json()["allowed"]
            joined.append((reply.status_code, reply.headers["location"], allowed))
            votes.append((await _vote(http, slug, f"v{n}", 1)).status_code)
    async with httpx.AsyncClient(base_url=server.base_url) as http:
        queue = (await http.get(f"/api/events/{slug}/queue")).json()

    assert asked.status_code == 200
    assert joined == [(303, f"/e/{slug}", True)] * 3 + [(303, f"/e/{slug}", False)] * 2
    assert votes == [200] * 3 + [429] * 2
    assert [q["votes"] for q in queue["open"]] == [4]
