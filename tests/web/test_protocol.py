"""Queue updates written as ready-made frames, and the ASGI path when a socket compresses."""

from __future__ import annotations

import pytest
from conftest import Database, ServerFactory, seed
from screens import TestScreen

from townhall.web.protocol import FramedWebSocketProtocol


@pytest.fixture
def frame_writes(monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    """Whether each direct frame write was taken by its connection."""
    taken: list[bool] = []
    original = FramedWebSocketProtocol.write_frame

    def counting(self: FramedWebSocketProtocol, frame: bytes) -> bool:
        taken.append(original(self, frame))
        return taken[-1]

    monkeypatch.setattr(FramedWebSocketProtocol, "write_frame", counting)
    return taken


async def _vote_and_follow(server_base: str, server_ws: str, slug: str) -> None:
    alice = await TestScreen(server_base, server_ws, slug).open()
    bruno = await TestScreen(server_base, server_ws, slug).open()
    asked = await alice.act("submit_question", text="Will you publish your financial disclosures?")
    question_id = asked["result"]["question_id"]
    vote = await bruno.act("vote", question_id=question_id)
    for screen in (alice, bruno):
        await screen.wait_for(
            lambda s=screen: question_id in s.open_ids() and s.item(question_id)["votes"] == 2,
            within=2.0,
        )
    assert vote["result"]["votes"] == 2
    await alice.close()
    await bruno.close()


async def test_protocol_updates_and_acks_go_out_as_direct_frames(
    database: Database, start_server: ServerFactory, frame_writes: list[bool]
) -> None:
    demo = await seed(database)
    server = await start_server(database)

    await _vote_and_follow(server.base_url, server.ws_url, demo.slug)

    assert frame_writes and all(frame_writes)


async def test_protocol_compressing_sockets_are_served_through_asgi(
    database: Database, start_server: ServerFactory, frame_writes: list[bool]
) -> None:
    demo = await seed(database)
    server = await start_server(database, ws_compression=True)

    await _vote_and_follow(server.base_url, server.ws_url, demo.slug)

    assert frame_writes and not any(frame_writes)
