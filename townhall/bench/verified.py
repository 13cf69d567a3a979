"""The integrity bench's verified-event phase (docs/integrity.md): in an event whose
participation mode is `email`, nothing an unverified identity sends may land, and the people
who verify through the real e-mail flow get their votes in.

The attacker is a botnet: every attempt is a fresh identity (no cookie) from a random network
(the last `X-Forwarded-For` entry, which the server believes from the bench's "proxy"), so no
per-network limit stands in the way and only the participation gate is tested. It votes and
asks over HTTP and the WebSocket, paced, plus a few bursts of hundreds of attempts at once (the
server applies them in big batches, with honest votes in the same batches), and tries forged
and replayed sign-in links. What landed is counted in the database: votes and questions of the
event by identities without a grant, before and after. The modes helper's probe
(`townhall/bench/modes.py`) runs at the end as a second, API-side count.

The honest side: a few participants ask for a sign-in link, read it from the bench's own SMTP
server (aiosmtpd, in process), open it, and then vote and ask. Every loop is bounded in count
and time; everything goes to 127.0.0.1.
"""

from __future__ import annotations

import asyncio
import random
import secrets
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import exists, func, select

from townhall.bench.integrity_client import (
    COOKIE,
    TIMEOUT,
    Answer,
    Target,
    request,
    socket_actions,
    via,
)
from townhall.bench.mail_inbox import Inbox, sign_in_link
from townhall.bench.modes import unverified_votes_landed
from townhall.store.db import create_engine, session_factory
from townhall.store.tables import Event, EventAccess, Question, Vote

HONEST_NETWORK = "192.0.2.{}"  # one network per verified person (documentation range)
ATTACKS = ("http_vote", "ws_vote", "http_ask", "ws_ask", "forged_link", "replayed_link")


@dataclass(frozen=True)
class VerifiedConfig:
    seconds: float = 120.0  # how long the attacker runs
    rate: float = 50.0  # paced attempts per second, at most
    max_attempts: int = 50_000  # paced and burst attempts together
    bursts: int = 4  # spread over the run
    burst_size: int = 250  # attempts sent at once per burst
    people: int = 5  # participants who verify through the e-mail flow
    probe_http: int = 100  # the modes helper's probe at the end
    probe_ws: int = 20


@dataclass(frozen=True)
class VerifiedSetup:
    """The verified event, where its database is, and the inbox its server mails to."""

    target: Target
    database_url: str
    inbox: Inbox
    schema: str | None = None


@dataclass
class _Run:
    setup: VerifiedSetup
    config: VerifiedConfig
    questions: list[int]
    outcomes: Counter[str] = field(default_factory=Counter)
    used_tokens: list[str] = field(default_factory=list)  # honest links, already spent
    burst: asyncio.Event = field(default_factory=asyncio.Event)  # set while a burst is sent
    bursts_left: int = 0


def _network() -> str:
    return ".".join(str(random.randint(1, 254)) for _ in range(4))


def _code(answer: Answer) -> str:
    if answer.status == 200:
        return "landed"
    try:
        return str(answer.json()["error"]["code"])
    except (ValueError, KeyError, TypeError):
        return f"http_{answer.status}"


async def _attempt(run: _Run, kind: str, n: int) -> None:
    """One attempt of one fresh identity from a random network; its outcome is counted."""
    target = run.setup.target
    question = run.questions[n % len(run.questions)]
    vote = {"client_id": f"a{n}", "question_id": question}
    ask = {"client_id": f"a{n}", "text": f"Attack question {n}: {secrets.token_hex(6)}?"}
    actions = f"/api/events/{target.slug}/actions"
    try:
        if kind in ("http_vote", "http_ask"):
            name, body = ("vote", vote) if kind == "http_vote" else ("submit_question", ask)
            answer = await request(
                target.base_url, "POST", f"{actions}/{name}", headers=via(_network()), body=body
            )
            code = _code(answer)
        elif kind in ("ws_vote", "ws_ask"):
            name, body = ("vote", vote) if kind == "ws_vote" else ("submit_question", ask)
            frame: dict[str, Any] = {"type": name, **body}
            (reply,) = await socket_actions(target, _network(), [frame])
            code = "landed" if reply["type"] == "ack" else str(reply["code"])
        else:
            if kind == "replayed_link" and not run.used_tokens:
                kind = "forged_link"  # nobody has verified yet: nothing to replay
            token = (
                random.choice(run.used_tokens)
                if kind == "replayed_link"
                else secrets.token_urlsafe(24)
            )
            answer = await request(
                target.base_url,
                "POST",
                f"/api/events/{target.slug}/access/verify",
                headers=via(_network()),
                body={"token": token},
            )
            code = _code(answer)
    except Exception as error:  # a dropped connection counts, it does not stop the bench
        code = f"error:{type(error).__name__}"
    run.outcomes[f"{kind}:{code}"] += 1


async def _attacker(run: _Run, deadline: float) -> dict[str, int]:
    """Paced single attempts over every kind, and `bursts` bursts of `burst_size` at once."""
    config = run.config
    started = time.monotonic()
    burst_times = [
        started + (deadline - started) * (k + 1) / (config.bursts + 1) for k in range(config.bursts)
    ]
    run.bursts_left = len(burst_times)
    interval = 1.0 / config.rate
    next_at = started
    pending: set[asyncio.Task[None]] = set()
    sent = {"paced": 0, "in_bursts": 0}

    def launch(kind: str) -> None:
        task = asyncio.create_task(_attempt(run, kind, sum(sent.values())))
        pending.add(task)
        task.add_done_callback(pending.discard)

    while time.monotonic() < deadline and sum(sent.values()) < config.max_attempts:
        if burst_times and time.monotonic() >= burst_times[0]:
            burst_times.pop(0)
            run.bursts_left -= 1
            run.burst.set()  # verified people waiting for a burst vote now, into the same batches
            room = config.max_attempts - sum(sent.values())
            for i in range(min(config.burst_size, room)):
                launch(ATTACKS[i % 4])  # votes and questions only: what batches apply
                sent["in_bursts"] += 1
            await asyncio.sleep(0.5)
            run.burst.clear()
            continue
        launch(ATTACKS[sent["paced"] % len(ATTACKS)])
        sent["paced"] += 1
        next_at += interval
        await asyncio.sleep(max(0.0, next_at - time.monotonic()))
    if pending:
        await asyncio.wait(pending, timeout=TIMEOUT * 2)
    run.bursts_left = 0
    run.burst.set()  # nobody waits for a burst that will not come
    return sent


async def _person(run: _Run, index: int, start_in: float) -> dict[str, Any]:
    """Opens the page, asks for a link, follows the one in the received mail, votes, asks."""
    await asyncio.sleep(start_in)
    target, inbox = run.setup.target, run.setup.inbox
    network = HONEST_NETWORK.format(100 + index)
    address = f"person{index}@example.org"
    started = time.monotonic()
    page = await request(target.base_url, "GET", f"/e/{target.slug}", headers=via(network))
    cookie = page.cookie
    if cookie is None:
        raise RuntimeError("the participant page set no cookie")
    headers = {**via(network), "Cookie": f"{COOKIE}={cookie}"}
    access = f"/api/events/{target.slug}/access"
    sent = await request(
        target.base_url, "POST", f"{access}/email", headers=headers, body={"email": address}
    )
    if sent.status != 200:
        return {"verified": False, "step": "send", "code": _code(sent)}
    message = await inbox.message_to(address, TIMEOUT)
    link = sign_in_link(message) if message is not None else None
    if link is None:
        return {"verified": False, "step": "mail", "code": "no_message"}
    path, _, fragment = link.partition("#")
    token = fragment.removeprefix("verify=")
    # What the participant page does with `#verify=…`: load the page, post the token.
    await request(target.base_url, "GET", "/" + path.split("/", 3)[3], headers=headers)
    verified = await request(
        target.base_url, "POST", f"{access}/verify", headers=headers, body={"token": token}
    )
    if verified.status != 200 or not verified.json().get("allowed"):
        return {"verified": False, "step": "verify", "code": _code(verified)}
    run.used_tokens.append(token)
    seconds = time.monotonic() - started
    if run.bursts_left > 0:  # vote while the attacker's burst is in flight
        await asyncio.wait_for(run.burst.wait(), run.config.seconds + TIMEOUT)
    votes = [
        {"type": "vote", "client_id": f"p{index}-{q}", "question_id": q} for q in run.questions
    ]
    replies = await socket_actions(target, network, votes, cookie=cookie)
    asked = await request(
        target.base_url,
        "POST",
        f"/api/events/{target.slug}/actions/submit_question",
        headers=headers,
        body={"client_id": f"p{index}-ask", "text": f"Verified participant {index} asks: when?"},
    )
    return {
        "verified": True,
        "seconds_to_verify": round(seconds, 2),
        "votes_acked": sum(reply["type"] == "ack" for reply in replies),
        "refused": [reply["code"] for reply in replies if reply["type"] == "refused"],
        "asked": asked.status == 200,
    }


async def database_counts(setup: VerifiedSetup, questions: list[int]) -> dict[str, int]:
    """The event's vote and question rows, by identities with and without a grant (an asker's
    own support of its question is a vote row too); and the verified votes on `questions`."""
    engine = create_engine(setup.database_url, schema=setup.schema)
    try:
        async with session_factory(engine)() as session:
            event_id = (
                await session.execute(select(Event.id).where(Event.slug == setup.target.slug))
            ).scalar_one()

            def granted(column: Any) -> Any:
                return exists().where(
                    EventAccess.event_id == event_id, EventAccess.participant_id == column
                )

            votes = (
                select(func.count())
                .select_from(Vote)
                .join(Question, Question.id == Vote.question_id)
                .where(Question.event_id == event_id)
            )
            asked = select(func.count()).select_from(Question).where(Question.event_id == event_id)
            counts = {
                "votes_without_grant": votes.where(~granted(Vote.participant_id)),
                "votes_verified": votes.where(granted(Vote.participant_id)),
                "votes_verified_on_attacked": votes.where(
                    granted(Vote.participant_id), Vote.question_id.in_(questions)
                ),
                "questions_without_grant": asked.where(~granted(Question.author_id)),
                "questions_verified": asked.where(granted(Question.author_id)),
            }
            return {
                name: int((await session.execute(q)).scalar_one()) for name, q in counts.items()
            }
    finally:
        await engine.dispose()


async def _moderator_questions(target: Target, count: int = 3) -> list[int]:
    """The questions to attack: asked by the moderator (never held back by the mode)."""
    ids = []
    for n in range(count):
        answer = await request(
            target.base_url,
            "POST",
            f"/api/events/{target.slug}/actions/submit_question",
            headers={"Authorization": f"Bearer {target.moderator_key}"},
            body={"client_id": f"mod-{n}", "text": f"Verified event question {n}: how?"},
        )
        if answer.status != 200:
            raise RuntimeError(f"could not ask a question: {answer.status} {answer.body!r}")
        ids.append(int(answer.json()["result"]["question_id"]))
    return ids


def _by_code(outcomes: Counter[str]) -> dict[str, int]:
    codes: Counter[str] = Counter()
    for key, count in outcomes.items():
        codes[key.split(":", 1)[1]] += count
    return dict(sorted(codes.items()))


async def verified_event(setup: VerifiedSetup, config: VerifiedConfig) -> dict[str, Any]:
    target = setup.target
    event = (await request(target.base_url, "GET", f"/api/events/{target.slug}")).json()
    run = _Run(setup, config, await _moderator_questions(target))
    before = await database_counts(setup, run.questions)
    started = time.monotonic()
    spread = config.seconds / 4
    attacker = asyncio.create_task(_attacker(run, started + config.seconds))
    people = await asyncio.gather(
        *(_person(run, i, spread * i / max(1, config.people)) for i in range(config.people)),
        return_exceptions=True,
    )
    sent = await attacker
    elapsed = time.monotonic() - started
    probe = await unverified_votes_landed(
        target.base_url, target.slug, http_votes=config.probe_http, ws_votes=config.probe_ws
    )
    after = await database_counts(setup, run.questions)
    moved = {name: after[name] - before[name] for name in after}
    done = [p for p in people if isinstance(p, dict)]
    verified = [p for p in done if p["verified"]]
    attempts = Counter(key.split(":", 1)[0] for key in run.outcomes.elements())
    landed = {
        "votes": moved["votes_without_grant"],
        "questions": moved["questions_without_grant"],
        "links_accepted": sum(
            n
            for k, n in run.outcomes.items()
            if k.endswith(":landed") and k.startswith(("forged_link", "replayed_link"))
        ),
    }
    honest_votes = len(verified) * len(run.questions)
    return {
        "event": target.slug,
        "mode": event["access_mode"],
        "seconds": round(elapsed, 1),
        "attacker": {
            "attempts": dict(sorted(attempts.items())),
            "total": sum(attempts.values()),
            "paced": sent["paced"],
            "in_bursts": sent["in_bursts"],
            "bursts": f"{config.bursts} x {config.burst_size}",
            "acknowledged": sum(n for k, n in run.outcomes.items() if k.endswith(":landed")),
            "refused_by_code": _by_code(run.outcomes),
            "outcomes": dict(sorted(run.outcomes.items())),
        },
        "landed_without_verification": landed,
        "probe": probe,
        "database": {"before": before, "after": after},
        "verified_people": {
            "people": config.people,
            "verified": len(verified),
            "seconds_to_verify_max": max((p["seconds_to_verify"] for p in verified), default=None),
            "votes": honest_votes,
            "votes_acked": sum(p["votes_acked"] for p in verified),
            "votes_landed": moved["votes_verified_on_attacked"],
            "questions_landed": moved["questions_verified"],
            "refused": dict(Counter(code for p in verified for code in p["refused"])),
            "failures": [p for p in done if not p["verified"]][:5]
            + [repr(p) for p in people if not isinstance(p, dict)][:5],
        },
        "zero_landed": landed == {"votes": 0, "questions": 0, "links_accepted": 0}
        and probe.get("landed") == 0,
        "all_verified_landed": len(verified) == config.people
        and moved["votes_verified_on_attacked"] == honest_votes
        and moved["questions_verified"] == len(verified),
    }
