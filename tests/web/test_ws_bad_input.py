"""Malformed frames and wrong keys get clear errors; the connection and server stay up."""

from __future__ import annotations

import json

import websockets
from conftest import Database, ServerFactory, seed
from screens import TestScreen


async def test_ws_malformed_frames_get_errors_and_connection_stays_up(
    sqlite_database: Database, start_server: ServerFactory
) -> None:
    demo = await seed(sqlite_database)
    server = await start_server(sqlite_database)
    screen = await TestScreen(server.base_url, server.ws_url, demo.slug).open()

    for raw in ("not json", "[1, 2]", '{"no_type": 1}', '{"type": "shout"}'):
        seen = len(screen.messages)
        await screen.send_raw(raw)
        await screen.next_message(lambda m: m["type"] == "error", after=seen)
    no_id = len(screen.messages)
    await screen.send_raw(json.dumps({"type": "vote", "question_id": 1}))
    refused = await screen.next_message(lambda m: m["type"] == "refused", after=no_id)
    asked = await screen.act(
        "submit_question", text="Does the connection still work after all that?"
    )

    codes = [m["code"] for m in screen.messages if m["type"] == "error"]
    assert codes == ["bad_message", "bad_message", "bad_message", "unknown_type"]
    assert refused["code"] == "bad_client_id"
    assert asked["type"] == "ack"
    await screen.close()


async def test_ws_oversized_frame_refused_without_harming_others(
    sqlite_database: Database, start_server: ServerFactory
) -> None:
    demo = await seed(sqlite_database)
    server = await start_server(sqlite_database)
    other = await TestScreen(server.base_url, server.ws_url, demo.slug).open()
    flooder = await TestScreen(server.base_url, server.ws_url, demo.slug).open()

    await flooder.send_raw(
        json.dumps({"type": "submit_question", "client_id": "x", "text": "a" * 40_000})
    )
    asked = await other.act("submit_question", text="Is the server still answering everyone else?")

    assert asked["type"] == "ack"
    await other.close()
    await flooder.close()


async def test_ws_wrong_moderator_key_closes_with_4403(
    sqlite_database: Database, start_server: ServerFactory
) -> None:
    demo = await seed(sqlite_database)
    server = await start_server(sqlite_database)

    async with websockets.connect(f"{server.ws_url}/ws/events/{demo.slug}") as socket:
        await socket.send(json.dumps({"type": "hello", "moderator_key": "guess"}))
        error = json.loads(await socket.recv())
        try:
            await socket.recv()
        except websockets.ConnectionClosed as closed:
            code = closed.rcvd.code if closed.rcvd else None

    assert (error["code"], code) == ("bad_key", 4403)


async def test_ws_unknown_event_closes_with_4404(
    sqlite_database: Database, start_server: ServerFactory
) -> None:
    await seed(sqlite_database)
    server = await start_server(sqlite_database)

    async with websockets.connect(f"{server.ws_url}/ws/events/nope") as socket:
        await socket.send(json.dumps({"type": "hello"}))
        error = json.loads(await socket.recv())

    assert error["code"] == "unknown_event"


async def test_ws_flooding_client_is_limited_then_dropped_and_others_unharmed(
    sqlite_database: Database, start_server: ServerFactory
) -> None:
    demo = await seed(sqlite_database)
    server = await start_server(sqlite_database, rate_frames="10/10seconds")
    calm = await TestScreen(server.base_url, server.ws_url, demo.slug).open()
    flooder = await TestScreen(server.base_url, server.ws_url, demo.slug).open()

    for _ in range(40):
        try:
            await flooder.send_raw('{"type": "shout"}')
        except websockets.ConnectionClosed:
            break
    await flooder.wait_for(lambda: any(m.get("code") == "flood" for m in flooder.messages))
    asked = await calm.act("submit_question", text="Is everyone else still heard?")

    codes = {m.get("code") for m in flooder.messages if m["type"] == "error"}
    assert {"unknown_type", "slow_down", "flood"} <= codes
    assert asked["type"] == "ack"
    await calm.close()
    await flooder.close()


async def test_ws_question_rate_limit_refuses_with_slow_down(
    sqlite_database: Database, start_server: ServerFactory
) -> None:
    demo = await seed(sqlite_database)
    server = await start_server(sqlite_database, rate_questions="2/minute")
    screen = await TestScreen(server.base_url, server.ws_url, demo.slug).open()

    replies = [
        await screen.act("submit_question", text=f"Question number {n} for the candidate?")
        for n in range(3)
    ]

    assert [r["type"] for r in replies] == ["ack", "ack", "refused"]
    assert replies[2]["code"] == "slow_down"
    await screen.close()
