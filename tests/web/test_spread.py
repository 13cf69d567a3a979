"""GET /api/events/{slug}/spread (regional balance), the privacy threshold, and the country
a participant gives with set_profile."""

from __future__ import annotations

from itertools import count
from typing import Any

import httpx
from conftest import Database, ServerFactory, seed

_ids = count()


async def _act(http: httpx.AsyncClient, slug: str, action: str, **fields: Any) -> httpx.Response:
    return await http.post(
        f"/api/events/{slug}/actions/{action}", json={"client_id": f"c{next(_ids)}", **fields}
    )


async def _ask(base_url: str, slug: str, text: str, country: str | None = None) -> int:
    async with httpx.AsyncClient(base_url=base_url) as http:
        if country:
            assert (await _act(http, slug, "set_profile", country=country)).status_code == 200
        asked = await _act(http, slug, "submit_question", text=text)
        return int(asked.json()["result"]["question_id"])


async def _supporter(
    base_url: str, slug: str, question: int, country: str | None, stakeholder: str | None = None
) -> None:
    """A new participant gives a country (and group), then upvotes `question`."""
    async with httpx.AsyncClient(base_url=base_url) as http:
        profile = await _act(
            http, slug, "set_profile", country=country, stakeholder_group=stakeholder
        )
        voted = await _act(http, slug, "vote", question_id=question)
    assert (profile.status_code, voted.status_code) == (200, 200)


async def test_spread_for_moderators_only_never_shows_a_group_of_four(
    database: Database, start_server: ServerFactory
) -> None:
    demo = await seed(database)
    server = await start_server(database)  # TOWNHALL_PRIVACY_MIN_GROUP: the default, 5
    base, slug = server.base_url, demo.slug
    question = await _ask(base, slug, "How will you keep the selection open to all?", "NG")
    for _ in range(5):
        await _supporter(base, slug, question, "GH", "civil_society")
    for _ in range(4):
        await _supporter(base, slug, question, "FJ")  # Oceania, Asia-Pacific Group
    moderator = {"Authorization": f"Bearer {demo.moderator_key}"}

    async with httpx.AsyncClient(base_url=base) as http:
        anonymous = await http.get(f"/api/events/{slug}/spread")
        wrong_key = await http.get(
            f"/api/events/{slug}/spread", headers={"Authorization": "Bearer x"}
        )
        unknown = await http.get("/api/events/no-such-event/spread", headers=moderator)
        seen = await http.get(f"/api/events/{slug}/spread", headers=moderator)
        public = [
            (await http.get(f"/api/events/{slug}/queue")).text,
            (await http.get(f"/api/events/{slug}")).text,
            (await http.get("/api/events")).text,
            anonymous.text,
        ]

    assert (anonymous.status_code, wrong_key.status_code, unknown.status_code) == (403, 403, 404)
    assert anonymous.json()["error"]["code"] == "forbidden"
    assert seen.status_code == 200 and seen.headers["cache-control"] == "no-store"
    body = seen.json()
    assert body["threshold"] == 5
    assert body["questions"] == [
        {
            "id": question,
            "supporters": 10,
            "regions": 1,
            "by_region": [{"key": "Africa", "supporters": 6}],
            "by_group": [{"key": "African Group", "supporters": 6}],
            "by_stakeholder": [
                {"key": "civil_society", "supporters": 5},
                {"key": "other", "supporters": 5},
            ],
        }
    ]
    assert question in body["order_by_regions"]
    # The four from Oceania are in no cell, for moderators or anyone else.
    assert "Oceania" not in seen.text and "Asia-Pacific" not in seen.text
    for text in public:
        # The country as a JSON string: a random event code may hold the letters FJ.
        assert "Oceania" not in text and "Africa" not in text and '"FJ"' not in text


async def test_spread_orders_the_queue_by_most_regions_then_votes(
    database: Database, start_server: ServerFactory
) -> None:
    demo = await seed(database)
    server = await start_server(database, privacy_min_group=1)
    base, slug = server.base_url, demo.slug
    crowded = await _ask(base, slug, "Will the shortlist be published before the vote?", "FR")
    for _ in range(6):
        await _supporter(base, slug, crowded, "DE")
    wide = await _ask(base, slug, "How will small island states be heard in the process?", "FJ")
    for country in ("BR", "KE", "IN"):
        await _supporter(base, slug, wide, country)
    moderator = {"Authorization": f"Bearer {demo.moderator_key}"}

    async with httpx.AsyncClient(base_url=base) as http:
        body = (await http.get(f"/api/events/{slug}/spread", headers=moderator)).json()
        queue = (await http.get(f"/api/events/{slug}/queue")).json()

    order = [i for i in body["order_by_regions"] if i in (crowded, wide)]
    regions = {q["id"]: q["regions"] for q in body["questions"]}
    assert (regions[crowded], regions[wide], order) == (1, 4, [wide, crowded])
    # The public queue keeps its order: most votes first.
    public_order = [item["id"] for item in queue["open"] if item["id"] in (crowded, wide)]
    assert public_order == [crowded, wide]


async def test_set_profile_refuses_an_unassigned_country_and_keeps_what_it_had(
    database: Database, start_server: ServerFactory
) -> None:
    demo = await seed(database)
    server = await start_server(database)

    async with httpx.AsyncClient(base_url=server.base_url) as http:
        first = await _act(http, demo.slug, "set_profile", country="br", display_name="Ana")
        refused = await _act(http, demo.slug, "set_profile", country="XK")
        group = await _act(http, demo.slug, "set_profile", stakeholder_group="youth")
        cleared = await _act(http, demo.slug, "set_profile", country=None)

    assert first.json()["result"] == {
        "display_name": "Ana",
        "country": "BR",
        "stakeholder_group": None,
    }
    assert (refused.status_code, refused.json()["error"]["code"]) == (400, "unknown_country")
    assert group.json()["result"] == {
        "display_name": "Ana",
        "country": "BR",
        "stakeholder_group": "youth",
    }
    assert cleared.json()["result"]["country"] is None


async def test_spread_counts_a_merged_group_by_its_root_and_a_person_once(
    database: Database, start_server: ServerFactory
) -> None:
    demo = await seed(database)
    server = await start_server(database, privacy_min_group=1)
    base, slug = server.base_url, demo.slug
    kept = await _ask(base, slug, "Will the shortlist of candidates be made public?", "FR")
    merged = await _ask(base, slug, "How will small island states be heard?", "JP")
    async with httpx.AsyncClient(base_url=base) as http:  # one person backs both wordings
        await _act(http, slug, "set_profile", country="KE", stakeholder_group="youth")
        for question in (kept, merged):
            assert (await _act(http, slug, "vote", question_id=question)).status_code == 200
    moderator = {"Authorization": f"Bearer {demo.moderator_key}"}

    async with httpx.AsyncClient(base_url=base, headers=moderator) as http:
        joined = await _act(http, slug, "merge_questions", question_id=merged, into_id=kept)
        body = (await http.get(f"/api/events/{slug}/spread")).json()

    assert joined.status_code == 200
    spread = {q["id"]: q for q in body["questions"]}
    assert merged not in spread
    assert spread[kept] == {
        "id": kept,
        "supporters": 3,
        "regions": 3,
        "by_region": [
            {"key": "Africa", "supporters": 1},
            {"key": "Asia", "supporters": 1},
            {"key": "Europe", "supporters": 1},
        ],
        "by_group": [
            {"key": "African Group", "supporters": 1},
            {"key": "Asia-Pacific Group", "supporters": 1},
            {"key": "Western European and Others Group", "supporters": 1},
        ],
        "by_stakeholder": [
            {"key": "youth", "supporters": 1},
            {"key": "other", "supporters": 2},
        ],
    }
