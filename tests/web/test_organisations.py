"""Organisations over HTTP and WebSocket: profiles per series, invited to an event, their
delegates asking on their behalf and endorsing; endorsements shown apart from votes."""

from __future__ import annotations

import json
from typing import Any

import httpx
import websockets
from conftest import Database, ServerFactory, seed
from organisers import add_organiser, sign_in

SERIES = "/api/organiser/series/sg-dialogues/organisations"


async def _act(http: httpx.AsyncClient, slug: str, name: str, client_id: str, **body: Any) -> Any:
    return await http.post(
        f"/api/events/{slug}/actions/{name}", json={"client_id": client_id, **body}
    )


async def test_organisers_keep_profiles_per_series_and_invite_them(
    database: Database, start_server: ServerFactory
) -> None:
    demo = await seed(database)
    server = await start_server(database)
    await add_organiser(database, "admin@example.org", admin=True)

    async with httpx.AsyncClient(base_url=server.base_url) as http:
        org = await sign_in(http, "admin@example.org")
        made = await org.post(
            SERIES,
            {
                "name": " Oxfam ",
                "country": "ke",
                "stakeholder_group": "civil_society",
                "website": "https://oxfam.org",
            },
        )
        twin = await org.post(SERIES, {"name": "OXFAM"})
        bad_site = await org.post(SERIES, {"name": "X", "website": "javascript:alert(1)"})
        bad_country = await org.post(SERIES, {"name": "X", "country": "QQ"})
        oxfam = made.json()["id"]
        renamed = await org.patch(
            f"{SERIES}/{oxfam}",
            {"name": "Oxfam International", "country": "KE", "website": "http://oxfam.org"},
        )
        invited = await org.post(
            f"/api/organiser/events/{demo.slug}/invited-organisations",
            {"organisation_ids": [oxfam]},
        )
        imported = await org.post(
            f"/api/organiser/events/{demo.slug}/invitations",
            {"text": "name,country,website\nActionAid,NG,https://actionaid.org\n"},
        )
        unknown = await org.post(
            f"/api/organiser/events/{demo.slug}/invited-organisations",
            {"organisation_ids": [999]},
        )
        listed = (await org.get(SERIES)).json()["organisations"]
        without_csrf = await http.post(SERIES, json={"name": "Sneaky"})

    assert made.status_code == 201
    assert made.json() == {
        "id": oxfam,
        "name": "Oxfam",
        "country": "KE",
        "stakeholder_group": "civil_society",
        "website": "https://oxfam.org",
    }
    assert (twin.status_code, twin.json()["error"]["code"]) == (409, "organisation_exists")
    assert bad_site.json()["error"]["field"] == "website"
    assert bad_country.json()["error"]["field"] == "country"
    assert renamed.json()["stakeholder_group"] is None  # an edit replaces the profile
    assert invited.status_code == 201
    (link,) = invited.json()["invitations"]
    assert (link["name"], link["organisation_id"], link["country"]) == (
        "Oxfam International",
        oxfam,
        "KE",
    )
    assert "#invite=" in link["link"]
    assert imported.json()["invitations"][0]["website"] == "https://actionaid.org"
    assert unknown.status_code == 404
    assert [(o["name"], o["country"]) for o in listed] == [
        ("ActionAid", "NG"),
        ("Oxfam International", "KE"),
    ]
    assert (without_csrf.status_code, without_csrf.json()["error"]["code"]) == (403, "csrf")


async def test_delegate_of_an_open_event_asks_on_behalf_and_endorses(
    database: Database, start_server: ServerFactory
) -> None:
    demo = await seed(database)  # open: anyone asks and votes; the link adds the organisation
    server = await start_server(database)
    await add_organiser(database, "admin@example.org", admin=True)
    slug = demo.slug

    async with (
        httpx.AsyncClient(base_url=server.base_url) as organiser_http,
        httpx.AsyncClient(base_url=server.base_url) as delegate,
        httpx.AsyncClient(base_url=server.base_url) as person,
    ):
        org = await sign_in(organiser_http, "admin@example.org")
        made = await org.post(
            f"/api/organiser/events/{slug}/invitations",
            {"organisations": [{"name": "Oxfam", "country": "KE"}]},
        )
        token = made.json()["invitations"][0]["link"].split("#invite=")[1]
        claimed = await delegate.post(
            f"/api/events/{slug}/access/invitation", json={"token": token}
        )
        asked = await _act(
            delegate,
            slug,
            "submit_question",
            "q1",
            text="How will you fund adaptation?",
            as_organisation=True,
        )
        question = asked.json()["result"]["question_id"]
        not_delegate = await _act(person, slug, "endorse", "e1", question_id=question)
        await _act(person, slug, "vote", "v1", question_id=question)
        endorsed = await _act(delegate, slug, "endorse", "e1", question_id=question)
        status = (await delegate.get(f"/api/events/{slug}/access")).json()
        public = (await person.get(f"/api/events/{slug}/queue")).json()
        moderator = (
            await person.get(
                f"/api/events/{slug}/queue",
                headers={"Authorization": f"Bearer {demo.moderator_key}"},
            )
        ).json()

    assert claimed.json()["organisation"] == "Oxfam"
    assert asked.json()["result"]["organisation_id"] >= 1
    assert not_delegate.status_code == 403
    assert not_delegate.json()["error"]["code"] == "not_a_delegate"
    assert endorsed.json()["result"]["organisations"] == 1
    assert (status["organisation"], status["endorsed"]) == ("Oxfam", [question])
    (item,) = public["open"]
    assert (item["votes"], item["organisation"], item["organisations"]) == (2, "Oxfam", ["Oxfam"])
    assert item["endorsements"] == {"organisations": 1, "regions": 1}
    assert public["totals"]["votes"] == 2  # endorsements are not votes
    assert moderator["open"][0]["endorsements"] == {
        "organisations": 1,
        "regions": 1,
        "names": ["Oxfam"],
        "region_names": ["Africa"],
    }


async def test_endorse_over_websocket_is_acknowledged_like_a_vote(
    database: Database, start_server: ServerFactory
) -> None:
    demo = await seed(database)
    server = await start_server(database)
    await add_organiser(database, "admin@example.org", admin=True)
    slug = demo.slug

    async with httpx.AsyncClient(base_url=server.base_url) as http:
        org = await sign_in(http, "admin@example.org")
        made = await org.post(
            f"/api/organiser/events/{slug}/invitations", {"organisations": [{"name": "Oxfam"}]}
        )
        token = made.json()["invitations"][0]["link"].split("#invite=")[1]
        await http.post(f"/api/events/{slug}/access/invitation", json={"token": token})
        asked = await _act(http, slug, "submit_question", "q1", text="How will you fund it?")
        question = asked.json()["result"]["question_id"]
        cookie = "; ".join(f"{name}={value}" for name, value in http.cookies.items())

    ws_url = f"{server.ws_url}/ws/events/{slug}"
    async with websockets.connect(ws_url, additional_headers={"Cookie": cookie}) as socket:
        await socket.send(json.dumps({"type": "hello"}))
        await socket.send(
            json.dumps({"type": "endorse", "client_id": "e1", "question_id": question})
        )
        reply: dict[str, Any] = {}
        shown: list[Any] = []
        while not reply or not shown:  # the ack, and the screens' update that shows it
            message = json.loads(await socket.recv())
            if message["type"] in ("ack", "refused"):
                reply = message
            items = message.get("items", []) + message.get("open", [])
            shown += [item["endorsements"] for item in items if "endorsements" in item]

    assert (reply["type"], reply["action"], reply["result"]["endorsed"]) == ("ack", "endorse", True)
    assert reply["result"]["organisations"] == 1
    assert shown[-1] == {"organisations": 1, "regions": 0}  # Oxfam has no country here
