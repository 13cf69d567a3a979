"""Per-connection outboxes: state coalesces, a client that falls behind is dropped."""

from __future__ import annotations

import pytest

from townhall.live.outbox import Outbox, Overflow


async def test_outbox_state_updates_coalesce_to_the_newest_full_state() -> None:
    outbox = Outbox(limit=4)

    for n in range(100):
        outbox.put_state(f"diff{n}", lambda n=n: f"full{n}")
    outbox.put("ack")

    assert [await outbox.get(), await outbox.get()] == ["ack", "full99"]


async def test_outbox_screen_keeping_up_gets_diffs() -> None:
    outbox = Outbox(limit=4)
    outbox.put_state("diff0", lambda: "full0")
    first = await outbox.get()

    outbox.put_state("diff1", lambda: "full1")

    assert (first, await outbox.get()) == ("full0", "diff1")


async def test_outbox_overflow_closes_the_client() -> None:
    outbox = Outbox(limit=2)
    outbox.put("a")
    outbox.put("b")

    with pytest.raises(Overflow):
        outbox.put("c")

    assert (outbox.closed, await outbox.get()) == (True, None)
