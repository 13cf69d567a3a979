"""A client process: many participant sockets on one asyncio loop, driven by the parent.

The parent sends commands over a pipe (connect, drive, burst, close) and gets plain data
back. Every time stamp is `time.monotonic_ns()`, which is CLOCK_MONOTONIC and so comparable
between processes on one Linux host. One socket per process is the *watcher*: it applies
every queue update (like a screen does) and records when each question's count changed; the
others only count their updates, so the clients spend their CPU on the sockets, not on JSON.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import random
import time
from collections import Counter
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from typing import Any

from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

from townhall.bench.cookie import COOKIE, fetch_cookie
from townhall.bench.procstat import raise_nofile
from townhall.live.diff import apply_diff
from townhall.runtime import run_event_loop, tune_garbage_collector

QUEUE_PREFIX = '{"type":"queue'
UNVOTE_EVERY = 4


@dataclass(frozen=True)
class WorkerSpec:
    index: int
    sockets: int
    base_url: str
    ws_url: str
    slug: str
    mode: str  # "townhall" or "bare"
    compression: str  # "deflate" (as browsers offer) or "none"
    seed: int
    connect_concurrency: int = 64
    connect_timeout: float = 60.0


@dataclass(eq=False)
class Sock:
    number: int
    ws: ClientConnection | None = None
    participant_id: str | None = None
    ready: asyncio.Event = field(default_factory=asyncio.Event)
    hello_ns: int = 0
    snapshot_ns: int = 0
    updates: int = 0
    mark: int = 0
    inflight: dict[str, tuple[str, int, int]] = field(default_factory=dict)
    voted: set[int] = field(default_factory=set)
    pending: set[int] = field(default_factory=set)
    counter: int = 0
    asked: int = 0
    close_code: int | None = None
    open: bool = False
    # After a `busy` refusal the socket waits as the pages do (live.js): retry_after_ms times
    # a random factor between 1 and 2; a refused vote is not sent again.
    paused_until_ns: int = 0


class Worker:
    def __init__(self, spec: WorkerSpec, pipe: Connection) -> None:
        self.spec = spec
        self.pipe = pipe
        self.rng = random.Random(spec.seed)
        self.socks: list[Sock] = []
        self.watcher: Sock | None = None
        self.state: dict[str, Any] | None = None
        self.version: int | None = None
        self.open_ids: list[int] = []
        self.history: dict[int, list[tuple[int, int]]] = {}
        self.vote_acks: list[tuple[str, int, int, int, int]] = []
        self.unvote_acks: list[tuple[str, int, int, int]] = []
        self.question_acks: list[tuple[str, int, int, int]] = []
        self.final: dict[tuple[str, int], bool] = {}
        self.refusals: Counter[str] = Counter()
        self.errors: Counter[str] = Counter()
        self.diff_gaps = 0
        # Unvotes sent but never answered: applied or not, nobody knows (not "lost" either way).
        self.unvotes_in_flight: set[tuple[str, int]] = set()
        self.tasks: list[asyncio.Task[None]] = []

    # -- commands --------------------------------------------------------------------------

    async def serve(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            command, args = await loop.run_in_executor(None, self.pipe.recv)
            if command == "close":
                await self.close()
                self.pipe.send({"closed": True})
                return
            handler = getattr(self, f"cmd_{command}")
            self.pipe.send(await handler(**args))

    async def cmd_connect(self) -> dict[str, Any]:
        spec = self.spec
        gate = asyncio.Semaphore(spec.connect_concurrency)
        self.socks = [Sock(number) for number in range(spec.sockets)]
        failures: Counter[str] = Counter()

        async def one(sock: Sock) -> None:
            async with gate:
                try:
                    await asyncio.wait_for(self._open(sock), spec.connect_timeout)
                except Exception as error:
                    failures[type(error).__name__] += 1

        started = time.monotonic_ns()
        # The watcher must see every update from its first full queue on, so it comes first.
        self.watcher = self.socks[0]
        await one(self.watcher)
        await asyncio.gather(*(one(sock) for sock in self.socks[1:]))
        ready = [sock for sock in self.socks if sock.ready.is_set() and sock.open]
        return {
            "connected": len(ready),
            "failures": dict(failures),
            "seconds": (time.monotonic_ns() - started) / 1e9,
            "hello_to_snapshot_ns": [s.snapshot_ns - s.hello_ns for s in ready if s.snapshot_ns],
        }

    async def _open(self, sock: Sock) -> None:
        spec = self.spec
        headers: dict[str, str] = {}
        if spec.mode == "townhall":
            cookie = await fetch_cookie(spec.base_url, spec.slug)
            if cookie:
                headers["Cookie"] = f"{COOKIE}={cookie}"
            url = f"{spec.ws_url}/ws/events/{spec.slug}"
        else:
            url = f"{spec.ws_url}/"
        sock.ws = await connect(
            url,
            additional_headers=headers,
            compression="deflate" if spec.compression == "deflate" else None,
            ping_interval=None,
            max_size=2**24,
            open_timeout=spec.connect_timeout,
        )
        sock.open = True
        sock.hello_ns = time.monotonic_ns()
        await sock.ws.send('{"type":"hello"}')
        self.tasks.append(asyncio.create_task(self._read(sock)))
        await sock.ready.wait()

    async def _read(self, sock: Sock) -> None:
        assert sock.ws is not None
        bare = self.spec.mode == "bare"
        try:
            async for raw in sock.ws:
                assert isinstance(raw, str)
                if raw.startswith(QUEUE_PREFIX):
                    sock.updates += 1
                    if sock is self.watcher:
                        self._watch(raw)
                    continue
                message = json.loads(raw)
                now = time.monotonic_ns()
                kind = message.get("type")
                if kind in ("ack", "refused"):
                    self._answer(sock, message, now)
                elif kind == "welcome":
                    sock.participant_id = message.get("participant_id")
                    if bare:
                        sock.snapshot_ns = now
                        sock.ready.set()
                elif kind == "snapshot":
                    sock.snapshot_ns = now
                    if self.state is None:
                        self._set_state(message, now)
                    sock.ready.set()
                elif kind == "error":
                    self.errors[str(message.get("code"))] += 1
        except ConnectionClosed as closed:
            sock.close_code = closed.rcvd.code if closed.rcvd is not None else None
        finally:
            sock.open = False
            sock.ready.set()

    def _set_state(self, body: dict[str, Any], now: int) -> None:
        self.state, self.version = body, body.get("version")
        self.open_ids = [item["id"] for item in body.get("open", ())]
        self._record({"items": body.get("open", ())}, now)

    def _watch(self, raw: str) -> None:
        now = time.monotonic_ns()
        message = json.loads(raw)
        if self.spec.mode == "bare":
            self._record(message, now)
            return
        if message["type"] == "queue":
            self._set_state(message, now)
            return
        if self.state is None or message.get("base") != self.version:
            self.diff_gaps += 1
            return
        self.state = apply_diff(self.state, message)
        self.version = message["version"]
        if "open" in message.get("order", {}):
            self.open_ids = list(message["order"]["open"])
        self._record(message, now)

    def _record(self, diff: dict[str, Any], now: int) -> None:
        counts = [(item["id"], item["votes"]) for item in diff.get("items", ())]
        counts += [(key, votes) for key, votes in diff.get("votes", ())]
        for key, votes in counts:
            seen = self.history.setdefault(key, [])
            if not seen or seen[-1][1] != votes:
                seen.append((now, votes))

    def _answer(self, sock: Sock, message: dict[str, Any], now: int) -> None:
        sent = sock.inflight.pop(str(message.get("client_id")), None)
        if sent is None:
            return
        kind, question_id, sent_ns = sent
        sock.pending.discard(question_id)
        if kind == "unvote":
            self.unvotes_in_flight.discard((sock.participant_id or "", question_id))
        if message["type"] == "refused":
            self.refusals[f"{kind}:{message.get('code')}"] += 1
            retry_ms = message.get("retry_after_ms")
            if message.get("code") == "busy" and isinstance(retry_ms, int | float):
                sock.paused_until_ns = now + int(retry_ms * 1e6 * (1 + self.rng.random()))
            return
        result = message.get("result", {})
        pid = sock.participant_id or ""
        if kind == "vote":
            self.vote_acks.append((pid, question_id, int(result.get("votes", 0)), sent_ns, now))
            sock.voted.add(question_id)
            self.final[(pid, question_id)] = True
        elif kind == "unvote":
            self.unvote_acks.append((pid, question_id, sent_ns, now))
            sock.voted.discard(question_id)
            self.final[(pid, question_id)] = False
        else:
            self.question_acks.append((pid, int(result.get("question_id", 0)), sent_ns, now))

    # -- load ------------------------------------------------------------------------------

    def _voters(self) -> list[Sock]:
        return [s for s in self.socks if s.open and s is not self.watcher] or [
            s for s in self.socks if s.open
        ]

    async def _send(self, sock: Sock, kind: str, question_id: int, payload: dict[str, Any]) -> bool:
        sock.counter += 1
        client_id = f"b{self.spec.index}-{sock.number}-{sock.counter}"
        sock.inflight[client_id] = (kind, question_id, time.monotonic_ns())
        if kind == "unvote":
            self.unvotes_in_flight.add((sock.participant_id or "", question_id))
        sock.pending.add(question_id)
        try:
            assert sock.ws is not None
            await sock.ws.send(json.dumps({"type": kind, "client_id": client_id, **payload}))
        except ConnectionClosed:
            sock.inflight.pop(client_id, None)
            return False
        return True

    async def _one_vote(self, voters: list[Sock], unvote_ratio: float, max_inflight: int) -> str:
        rng = self.rng
        ids = self.open_ids if self.spec.mode == "townhall" else list(range(1, 151))
        outcome = "busy"  # every socket tried had max_inflight actions unanswered
        for _ in range(6):
            sock = voters[rng.randrange(len(voters))]
            if (
                not sock.open
                or len(sock.inflight) >= max_inflight
                or sock.paused_until_ns > time.monotonic_ns()
            ):
                continue
            outcome = "all_voted"  # the sockets tried had backed every question they drew
            if sock.voted and rng.random() < unvote_ratio:
                # Only every UNVOTE_EVERY-th question is ever unvoted: the others' counts only
                # grow, so "the screen shows at least the acknowledged count" is exact there.
                mine = [q for q in sock.voted - sock.pending if q % UNVOTE_EVERY == 0]
                question_id = rng.choice(mine) if mine else 0
                if question_id:
                    ok = await self._send(sock, "unvote", question_id, {"question_id": question_id})
                    return "unvote" if ok else "failed"
            if not ids:
                return "no_question"
            for _ in range(6):
                question_id = ids[rng.randrange(len(ids))]
                if question_id not in sock.voted and question_id not in sock.pending:
                    ok = await self._send(sock, "vote", question_id, {"question_id": question_id})
                    return "vote" if ok else "failed"
        return outcome

    async def _one_question(self, texts: list[str], cursor: int, max_asked: int) -> str:
        now = time.monotonic_ns()
        socks = [s for s in self._voters() if s.asked < max_asked and s.paused_until_ns <= now]
        if not socks:
            return "no_asker"
        sock = socks[cursor % len(socks)]
        sock.asked += 1
        ok = await self._send(sock, "submit_question", 0, {"text": texts[cursor % len(texts)]})
        return "question" if ok else "failed"

    async def cmd_drive(
        self,
        start_ns: int,
        seconds: float,
        votes_per_second: float,
        questions_per_second: float,
        unvote_ratio: float,
        texts: list[str],
        max_inflight: int,
        max_asked: int,
        drain_seconds: float,
    ) -> dict[str, Any]:
        await asyncio.sleep(max(0.0, (start_ns - time.monotonic_ns()) / 1e9))
        for sock in self.socks:
            sock.mark = sock.updates
        voters = self._voters()
        end_ns = start_ns + int(seconds * 1e9)
        outcomes: Counter[str] = Counter()
        sent_votes = sent_questions = 0
        late_ns = 0
        while (now := time.monotonic_ns()) < end_ns:
            elapsed = (now - start_ns) / 1e9
            due_votes = int(elapsed * votes_per_second) - sent_votes
            due_questions = int(elapsed * questions_per_second) - sent_questions
            for _ in range(max(0, due_votes)):
                outcomes[await self._one_vote(voters, unvote_ratio, max_inflight)] += 1
                sent_votes += 1
            for _ in range(max(0, due_questions)):
                outcomes[await self._one_question(texts, sent_questions, max_asked)] += 1
                sent_questions += 1
            late_ns = max(late_ns, time.monotonic_ns() - now)
            await asyncio.sleep(0.005)
        updates = [sock.updates - sock.mark for sock in self.socks if sock.ready.is_set()]
        open_at_end = sum(1 for sock in self.socks if sock.open)
        drained = await self._drain(drain_seconds)
        return {
            "offered": dict(outcomes),
            "updates_per_socket": updates,
            "open_at_end": open_at_end,
            "unanswered_after_drain": drained,
            "longest_send_loop_ms": late_ns / 1e6,
            "open_questions_at_end": len(self.open_ids),
        }

    async def _drain(self, seconds: float) -> int:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            waiting = sum(len(sock.inflight) for sock in self.socks if sock.open)
            if waiting == 0:
                return 0
            await asyncio.sleep(0.05)
        return sum(len(sock.inflight) for sock in self.socks if sock.open)

    async def cmd_burst(
        self, count: int, texts: list[str], max_asked: int, drain_seconds: float
    ) -> dict[str, Any]:
        outcomes: Counter[str] = Counter()
        for cursor in range(count):
            outcomes[await self._one_question(texts, cursor, max_asked)] += 1
        return {
            "offered": dict(outcomes),
            "unanswered_after_drain": await self._drain(drain_seconds),
        }

    async def cmd_results(self) -> dict[str, Any]:
        return {
            "vote_acks": self.vote_acks,
            "unvote_acks": self.unvote_acks,
            "question_acks": self.question_acks,
            "final": [(pid, qid, voted) for (pid, qid), voted in self.final.items()],
            "history": self.history,
            "unvotes_unanswered": sorted(self.unvotes_in_flight),
            "refusals": dict(self.refusals),
            "errors": dict(self.errors),
            "diff_gaps": self.diff_gaps,
            "close_codes": dict(Counter(str(s.close_code) for s in self.socks if s.close_code)),
            "open": sum(1 for sock in self.socks if sock.open),
        }

    async def close(self) -> None:
        async def shut(sock: Sock) -> None:
            if sock.ws is not None:
                with contextlib.suppress(Exception):
                    await asyncio.wait_for(sock.ws.close(), 5)

        await asyncio.gather(*(shut(sock) for sock in self.socks))
        for task in self.tasks:
            task.cancel()
        await asyncio.gather(*self.tasks, return_exceptions=True)


def worker_main(spec: WorkerSpec, pipe: Connection) -> None:
    """Entry point of a client process."""
    raise_nofile()
    tune_garbage_collector()  # thousands of sockets per process, like the servers
    run_event_loop(Worker(spec, pipe).serve())
