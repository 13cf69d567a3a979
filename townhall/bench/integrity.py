"""`townhall integrity-bench`: how far one address gets by stuffing votes, and whether the
people next to it and a hall behind one NAT still get in (docs/integrity.md).

The bench plays the site's reverse proxy: the server trusts 127.0.0.1
(`TOWNHALL_TRUSTED_PROXIES`), and every request carries the address the proxy saw as the last
`X-Forwarded-For` entry. The script writes a random entry of its own in front of it, as a
forger would; the rule must ignore it. Everything goes to 127.0.0.1 and every loop is bounded
in count and time.

Phases are functions of a `Context` returning a JSON-ready dict, listed in `PHASES`: (a) and
(b) the script and its neighbours, (c) the hall through the venue path, (d) a verified-e-mail
event where nothing unverified may land (townhall/bench/verified.py).
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

from townhall.bench.integrity_client import (
    COOKIE,
    TIMEOUT,
    Answer,
    Target,
    request,
    socket_actions,
    via,
    votes_of,
)
from townhall.bench.verified import VerifiedConfig, VerifiedSetup, verified_event

__all__ = ["COOKIE", "TIMEOUT", "Answer", "Context", "IntegrityConfig", "Target", "run_phases"]

SCRIPT_NETWORK = "198.51.100.23"  # the script and its 20 neighbours (documentation ranges)
HALL_NETWORK = "203.0.113.50"  # the hall's NAT
OUTSIDE_NETWORK = "203.0.113.51"  # the same crowd without the venue token, for comparison
ASKER_NETWORK = "192.0.2.10"


@dataclass(frozen=True)
class IntegrityConfig:
    seconds: float = 600.0  # how long the script runs
    attack_rate: float = 100.0  # the script's attempts per second, at most (HTTP and WS)
    max_attempts: int = 200_000
    honest: int = 20  # people behind the script's address
    venue_people: int = 300
    venue_seconds: float = 300.0
    venue_concurrency: int = 30
    verified: VerifiedConfig = field(default_factory=VerifiedConfig)


@dataclass
class Context:
    target: Target
    config: IntegrityConfig
    verified: VerifiedSetup | None = None  # the verified event; None skips phase (d)
    questions: list[int] = field(default_factory=list)  # [script's target, others...]


Phase = Callable[[Context], Awaitable[dict[str, Any]]]


# --- setup and phases -----------------------------------------------------------------------


async def ask_questions(context: Context, count: int = 4) -> list[int]:
    target, cookie, ids = context.target, None, []
    for n in range(count):
        headers = via(ASKER_NETWORK)
        if cookie:
            headers["Cookie"] = f"{COOKIE}={cookie}"
        answer = await request(
            target.base_url,
            "POST",
            f"/api/events/{target.slug}/actions/submit_question",
            headers=headers,
            body={"client_id": f"bench-ask-{n}", "text": f"Integrity bench question {n}: why?"},
        )
        if answer.status != 200:
            raise RuntimeError(f"could not ask a question: {answer.status} {answer.body!r}")
        cookie = cookie or answer.cookie
        ids.append(int(answer.json()["result"]["question_id"]))
    return ids


async def _script(context: Context, deadline: float) -> dict[str, Any]:
    """Fresh identity every attempt, over HTTP and the WebSocket in turn, paced."""
    target, config = context.target, context.config
    question = context.questions[0]
    outcomes: Counter[str] = Counter()
    attempts = {"http": 0, "ws": 0}
    interval = 1.0 / config.attack_rate
    next_at = time.monotonic()
    loops: set[asyncio.Task[None]] = set()

    async def once(channel: str) -> None:
        vote = {"client_id": "s1", "question_id": question}
        try:
            if channel == "http":
                answer = await request(
                    target.base_url,
                    "POST",
                    f"/api/events/{target.slug}/actions/vote",
                    headers=via(SCRIPT_NETWORK, forged=True),
                    body=vote,
                )
                code = "landed" if answer.status == 200 else answer.json()["error"]["code"]
            else:
                (reply,) = await socket_actions(
                    target, SCRIPT_NETWORK, [{"type": "vote", **vote}], forged=True
                )
                code = "landed" if reply["type"] == "ack" else reply["code"]
        except Exception as error:  # a dropped connection counts, it does not stop the bench
            code = f"error:{type(error).__name__}"
        outcomes[f"{channel}:{code}"] += 1

    n = 0
    while time.monotonic() < deadline and n < config.max_attempts:
        channel = "http" if n % 2 == 0 else "ws"
        attempts[channel] += 1
        n += 1
        task = asyncio.create_task(once(channel))
        loops.add(task)
        task.add_done_callback(loops.discard)
        next_at += interval
        await asyncio.sleep(max(0.0, next_at - time.monotonic()))
    if loops:
        await asyncio.wait(loops, timeout=TIMEOUT)
    landed = sum(count for key, count in outcomes.items() if key.endswith(":landed"))
    return {"attempts": attempts, "outcomes": dict(sorted(outcomes.items())), "acked": landed}


async def _neighbour(context: Context, index: int, start_in: float) -> dict[str, Any]:
    """A person behind the script's address: opens the page, then votes on the socket."""
    await asyncio.sleep(start_in)
    target = context.target
    page = await request(target.base_url, "GET", f"/e/{target.slug}", headers=via(SCRIPT_NETWORK))
    votes = [
        {"type": "vote", "client_id": f"n{index}-{question}", "question_id": question}
        for question in context.questions[1:]
    ]
    replies = await socket_actions(target, SCRIPT_NETWORK, votes, cookie=page.cookie)
    return {
        "acked": sum(reply["type"] == "ack" for reply in replies),
        "refused": [reply["code"] for reply in replies if reply["type"] == "refused"],
    }


async def script_and_neighbours(context: Context) -> dict[str, Any]:
    """(a) one address, fresh cookie per request, random X-Forwarded-For, HTTP and WebSocket;
    (b) meanwhile the people behind that address join (over the first minute) and vote."""
    config, target = context.config, context.target
    question = context.questions[0]
    before = await votes_of(target, question)
    started = time.monotonic()
    deadline = started + config.seconds
    spread = min(60.0, config.seconds / 4)
    script = asyncio.create_task(_script(context, deadline))
    neighbours = await asyncio.gather(
        *(_neighbour(context, i, spread * i / max(1, config.honest)) for i in range(config.honest)),
        return_exceptions=True,
    )
    attack = await script
    elapsed = time.monotonic() - started
    landed = await votes_of(target, question) - before
    honest_votes = config.honest * (len(context.questions) - 1)
    done = [n for n in neighbours if isinstance(n, dict)]
    refusals = Counter(code for n in done for code in n["refused"])
    return {
        "script": {
            "seconds": round(elapsed, 1),
            "question": question,
            "votes_landed": landed,
            "attempts": attack["attempts"],
            "outcomes": attack["outcomes"],
            "landed_per_minute": round(landed / (elapsed / 60), 2),
            "at_most_50": landed <= 50,
        },
        "neighbours": {
            "people": config.honest,
            "joined": len(done),
            "votes": honest_votes,
            "votes_landed": sum(n["acked"] for n in done),
            "refused": dict(refusals),
            "failures": [repr(n) for n in neighbours if not isinstance(n, dict)][:5],
            "all_landed": sum(n["acked"] for n in done) == honest_votes,
        },
    }


async def venue(context: Context) -> dict[str, Any]:
    """(c) a hall behind one NAT joins through the stage screen's QR code (venue token);
    the same crowd on another address without the token, for comparison (one try each)."""
    target, config = context.target, context.config
    token = (
        await request(
            target.base_url,
            "GET",
            f"/api/events/{target.slug}/venue",
            headers={"Authorization": f"Bearer {target.moderator_key}"},
        )
    ).json()["token"]
    gate = asyncio.Semaphore(config.venue_concurrency)
    started = time.monotonic()
    deadline = started + config.venue_seconds
    finished: list[float] = []

    async def person(index: int, network: str, with_token: bool) -> bool:
        async with gate:
            if time.monotonic() >= deadline:
                return False
            path = f"/e/{target.slug}" + (f"?venue={quote(token)}" if with_token else "")
            page = await request(target.base_url, "GET", path, headers=via(network))
            question = context.questions[index % len(context.questions)]
            vote = {"type": "vote", "client_id": f"v{index}", "question_id": question}
            (reply,) = await socket_actions(
                target, network, [vote], cookie=page.cookie, venue=token if with_token else None
            )
            if reply["type"] == "ack" and with_token:
                finished.append(time.monotonic() - started)
            return bool(reply["type"] == "ack")

    hall = await asyncio.gather(
        *(person(i, HALL_NETWORK, True) for i in range(config.venue_people)),
        return_exceptions=True,
    )
    joined = sum(result is True for result in hall)
    outside = await asyncio.gather(
        *(person(i, OUTSIDE_NETWORK, False) for i in range(config.venue_people)),
        return_exceptions=True,
    )
    return {
        "people": config.venue_people,
        "joined_and_voted": joined,
        "seconds_to_last": round(max(finished), 1) if finished else None,
        "all_within_5_minutes": joined == config.venue_people
        and bool(finished)
        and max(finished) <= 300,
        "without_token_same_crowd_voted": sum(result is True for result in outside),
    }


async def verified(context: Context) -> dict[str, Any]:
    """(d) a verified-e-mail event: an attacker with fresh identities lands nothing, the people
    who verify through the e-mail flow land their votes."""
    if context.verified is None:
        return {"skipped": "no verified event given"}
    return await verified_event(context.verified, context.config.verified)


PHASES: list[tuple[str, Phase]] = [
    ("script_and_neighbours", script_and_neighbours),
    ("venue", venue),
    ("verified", verified),
]


async def run_phases(
    target: Target,
    config: IntegrityConfig,
    phases: list[tuple[str, Phase]] | None = None,
    *,
    verified: VerifiedSetup | None = None,
) -> dict[str, Any]:
    context = Context(target, config, verified)
    context.questions = await ask_questions(context)
    results: dict[str, Any] = {}
    for name, phase in phases or PHASES:
        results[name] = await phase(context)
    return results
