"""Integrity check for participation modes: votes sent by identities without a grant must
all be refused, and the question's count must not move.

`await unverified_votes_landed(base_url, slug)` (or `python -m townhall.bench.modes URL SLUG`)
votes for the event's top open question from fresh identities (no cookie, a random
`X-Forwarded-For`, over HTTP and over WebSocket) and returns plain JSON-ready figures;
`landed` is what the count moved by, and must be 0 in a code, e-mail or invited event.
Run it on a quiet event: honest votes cast meanwhile would move the count too (`acknowledged`
counts only this script's votes the server accepted).
"""

from __future__ import annotations

import asyncio
import json
import random
import sys
from collections import Counter
from typing import Any

import httpx
from websockets.asyncio.client import connect

CONCURRENCY = 20


def _random_address() -> str:
    return ".".join(str(random.randint(1, 254)) for _ in range(4))


async def _top_question(http: httpx.AsyncClient, slug: str) -> tuple[int, int] | None:
    queue = (await http.get(f"/api/events/{slug}/queue")).json()
    open_ = queue.get("open") or []
    return (int(open_[0]["id"]), int(open_[0]["votes"])) if open_ else None


async def _votes_of(http: httpx.AsyncClient, slug: str, question_id: int) -> int:
    queue = (await http.get(f"/api/events/{slug}/queue")).json()
    items = [*queue["open"], *queue["answered"]]
    if queue.get("now_answering"):
        items.append(queue["now_answering"])
    return int(next(i["votes"] for i in items if i["id"] == question_id))


async def _http_vote(base_url: str, slug: str, question_id: int, n: int) -> str:
    async with httpx.AsyncClient(base_url=base_url, timeout=30) as fresh:  # no cookie: new identity
        response = await fresh.post(
            f"/api/events/{slug}/actions/vote",
            json={"client_id": f"probe-h{n}", "question_id": question_id},
            headers={"X-Forwarded-For": _random_address()},
        )
    if response.status_code == 200:
        return "acknowledged"
    try:
        return str(response.json()["error"]["code"])
    except (ValueError, KeyError, TypeError):
        return f"http_{response.status_code}"


async def _ws_vote(ws_url: str, slug: str, question_id: int, n: int) -> str:
    try:
        async with connect(
            f"{ws_url}/ws/events/{slug}",
            additional_headers={"X-Forwarded-For": _random_address()},
            open_timeout=30,
        ) as socket:
            await socket.send(json.dumps({"type": "hello"}))
            vote = {"type": "vote", "client_id": f"probe-w{n}", "question_id": question_id}
            await socket.send(json.dumps(vote))
            while True:
                message = json.loads(await asyncio.wait_for(socket.recv(), 30))
                if message.get("type") == "ack":
                    return "acknowledged"
                if message.get("type") == "refused":
                    return str(message.get("code"))
    except Exception as error:
        return f"socket_{type(error).__name__}"


async def unverified_votes_landed(
    base_url: str, slug: str, *, http_votes: int = 200, ws_votes: int = 50
) -> dict[str, Any]:
    base_url = base_url.rstrip("/")
    ws_url = "ws" + base_url.removeprefix("http")
    async with httpx.AsyncClient(base_url=base_url, timeout=30) as http:
        event = (await http.get(f"/api/events/{slug}")).json()
        top = await _top_question(http, slug)
        if top is None:
            return {"slug": slug, "mode": event.get("access_mode"), "error": "no_open_question"}
        question_id, before = top
        gate = asyncio.Semaphore(CONCURRENCY)

        async def bounded(probe: Any) -> str:
            async with gate:
                result: str = await probe
                return result

        outcomes = await asyncio.gather(
            *(bounded(_http_vote(base_url, slug, question_id, n)) for n in range(http_votes)),
            *(bounded(_ws_vote(ws_url, slug, question_id, n)) for n in range(ws_votes)),
        )
        after = await _votes_of(http, slug, question_id)
    counted = Counter(outcomes)
    acknowledged = counted.pop("acknowledged", 0)
    return {
        "slug": slug,
        "mode": event.get("access_mode"),
        "question_id": question_id,
        "attempts": {"http": http_votes, "websocket": ws_votes},
        "acknowledged": acknowledged,
        "refused": dict(sorted(counted.items())),
        "votes_before": before,
        "votes_after": after,
        "landed": after - before,
    }


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 2:
        print("usage: python -m townhall.bench.modes BASE_URL EVENT_SLUG", file=sys.stderr)
        return 2
    print(json.dumps(asyncio.run(unverified_votes_landed(args[0], args[1])), indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
