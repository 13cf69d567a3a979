"""Per-connection outboxes: state coalesces, a client that falls behind is dropped."""

from __future__ import annotations

import asyncio

import pytest

from townhall.live.outbox import QUEUED, RESYNC, SKIPPED, WRITTEN, Outbox, Overflow, Prepared


async def test_outbox_state_updates_coalesce_to_the_newest_full_state() -> None:
    outbox = Outbox(limit=4)

    for n in range(100):
        outbox.put_state(Prepared(f"diff{n}"), lambda n=n: Prepared(f"full{n}"))
    outbox.put("ack")

    assert [await outbox.get(), await outbox.get()] == ["ack", "full99"]


async def test_outbox_screen_keeping_up_gets_diffs() -> None:
    outbox = Outbox(limit=4)
    outbox.put_state(Prepared("diff0"), lambda: Prepared("full0"))
    first = await outbox.get()

    outbox.put_state(Prepared("diff1"), lambda: Prepared("full1"))

    assert (first, await outbox.get()) == ("full0", "diff1")


async def test_outbox_overflow_closes_the_client() -> None:
    outbox = Outbox(limit=2)
    outbox.put("a")
    outbox.put("b")

    with pytest.raises(Overflow):
        outbox.put("c")

    assert (outbox.closed, await outbox.get()) == (True, None)


class Connection:
    """A frame writer that takes frames until told it is full."""

    def __init__(self) -> None:
        self.frames: list[bytes] = []
        self.full = False

    def write(self, frame: bytes) -> bool:
        if self.full:
            return False
        self.frames.append(frame)
        return True


def test_prepared_message_is_one_unmasked_text_frame() -> None:
    assert Prepared("hé").frame == b"\x81\x03h\xc3\xa9"


async def test_outbox_with_a_direct_writer_writes_at_once_when_idle() -> None:
    connection = Connection()
    outbox = Outbox(limit=4, direct=connection.write)

    outbox.put("ack")
    outbox.put_state(Prepared("diff0"), lambda: Prepared("full0"))
    outbox.put_state(Prepared("diff1"), lambda: Prepared("full1"))

    assert connection.frames == [Prepared(text).frame for text in ("ack", "full0", "diff1")]


async def test_outbox_keeps_order_when_the_connection_is_full() -> None:
    connection = Connection()
    outbox = Outbox(limit=4, direct=connection.write)
    connection.full = True
    outbox.put("ack1")
    outbox.put_state(Prepared("diff0"), lambda: Prepared("full0"))
    connection.full = False

    outbox.put("ack2")  # must not overtake what waits
    waiting = [await outbox.get(), await outbox.get(), await outbox.get()]
    outbox.put("ack3")  # still behind the message the send loop holds
    held = await outbox.get()
    outbox.put_state(Prepared("diff1"), lambda: Prepared("full1"))
    after_held = await outbox.get()
    next_get = asyncio.create_task(outbox.get())  # asking again: everything is out
    await asyncio.sleep(0)
    outbox.put_state(Prepared("diff2"), lambda: Prepared("full2"))
    next_get.cancel()

    assert (waiting, held, after_held, connection.frames) == (
        ["ack1", "ack2", "full0"],
        "ack3",
        "diff1",
        [Prepared("diff2").frame],
    )


async def test_outbox_put_state_tells_what_it_did_with_each_update() -> None:
    direct = Outbox(limit=4, direct=lambda frame: True)
    queued = Outbox(limit=4)

    outcomes = [
        direct.put_state(Prepared("diff0"), lambda: Prepared("full0")),
        queued.put_state(Prepared("diff0"), lambda: Prepared("full0")),
        queued.put_state(Prepared("diff1"), lambda: Prepared("full1")),  # diff0's full unsent
    ]
    queued.close()
    outcomes.append(queued.put_state(Prepared("diff2"), lambda: Prepared("full2")))

    assert outcomes == [WRITTEN, QUEUED, RESYNC, SKIPPED]
