"""Rotating a moderator key closes the sockets opened with the old one, at once (4403)."""

from __future__ import annotations

import asyncio
import json

import httpx
from conftest import Database, ServerFactory, seed
from organisers import add_organiser, sign_in
from screens import TestScreen
from sqlalchemy import update

from townhall.domain.tokens import hash_token, new_token
from townhall.store.db import create_engine, session_factory
from townhall.store.tables import Event

ADMIN = "admin@example.org"


async def _close_code(screen: TestScreen) -> int | None:
    """Wait for the server to close the screen's socket; its close code."""
    assert screen._reader is not None
    await asyncio.wait_for(asyncio.shield(screen._reader), 5.0)
    code: int | None = screen._socket.close_code
    return code


async def _log(http: httpx.AsyncClient, slug: str, key: str) -> list[str]:
    """The actions in the event's moderation log."""
    log = await http.get(f"/api/events/{slug}/log", headers={"Authorization": f"Bearer {key}"})
    assert log.status_code == 200, log.text
    return [entry["action"] for entry in log.json()["entries"]]


async def test_key_rotation_closes_old_moderator_sockets_with_4403(
    database: Database, start_server: ServerFactory
) -> None:
    demo = await seed(database)
    await add_organiser(database, ADMIN, admin=True)
    server = await start_server(database)
    participant = await TestScreen(server.base_url, server.ws_url, demo.slug).open()
    asked = await participant.act("submit_question", text="Will the budget be published?")
    question = asked["result"]["question_id"]
    old = await TestScreen(
        server.base_url, server.ws_url, demo.slug, moderator_key=demo.moderator_key
    ).open()
    async with httpx.AsyncClient(base_url=server.base_url) as http:
        organiser = await sign_in(http, ADMIN)

        rotated = await organiser.post(f"/api/organiser/events/{demo.slug}/moderator-key")
        closed = await _close_code(old)
        new_key = rotated.json()["moderator_key"]
        fresh = await TestScreen(
            server.base_url, server.ws_url, demo.slug, moderator_key=new_key
        ).open()
        hidden = await fresh.act("hide_question", question_id=question)
        log = await _log(http, demo.slug, new_key)

    assert rotated.status_code == 200
    assert closed == 4403
    assert [m["code"] for m in old.messages if m["type"] == "error"] == ["key_rotated"]
    assert [m["type"] for m in old.messages[-1:]] == ["error"]
    assert (hidden["type"], log) == ("ack", ["hide"])
    for screen in (participant, old, fresh):
        await screen.close()


async def test_key_changed_without_a_notice_refuses_the_next_action(
    database: Database, start_server: ServerFactory
) -> None:
    """Should the hub's notice never arrive (fan-out backend down), the socket still checks
    the key before acting: its next action is not applied and it closes with 4403."""
    demo = await seed(database)
    server = await start_server(database)
    participant = await TestScreen(server.base_url, server.ws_url, demo.slug).open()
    asked = await participant.act("submit_question", text="Who pays for the new building?")
    question = asked["result"]["question_id"]
    old = await TestScreen(
        server.base_url, server.ws_url, demo.slug, moderator_key=demo.moderator_key
    ).open()
    new_key = new_token()
    engine = create_engine(database.url, schema=database.schema)
    async with session_factory(engine, write=True)() as session, session.begin():
        await session.execute(
            update(Event)
            .where(Event.slug == demo.slug)
            .values(moderator_key_hash=hash_token(new_key))
        )
    await engine.dispose()

    seen = len(old.messages)
    await old.send_raw(
        json.dumps({"type": "hide_question", "client_id": "after-1", "question_id": question})
    )
    closed = await _close_code(old)
    async with httpx.AsyncClient(base_url=server.base_url) as http:
        log = await _log(http, demo.slug, new_key)

    replies = [m for m in old.messages[seen:] if m["type"] in ("error", "ack", "refused")]
    assert [(m["type"], m.get("code")) for m in replies] == [("error", "key_rotated")]
    assert (closed, log) == (4403, [])
    for screen in (participant, old):
        await screen.close()
