"""Per-connection outboxes: state coalesces, a client that falls behind is dropped."""

from __future__ import annotations

import pytest

from townhall.live.outbox import Outbox, Overflow


async def test_outbox_state_updates_coalesce_to_the_newest() -> None:
    outbox = Outbox(limit=4)

    for n in range(100):
        outbox.put_state(f"state{n}")
    outbox.put("ack")

    assert [await outbox.get(), await outbox.get()] == ["ack", "state99"]


async def test_outbox_overflow_closes_the_client() -> None:
    outbox = Outbox(limit=2)
    outbox.put("a")
    outbox.put("b")

    with pytest.raises(Overflow):
        outbox.put("c")

    assert (outbox.closed, await outbox.get()) == (True, None)
