"""Organisers own their series: owners, editors, admins, and a 403 for everyone else."""

from __future__ import annotations

import itertools
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from conftest import Database, ServerFactory, seed
from organisers import OrganiserClient, add_organiser, sign_in

_days = itertools.count(40)


def _event(title: str) -> dict[str, Any]:
    day = (datetime.now(UTC) + timedelta(days=next(_days))).date()
    return {
        "title": title,
        "kind": "town_hall",
        "candidates": ["Amina Diallo"],
        "moderators": ["Lena Okafor"],
        "start": f"{day.isoformat()}T10:00",
        "duration_minutes": 60,
        "timezone": "Europe/Paris",
    }


@dataclass
class Team:
    owner: OrganiserClient
    editor: OrganiserClient
    stranger: OrganiserClient
    admin: OrganiserClient
    series: str


@pytest.fixture
async def team(database: Database, start_server: ServerFactory) -> AsyncIterator[Team]:
    await seed(database)
    for name in ("owner", "editor", "stranger"):
        await add_organiser(database, f"{name}@example.org")
    await add_organiser(database, "admin@example.org", admin=True)
    server = await start_server(database)
    clients = [httpx.AsyncClient(base_url=server.base_url) for _ in range(4)]
    try:
        owner, editor, stranger, admin = [
            await sign_in(http, f"{name}@example.org")
            for http, name in zip(clients, ("owner", "editor", "stranger", "admin"), strict=True)
        ]
        created = await owner.post("/api/organiser/series", {"title": "Owned dialogues"})
        assert created.status_code == 201
        slug = created.json()["slug"]
        added = await owner.post(
            f"/api/organiser/series/{slug}/members", {"email": "editor@example.org"}
        )
        assert added.status_code == 200
        yield Team(owner, editor, stranger, admin, slug)
    finally:
        for http in clients:
            await http.aclose()


async def _everything(team: Team, who: OrganiserClient) -> dict[str, int]:
    """Every organiser endpoint on the series and an event of it: the status each answers."""
    series = team.series
    event = (await team.owner.post(f"/api/organiser/series/{series}/events", _event("E"))).json()
    slug = event["event"]["slug"]
    statuses = {
        "edit series": await who.patch(f"/api/organiser/series/{series}", {"title": "Renamed"}),
        "publish": await who.post(f"/api/organiser/series/{series}/publish", {"published": True}),
        "create event": await who.post(f"/api/organiser/series/{series}/events", _event("New")),
        "edit event": await who.patch(f"/api/organiser/events/{slug}", {"title": "Edited"}),
        "reschedule": await who.post(
            f"/api/organiser/events/{slug}/reschedule", {"start": _event("x")["start"]}
        ),
        "rotate key": await who.post(f"/api/organiser/events/{slug}/moderator-key"),
        "members": await who.get(f"/api/organiser/series/{series}/members"),
        "add member": await who.post(
            f"/api/organiser/series/{series}/members",
            {"email": "stranger@example.org", "role": "editor"},
        ),
        "remove member": await who.post(
            f"/api/organiser/series/{series}/members/remove", {"email": "stranger@example.org"}
        ),
        "access mode": await who.post(
            f"/api/organiser/events/{slug}/access-mode", {"mode": "code"}
        ),
        "invite": await who.post(
            f"/api/organiser/events/{slug}/invitations", {"text": "Women Deliver"}
        ),
        "invitations": await who.get(f"/api/organiser/events/{slug}/invitations"),
        "cancel": await who.post(f"/api/organiser/events/{slug}/cancel"),
    }
    return {name: response.status_code for name, response in statuses.items()}


ALLOWED = {
    "edit series": 200,
    "publish": 200,
    "create event": 201,
    "edit event": 200,
    "reschedule": 200,
    "rotate key": 200,
    "members": 200,
    "add member": 200,
    "remove member": 200,
    "access mode": 200,
    "invite": 201,
    "invitations": 200,
    "cancel": 200,
}


async def test_series_roles_owner_and_admin_may_do_everything(team: Team) -> None:
    assert await _everything(team, team.owner) == ALLOWED
    assert await _everything(team, team.admin) == ALLOWED


async def test_series_roles_editor_edits_but_does_not_choose_members(team: Team) -> None:
    assert await _everything(team, team.editor) == {
        **ALLOWED,
        "add member": 403,
        "remove member": 403,
    }


async def test_series_roles_anyone_else_gets_403_and_changes_nothing(team: Team) -> None:
    statuses = await _everything(team, team.stranger)
    listing = (await team.owner.get("/api/organiser/series")).json()["series"]

    assert statuses == dict.fromkeys(ALLOWED, 403)
    mine = next(s for s in listing if s["slug"] == team.series)
    assert (mine["title"], mine["published"]) == ("Owned dialogues", False)
    assert [(e["title"], e["status"]) for e in mine["events"]] == [("E", "scheduled")]


async def test_series_roles_listing_shows_only_own_series_unless_admin(team: Team) -> None:
    seen = {
        name: [
            (s["slug"], s["role"])
            for s in (await who.get("/api/organiser/series")).json()["series"]
        ]
        for name, who in (
            ("owner", team.owner),
            ("editor", team.editor),
            ("stranger", team.stranger),
            ("admin", team.admin),
        )
    }

    assert seen == {
        "owner": [(team.series, "owner")],
        "editor": [(team.series, "editor")],
        "stranger": [],
        "admin": [("sg-dialogues", "admin"), (team.series, "admin")],
    }


async def test_series_roles_members_keep_one_owner(team: Team) -> None:
    path = f"/api/organiser/series/{team.series}/members"
    last = await team.owner.post(f"{path}/remove", {"email": "owner@example.org"})
    demote = await team.owner.post(path, {"email": "owner@example.org", "role": "editor"})
    unknown = await team.owner.post(path, {"email": "nobody@example.org"})
    promoted = await team.owner.post(path, {"email": "editor@example.org", "role": "owner"})
    handed_over = await team.owner.post(f"{path}/remove", {"email": "owner@example.org"})
    now_refused = await team.owner.patch(f"/api/organiser/series/{team.series}", {"title": "x"})

    assert [(r.status_code, r.json()["error"]["code"]) for r in (last, demote, unknown)] == [
        (409, "last_owner"),
        (409, "last_owner"),
        (404, "unknown_organiser"),
    ]
    assert promoted.json()["members"] == [
        {"email": "editor@example.org", "name": "Editor", "role": "owner"},
        {"email": "owner@example.org", "name": "Owner", "role": "owner"},
    ]
    assert handed_over.json()["members"] == [
        {"email": "editor@example.org", "name": "Editor", "role": "owner"}
    ]
    assert now_refused.status_code == 403
