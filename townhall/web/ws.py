"""The WebSocket endpoint: one socket per screen (docs/protocol.md)."""

from __future__ import annotations

import asyncio
import contextlib
import functools
import hmac
import logging
import re
from collections import deque
from collections.abc import Callable
from typing import Any

from sqlalchemy import select
from starlette.websockets import WebSocket, WebSocketDisconnect, WebSocketState

from townhall.actions.base import (
    ACTIONS,
    CLIENT_ID_PATTERN,
    ActionRefused,
    Actor,
    Reply,
    perform,
    queue_vote,
)
from townhall.actions.schedule import KEY_ROTATED
from townhall.actions.views import load_own_marks, load_queue
from townhall.live.hub import Screen
from townhall.store import queries
from townhall.store.tables import Event
from townhall.web import messages
from townhall.web.admission import refused_frame
from townhall.web.auth import is_moderator
from townhall.web.json_input import BadJson, parse_json
from townhall.web.protocol import FRAME_WRITER
from townhall.web.state import AppState

log = logging.getLogger(__name__)

HELLO_TIMEOUT = 10.0
_CLIENT_ID = re.compile(CLIENT_ID_PATTERN)


async def _hello(websocket: WebSocket, max_bytes: int) -> dict[str, Any] | None:
    try:
        raw = await asyncio.wait_for(websocket.receive_text(), HELLO_TIMEOUT)
    except (TimeoutError, WebSocketDisconnect, KeyError):
        return None
    message = _parse(raw, max_bytes)
    if isinstance(message, tuple) or message.get("type") != "hello":
        return None
    return message


def _parse(raw: str, max_bytes: int) -> dict[str, Any] | tuple[str, str]:
    """The message as a dict, or the code and text of an error to send back."""
    if len(raw.encode("utf-8")) > max_bytes:
        return "bad_message", f"The message is larger than {max_bytes} bytes."
    try:
        message = parse_json(raw)
    except BadJson as error:
        if error.code == "bad_json":
            return "bad_message", "The message is not valid JSON."
        return error.code, error.message
    if not isinstance(message, dict) or not isinstance(message.get("type"), str):
        return "bad_message", 'A message must be a JSON object with a "type".'
    return message


async def event_socket(websocket: WebSocket) -> None:
    state: AppState = websocket.app.state.townhall
    slug = websocket.path_params["slug"]
    await websocket.accept()
    participant_id = state.cookies.read(websocket) or state.cookies.issue()[0]
    hello = await _hello(websocket, state.settings.max_frame_bytes)
    if hello is None:
        await _close(websocket, 4400, messages.error("bad_hello", 'Send {"type": "hello"} first.'))
        return
    async with state.services.read_sessions() as session:
        event = await queries.event_by_slug(session, slug)
    if event is None:
        await _close(websocket, 4404, messages.error("unknown_event", "There is no such event."))
        return
    key = hello.get("moderator_key")
    moderator = key is not None and is_moderator(event, str(key))
    if key is not None and not moderator:
        await _close(websocket, 4403, messages.error("bad_key", "That moderator key is not valid."))
        return
    role = "moderator" if moderator else "participant"
    network = state.clients.of(websocket).network_hash
    venue = hello.get("venue")
    if not moderator and isinstance(venue, str) and state.venues.verify(venue, slug):
        await state.admission.grant_venue(network, slug)
    actor = Actor(participant_id, moderator_of=event.id if moderator else None, network=network)
    direct = websocket.scope.get("extensions", {}).get(FRAME_WRITER)
    screen = Screen(role, state.settings.outbox_limit, direct)
    hub = state.services.hub

    screen.send(messages.welcome(participant_id, role, event))
    voted, mine = await load_own_marks(state.services.read_sessions, event.id, participant_id)
    # In a crowd arriving at once, the queue rendered at the last tick (unchanged since) serves
    # every newcomer; otherwise it is read from the database.
    body = hub.current_body(event.id, role)
    if body is not None:
        screen.send(messages.snapshot_of(body, voted=voted, mine=mine))
    else:
        current = await load_queue(state.services.read_sessions, event.id, hub.online(event.id) + 1)
        if current is not None:
            snapshot = messages.snapshot(
                current.event, current.queue, role, voted=voted, mine=mine, flags=current.flags
            )
            screen.send(snapshot)
    await hub.join(event.id, screen)
    key_hash = event.moderator_key_hash if moderator else None
    if key_hash is not None and not await _key_unchanged(state, event.id, key_hash):
        screen.revoke("key_rotated", KEY_ROTATED)  # rotated between the hello and the join
    sender = asyncio.create_task(_send_loop(websocket, screen))
    votes = InFlightVotes()
    try:
        await _receive_loop(websocket, state, actor, slug, screen, votes, key_hash)
    finally:
        await votes.settled()  # each was applied or refused: its answer goes out first
        await hub.leave(event.id, screen)
        screen.outbox.close()
        sender.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await sender


async def _send_loop(websocket: WebSocket, screen: Screen) -> None:
    while (message := await screen.outbox.get()) is not None:
        try:
            await websocket.send_text(message)
        except (WebSocketDisconnect, RuntimeError, OSError):
            return
    # Closed because it fell too far behind (4408: the client resyncs from a snapshot on
    # reconnect) or because its moderator key was rotated (4403, after an `error` frame).
    if websocket.application_state == WebSocketState.CONNECTED:
        with contextlib.suppress(Exception):
            await websocket.close(code=screen.close_code)


async def _key_unchanged(state: AppState, event_id: int, key_hash: str) -> bool:
    """The moderator key this socket signed in with is still the event's key."""
    async with state.services.read_sessions() as session:
        current = await session.scalar(select(Event.moderator_key_hash).where(Event.id == event_id))
    return current is not None and hmac.compare_digest(current, key_hash)


FLOOD_STRIKES = 20  # frames over the limit before the socket is dropped


async def _receive_loop(
    websocket: WebSocket,
    state: AppState,
    actor: Actor,
    slug: str,
    screen: Screen,
    votes: InFlightVotes,
    key_hash: str | None = None,
) -> None:
    limit = state.settings.max_frame_bytes
    connection_key = f"{id(screen)}"
    strikes = 0
    while True:
        frame = await websocket.receive()
        if frame["type"] == "websocket.disconnect":
            return
        if screen.revoked:
            continue  # closing with 4403: nothing more from this socket is applied
        if not state.limits.allow_frame(connection_key):
            strikes += 1
            if strikes >= FLOOD_STRIKES:
                await _close(websocket, 4429, messages.error("flood", "Too many messages."))
                return
            screen.send(messages.error("slow_down", "Too many messages; slow down."))
            continue
        raw = frame.get("text")
        if raw is None:
            screen.send(messages.error("bad_message", "Send JSON text frames, not binary."))
            continue
        message = _parse(raw, limit)
        if isinstance(message, tuple):
            screen.send(messages.error(*message))
            continue
        name = message.pop("type")
        if name == "hello":
            continue
        if name not in ACTIONS:
            screen.send(messages.error("unknown_type", f"Unknown message type {name!r}."))
            continue
        client_id = message.pop("client_id", None)
        if not isinstance(client_id, str) or not _CLIENT_ID.match(client_id):
            screen.send(
                messages.refused(
                    name,
                    None,
                    "bad_client_id",
                    "Each action needs a client_id (1-64 of A-Z a-z 0-9 _ . : -).",
                )
            )
            continue
        if not state.limits.allow_action(actor.participant_id, name, moderator=actor.is_moderator):
            screen.send(
                messages.refused(name, client_id, "slow_down", "Too many actions; wait a moment.")
            )
            continue
        refused = await state.admission.check(actor, slug, name, message)
        if refused is not None:
            screen.send(refused_frame(name, client_id, refused))
            continue
        # Defence in depth: the hub closes these sockets on rotation; should its notice not
        # arrive (fan-out backend down), the key is still checked before acting.
        if (
            key_hash is not None
            and actor.moderator_of is not None
            and not await _key_unchanged(state, actor.moderator_of, key_hash)
        ):
            screen.revoke("key_rotated", KEY_ROTATED)
            continue
        if name in PIPELINED:
            await votes.make_room()
            try:
                queued = queue_vote(state.services, actor, slug, name, client_id, message)
            except ActionRefused as refusal:
                screen.send(_refused(name, client_id, refusal))
                continue
            if queued is not None:
                votes.add(queued, functools.partial(_answer, screen, name, client_id))
                continue
        await votes.settled()  # any other action applies after the votes sent before it
        screen.send(await _perform(state, actor, slug, name, client_id, message))


# Votes and unvotes of one socket need not wait for each other's answer: each joins the vote
# batcher's queue in the order it arrived (and a batch applies them in that order), and is
# answered once its batch has committed. One at a time, a second vote sent while the first
# waited for its batch went into the batch after, a tick later (batches close before the tick,
# actions/cadence.py). Any other action waits for the votes before it, so that it applies after
# them, as sent.
PIPELINED = frozenset({"vote", "unvote"})
# Unanswered votes per socket before the next waits for the oldest (the rate limit allows
# 60 actions in 10 s).
MAX_IN_FLIGHT = 16


class InFlightVotes:
    """One socket's votes waiting for their batch. Each answer is written from the settled
    batch (a callback on its future), not by a task of its own woken to write it."""

    def __init__(self) -> None:
        self._pending: deque[asyncio.Future[Reply]] = deque()

    async def make_room(self) -> None:
        """Wait until fewer than MAX_IN_FLIGHT are unanswered."""
        self._drop_done()
        while len(self._pending) >= MAX_IN_FLIGHT:
            await asyncio.wait({self._pending[0]})
            self._drop_done()

    def add(
        self, queued: asyncio.Future[Reply], answer: Callable[[asyncio.Future[Reply]], None]
    ) -> None:
        queued.add_done_callback(answer)
        self._pending.append(queued)

    async def settled(self) -> None:
        if self._pending:
            await asyncio.gather(*self._pending, return_exceptions=True)
            self._pending.clear()

    def _drop_done(self) -> None:
        while self._pending and self._pending[0].done():
            self._pending.popleft()


def _answer(screen: Screen, name: str, client_id: str, settled: asyncio.Future[Reply]) -> None:
    if settled.cancelled():  # the server is stopping: the page sends it again on reconnect
        return
    error = settled.exception()
    if isinstance(error, ActionRefused):
        screen.send(_refused(name, client_id, error))
    elif error is not None:
        log.error("action %s failed", name, exc_info=error)
        screen.send(_internal(name, client_id))
    else:
        screen.send(_acked(settled.result()))


def _acked(reply: Reply) -> str:
    return messages.ack(reply.action, reply.client_id, reply.result, replayed=reply.replayed)


def _refused(name: str, client_id: str, refusal: ActionRefused) -> str:
    return messages.refused(name, client_id, refusal.code, refusal.message, **refusal.details)


def _internal(name: str, client_id: str) -> str:
    return messages.refused(name, client_id, "internal", "The server could not do that; try again.")


async def _perform(
    state: AppState, actor: Actor, slug: str, name: str, client_id: str, payload: dict[str, Any]
) -> str:
    try:
        reply = await perform(state.services, actor, slug, name, client_id, payload)
    except ActionRefused as refusal:
        return _refused(name, client_id, refusal)
    except Exception:
        log.exception("action %s failed", name)
        return _internal(name, client_id)
    return _acked(reply)


async def _close(websocket: WebSocket, code: int, message: str) -> None:
    with contextlib.suppress(Exception):
        await websocket.send_text(message)
        await websocket.close(code=code)
