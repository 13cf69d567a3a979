"""The ceiling for Python fan-out: a bare `websockets` server with the same message pattern.

Each vote is counted and acknowledged at once; every tick, if anything changed, one small
`queue_diff`-shaped JSON (the changed counts as `[id, votes]`, the order when it changed, the
totals) is sent to every connection with `websockets.broadcast`. No database, no rendering, no outboxes.
Run as `python -m townhall.bench.bare --port P --tick 0.2`.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import signal
import uuid
from http import HTTPStatus
from typing import Any

from websockets.asyncio.server import ServerConnection, broadcast, serve
from websockets.http11 import Request, Response

from townhall.bench.procstat import raise_nofile
from townhall.runtime import run_event_loop, tune_garbage_collector

QUESTIONS = 150


def dumps(message: dict[str, Any]) -> str:
    return json.dumps(message, separators=(",", ":"), ensure_ascii=False)


class BareRoom:
    def __init__(self) -> None:
        self.connections: set[ServerConnection] = set()
        self.votes = dict.fromkeys(range(1, QUESTIONS + 1), 0)
        self.changed: set[int] = set()
        self.version = 0
        self.order: list[int] = []
        self.sent = 0

    def answer(self, message: dict[str, Any]) -> str | None:
        kind = message.get("type")
        if kind == "hello":
            return dumps({"type": "welcome", "participant_id": str(uuid.uuid4())})
        if kind in ("vote", "unvote"):
            question_id = int(message["question_id"])
            if question_id not in self.votes:
                return dumps(
                    {
                        "type": "refused",
                        "action": kind,
                        "client_id": message.get("client_id"),
                        "code": "unknown_question",
                        "message": "",
                    }
                )
            self.votes[question_id] += 1 if kind == "vote" else -1
            self.changed.add(question_id)
            result = {
                "question_id": question_id,
                "voted": kind == "vote",
                "votes": self.votes[question_id],
            }
        elif kind == "submit_question":
            result = {"question_id": 0, "status": "open", "text": message.get("text", "")}
        else:
            return None
        return dumps(
            {
                "type": "ack",
                "action": kind,
                "client_id": message.get("client_id"),
                "result": result,
                "replayed": False,
            }
        )

    def tick(self) -> None:
        if not self.changed:
            return
        base, self.version = self.version, self.version + 1
        order = sorted(self.votes, key=lambda key: (-self.votes[key], key))
        diff: dict[str, Any] = {
            "type": "queue_diff",
            "version": self.version,
            "base": base,
            # As townhall sends them: a question whose only change is its count as [id, votes].
            "items": [],
            "votes": [[key, self.votes[key]] for key in sorted(self.changed)],
            "removed": [],
            "order": {"open": order} if order != self.order else {},
            "totals": {
                "questions": QUESTIONS,
                "votes": sum(self.votes.values()),
                "online": len(self.connections),
            },
        }
        self.order = order
        self.changed.clear()
        broadcast(self.connections, dumps(diff))
        self.sent += len(self.connections)


async def main(port: int, tick: float, compression: str) -> None:
    raise_nofile()
    tune_garbage_collector()  # the same process tuning as townhall's, for a fair ceiling
    room = BareRoom()

    async def handler(connection: ServerConnection) -> None:
        room.connections.add(connection)
        try:
            async for raw in connection:
                reply = room.answer(json.loads(raw))
                if reply is not None:
                    await connection.send(reply)
        except Exception:  # a dropped client is not the ceiling's business
            pass
        finally:
            room.connections.discard(connection)

    def health(connection: ServerConnection, request: Request) -> Response | None:
        if request.path == "/healthz":
            return connection.respond(HTTPStatus.OK, "ok\n")
        return None

    async def ticker() -> None:
        while True:
            await asyncio.sleep(tick)
            room.tick()

    stop = asyncio.get_running_loop().create_future()
    for signum in (signal.SIGINT, signal.SIGTERM):
        asyncio.get_running_loop().add_signal_handler(signum, stop.set_result, None)
    async with serve(
        handler,
        "127.0.0.1",
        port,
        process_request=health,
        compression="deflate" if compression == "deflate" else None,
        backlog=4096,
        max_size=16_384,
    ):
        task = asyncio.create_task(ticker())
        await stop
        task.cancel()


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--tick", type=float, default=0.2)
    parser.add_argument("--compression", choices=("deflate", "none"), default="deflate")
    args = parser.parse_args()
    run_event_loop(main(args.port, args.tick, args.compression))
