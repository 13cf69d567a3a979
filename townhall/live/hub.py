"""The fan-out hub: per-event rooms of local screens, fed on a coalescing tick.

Actions call `notify(event_id)` after they commit. The hub marks the event's room dirty here
and publishes the notice through the backend so other processes mark theirs. A ticker then
renders each dirty room once (one database read, one serialisation per audience) and hands
the same string to every screen's outbox, where it replaces any update not yet sent.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
import uuid
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from townhall.live.backends import Backend
from townhall.live.diff import Body, queue_diff
from townhall.live.metrics import Metrics
from townhall.live.outbox import QUEUED, RESYNC, WRITTEN, FrameWriter, Outbox, Overflow, Prepared

log = logging.getLogger(__name__)

# (event id, screens online, audiences with a screen here, what changed) -> the queue body
# per audience. What changed: None for anything, else the questions whose rows alone did (their
# votes, language or suggestion; a new question), none of them changing status or group.
Renderer = Callable[
    [int, int, frozenset[str], frozenset[int] | None], Awaitable[Mapping[str, Body]]
]


def dumps(message: dict[str, Any]) -> str:
    return json.dumps(message, separators=(",", ":"), ensure_ascii=False)


# The close code of a screen whose right to be here was withdrawn (a rotated moderator key).
REVOKED_CLOSE_CODE = 4403
BEHIND_CLOSE_CODE = 4408


class Screen:
    """One connected screen: its audience ('participant' or 'moderator') and its outbox."""

    def __init__(self, audience: str, outbox_limit: int, direct: FrameWriter | None = None) -> None:
        self.audience = audience
        self.outbox = Outbox(outbox_limit, direct)
        self.revoked = False
        self.dropped = False  # fell too far behind (counted when it leaves)
        self.close_code = BEHIND_CLOSE_CODE  # when the outbox closes without a revocation

    def revoke(self, code: str, message: str) -> None:
        """No more actions from this screen: send an `error` frame, then close with 4403."""
        if self.revoked:
            return
        self.revoked = True
        self.close_code = REVOKED_CLOSE_CODE
        self.outbox.close_after(dumps({"type": "error", "code": code, "message": message}))

    def send(self, message: str | Prepared) -> None:
        try:
            self.outbox.put(message)
        except Overflow:
            self.dropped = True
            log.warning("dropping a screen that fell behind")


PRESENCE_SECONDS = 3.0
# A tick's fan-out yields to the event loop after this long. Not after a count of screens:
# under load each yield waits a whole round of ready sockets, and a tick split into many
# slices reached its last screens a second late.
FAN_OUT_SLICE_SECONDS = 0.02
_CLOCK_EVERY = 64  # screens between looks at the clock


@dataclass
class Room:
    screens: set[Screen] = field(default_factory=set)
    audiences: dict[str, int] = field(default_factory=dict)  # screens per audience here
    dirty: bool = True  # the queue changed: render from the database
    recount: bool = False  # no question changed: who is online, or what changes with time
    rows: set[int] = field(default_factory=set)  # questions whose rows alone changed
    elsewhere: int = 0  # screens on other workers, as last counted through the backend
    last: dict[str, Body] = field(default_factory=dict)
    versions: dict[str, int] = field(default_factory=dict)


def channel_for(event_id: int) -> str:
    return f"townhall:event:{event_id}"


# A notice on an event's channel is the publishing worker's id (the room is dirty), or this
# prefix and a JSON control notice: {"origin", "revoke": audience, "code", "message"}, or the
# rows prefix, the worker's id, a space and the questions whose rows alone changed
# ("+<origin> 12,15"). A worker that does not know a prefix takes the notice for a change.
CONTROL_PREFIX = "!"
ROWS_PREFIX = "+"
# More questions than this in one rows notice: published as a plain change.
MAX_NOTICE_ROWS = 500


class Hub:
    def __init__(
        self,
        backend: Backend,
        render: Renderer,
        *,
        tick_seconds: float,
        metrics: Metrics | None = None,
    ) -> None:
        self._backend = backend
        self._render = render
        self._tick = tick_seconds
        self._metrics = metrics
        # The loop time the ticker next wakes at (actions/cadence.py closes batches before it).
        self.next_tick_at = 0.0
        self.audiences: dict[str, int] = {}  # local screens per audience
        self._rooms: dict[int, Room] = {}
        self._origin = uuid.uuid4().hex
        self._tasks: list[asyncio.Task[None]] = []
        self._backend_up = asyncio.Event()
        self.updates_sent = 0

    async def start(self) -> None:
        try:
            await self._backend.connect()
            self._backend_up.set()
        except (ConnectionError, OSError) as error:
            log.error("fan-out backend unreachable at start (%s); serving local screens", error)
        self._tasks = [
            asyncio.create_task(self._listen(), name="hub-listener"),
            asyncio.create_task(self._ticker(), name="hub-ticker"),
            asyncio.create_task(self._presence(), name="hub-presence"),
        ]

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        for room in self._rooms.values():
            for screen in room.screens:
                screen.outbox.close()
        with contextlib.suppress(ConnectionError, OSError):
            await self._backend.disconnect()

    @property
    def tick_seconds(self) -> float:
        return self._tick

    @property
    def backend_connected(self) -> bool:
        return self._backend_up.is_set()

    def online(self, event_id: int) -> int:
        """Screens on this event across every worker (this worker's until first counted)."""
        room = self._rooms.get(event_id)
        return room.elsewhere + len(room.screens) if room else 0

    def current_body(self, event_id: int, audience: str) -> Body | None:
        """The audience's last rendered queue, if nothing has changed since (else None)."""
        room = self._rooms.get(event_id)
        if room is None or room.dirty or room.rows:
            return None
        return room.last.get(audience)

    async def join(self, event_id: int, screen: Screen) -> None:
        room = self._rooms.get(event_id)
        if room is None:
            room = self._rooms[event_id] = Room()
            with contextlib.suppress(ConnectionError, OSError):
                await self._backend.subscribe(channel_for(event_id))
        if screen not in room.screens:
            room.screens.add(screen)
            room.audiences[screen.audience] = room.audiences.get(screen.audience, 0) + 1
            self.audiences[screen.audience] = self.audiences.get(screen.audience, 0) + 1
        room.recount = True

    async def leave(self, event_id: int, screen: Screen) -> None:
        room = self._rooms.get(event_id)
        if room is None:
            return
        if screen in room.screens:
            room.screens.discard(screen)
            room.audiences[screen.audience] -= 1
            if not room.audiences[screen.audience]:
                del room.audiences[screen.audience]
            self.audiences[screen.audience] -= 1
            if screen.dropped and self._metrics is not None:
                self._metrics.outbox_drops.inc()
        room.recount = True
        if not room.screens:
            del self._rooms[event_id]
            with contextlib.suppress(ConnectionError, OSError):
                await self._backend.unsubscribe(channel_for(event_id))

    def send_to(self, event_id: int, audience: str, message: str) -> None:
        """A message for every local screen of one audience (not coalesced)."""
        room = self._rooms.get(event_id)
        prepared = Prepared(message)
        for screen in list(room.screens) if room else ():
            if screen.audience == audience:
                screen.send(prepared)

    async def notify(self, event_id: int) -> None:
        """Something in the event changed and is committed: every screen should follow."""
        self._mark(event_id)
        await self._publish(event_id, self._origin)

    async def notify_rows(self, event_id: int, rows: set[int]) -> None:
        """Only these questions' rows changed (votes, language, a suggestion, or they are new),
        not their status nor their group; committed."""
        if len(rows) > MAX_NOTICE_ROWS:
            await self.notify(event_id)
            return
        self._mark_rows(event_id, rows)
        await self._publish(event_id, f"{ROWS_PREFIX}{self._origin} {','.join(map(str, rows))}")

    async def _publish(self, event_id: int, notice: str) -> None:
        try:
            await self._backend.publish(channel_for(event_id), notice)
        except (ConnectionError, OSError) as error:
            log.warning("fan-out backend publish failed (%s); other workers catch up later", error)

    def rerender(self, event_id: int) -> None:
        """Render the event again at the next tick in this process (nothing is published):
        for what changes with time alone, such as the moderator's burst flags. No question
        changed for it: the render is told only of the rows changed meanwhile, if any."""
        room = self._rooms.get(event_id)
        if room is not None:
            room.recount = True

    async def revoke(self, event_id: int, audience: str, code: str, message: str) -> None:
        """Close every screen of one audience of the event, here and on every other worker."""
        self._revoke_here(event_id, audience, code, message)
        notice = {"origin": self._origin, "revoke": audience, "code": code, "message": message}
        try:
            await self._backend.publish(channel_for(event_id), CONTROL_PREFIX + dumps(notice))
        except (ConnectionError, OSError) as error:
            # Each worker's sockets also re-check the key before acting (web/ws.py).
            log.warning("fan-out backend publish of a revocation failed (%s)", error)

    def _revoke_here(self, event_id: int, audience: str, code: str, message: str) -> None:
        room = self._rooms.get(event_id)
        for screen in list(room.screens) if room else ():
            if screen.audience == audience:
                screen.revoke(code, message)

    def _control(self, event_id: int, text: str) -> None:
        try:
            notice = json.loads(text)
            if notice["origin"] != self._origin:
                self._revoke_here(
                    event_id, str(notice["revoke"]), str(notice["code"]), str(notice["message"])
                )
        except (ValueError, KeyError, TypeError):
            log.warning("ignoring a malformed control notice on event %s", event_id)

    def _mark(self, event_id: int) -> None:
        room = self._rooms.get(event_id)
        if room is not None:
            room.dirty = True

    def _mark_rows(self, event_id: int, rows: set[int]) -> None:
        room = self._rooms.get(event_id)
        if room is not None and not room.dirty:
            room.rows.update(rows)

    def _rows_notice(self, event_id: int, text: str) -> None:
        origin, _, listed = text.partition(" ")
        if origin == self._origin:
            return
        try:
            rows = {int(part) for part in listed.split(",") if part}
        except ValueError:
            log.warning("a malformed rows notice on event %s: a full render", event_id)
            self._mark(event_id)
            return
        self._mark_rows(event_id, rows)

    async def _listen(self) -> None:
        delay = 0.5
        while True:
            try:
                if not self._backend_up.is_set():
                    await self._backend.connect()
                    self._backend_up.set()
                    for event_id in list(self._rooms):
                        await self._backend.subscribe(channel_for(event_id))
                        self._mark(event_id)  # resync what we may have missed
                    log.info("fan-out backend connected")
                channel, origin = await self._backend.next_published()
                delay = 0.5
                event_id = int(channel.rsplit(":", 1)[1])
                if origin.startswith(CONTROL_PREFIX):
                    self._control(event_id, origin[len(CONTROL_PREFIX) :])
                elif origin.startswith(ROWS_PREFIX):
                    self._rows_notice(event_id, origin[len(ROWS_PREFIX) :])
                elif origin != self._origin:
                    self._mark(event_id)
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("fan-out listener failed; reconnecting in %.1fs", delay)
                self._backend_up.clear()
                with contextlib.suppress(Exception):
                    await self._backend.disconnect()
                await asyncio.sleep(delay)
                delay = min(delay * 2, 10.0)

    async def _presence(self) -> None:
        while True:
            await asyncio.sleep(PRESENCE_SECONDS)
            for event_id, room in list(self._rooms.items()):
                here = len(room.screens)
                try:
                    total = await self._backend.report_presence(
                        event_id, self._origin, here, ttl=PRESENCE_SECONDS * 3
                    )
                except asyncio.CancelledError:
                    raise
                except Exception as error:
                    log.debug("presence not shared (%s); counting this worker only", error)
                    total = here
                if total - here != room.elsewhere:
                    room.elsewhere = max(0, total - here)
                    room.recount = True

    async def _ticker(self) -> None:
        # Ticks keep their rate: the time spent rendering and sending is taken off the wait.
        loop = asyncio.get_running_loop()
        next_tick = loop.time()
        clock = time.perf_counter
        while True:
            next_tick = max(next_tick + self._tick, loop.time())
            self.next_tick_at = next_tick
            await asyncio.sleep(next_tick - loop.time())
            rooms = 0
            render = fan_out = 0.0
            counts = [0, 0, 0, 0]  # put_state outcomes: written, skipped, queued, resync
            for event_id, room in list(self._rooms.items()):
                if not (room.dirty or room.recount or room.rows):
                    continue
                changed = None if room.dirty else frozenset(room.rows)
                room.dirty = room.recount = False
                room.rows = set()
                rooms += 1
                started = clock()
                try:
                    # Only the audiences with a screen here: a moderator's body is the larger
                    # one, and most rooms have none.
                    present = frozenset(room.audiences)
                    rendered = await self._render(event_id, self.online(event_id), present, changed)
                except asyncio.CancelledError:
                    raise
                except Exception:
                    log.exception("rendering event %s failed; retrying next tick", event_id)
                    room.dirty = True
                    continue
                finally:
                    rendered_at = clock()
                    render += rendered_at - started
                for absent in room.last.keys() - rendered.keys():
                    del room.last[absent]  # stale: a screen joining renders afresh
                try:
                    for audience, body in rendered.items():
                        await self._fan_out(room, audience, body, counts)
                except asyncio.CancelledError:
                    raise
                except Exception:  # the ticker must outlive any one bad render
                    log.exception("sending event %s failed; full state next tick", event_id)
                    room.last.clear()
                    room.dirty = True
                finally:
                    fan_out += clock() - rendered_at
            if rooms and self._metrics is not None:
                self._metrics.observe_tick(
                    render,
                    fan_out,
                    rooms,
                    written=counts[WRITTEN],
                    resumed=counts[QUEUED] + counts[RESYNC],
                    resyncs=counts[RESYNC],
                )

    async def _fan_out(
        self, room: Room, audience: str, body: Body, counts: list[int] | None = None
    ) -> None:
        """Serialise once per audience and hand the same string to every screen.

        Every FAN_OUT_SLICE_SECONDS it yields to the event loop, so a tick to thousands of
        screens does not hold back acknowledgements and database replies for its whole length.
        `counts[outcome]` counts what each screen's outbox did with the update.
        """
        if counts is None:
            counts = [0, 0, 0, 0]
        previous = room.last.get(audience)
        base = room.versions.get(audience, 0)
        changes = queue_diff(previous, body) if previous is not None else None
        unchanged = changes is not None and not any(changes.values())
        version = base if unchanged else base + 1
        room.last[audience], room.versions[audience] = body, version
        diff = (
            None
            if changes is None or unchanged
            else Prepared(
                dumps({"type": "queue_diff", "version": version, "base": base, **changes})
            )
        )
        full_message: list[Prepared] = []

        def full() -> Prepared:
            if not full_message:
                full_message.append(Prepared(dumps({"type": "queue", "version": version, **body})))
            return full_message[0]

        loop = asyncio.get_running_loop()
        slice_ends = loop.time() + FAN_OUT_SLICE_SECONDS
        for number, screen in enumerate(list(room.screens), 1):
            if number % _CLOCK_EVERY == 0 and loop.time() >= slice_ends:
                await asyncio.sleep(0)
                slice_ends = loop.time() + FAN_OUT_SLICE_SECONDS
            if screen.audience != audience:
                continue
            if unchanged and screen.outbox.in_step:
                continue
            counts[screen.outbox.put_state(diff, full)] += 1
            self.updates_sent += 1
