"""Micro-benchmark: one vote batch of 1,000 votes on PostgreSQL, two versions interleaved.

    PYTHONPATH=$PWD python tests/bench/vote_batch.py --before 361e62c --rounds 30

`--before` names a commit whose `actions/votes.py` is compared with the working tree's. Each
version gets a schema of its own with the same questions (some merged) and the same batches
(1,000 requests: 90% votes, 10% unvotes, by participants drawn from a pool of 20,000 who have
cast 60,000 votes already, so some already back the group), in alternating order each round so that load on the machine weighs
on both alike. Prints statements per batch and the batch time (apply + COMMIT) as median and
quartiles. Not a test: speed belongs in benchmarks (docs/performance.md).
"""

from __future__ import annotations

import argparse
import asyncio
import importlib.util
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from types import ModuleType
from typing import Any

from sqlalchemy import event, select, text, update
from sqlalchemy.ext.asyncio import AsyncEngine

from townhall.actions.asking import QuestionRequest, apply_questions
from townhall.actions.base import Actor
from townhall.store import merging
from townhall.store.db import SessionFactory, create_engine, session_factory
from townhall.store.demo import seed_demo
from townhall.store.migrate import upgrade_async
from townhall.store.tables import Question

QUESTIONS = 100
MERGED = 20
POOL = 20_000


@dataclass
class Version:
    name: str
    module: ModuleType
    engine: AsyncEngine
    sessions: SessionFactory
    slug: str
    schema: str
    statements: list[int] = field(default_factory=list)
    seconds: list[float] = field(default_factory=list)
    counting: list[int] = field(default_factory=lambda: [0])
    started: tuple[str, float] = ("", 0.0)
    by_statement: dict[str, list[float]] = field(default_factory=dict)


def load_votes_module(name: str, source: str) -> ModuleType:
    folder = Path(tempfile.mkdtemp(prefix="vote-bench-"))
    path = folder / f"{name}.py"
    path.write_text(source)
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


async def prepare(url: str, name: str, module: ModuleType) -> Version:
    schema = f"th_bench_{name}_{uuid.uuid4().hex[:8]}"
    admin = create_engine(url)
    async with admin.begin() as connection:
        await connection.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
    await admin.dispose()
    await upgrade_async(url, schema=schema)
    engine = create_engine(url, schema=schema)
    sessions = session_factory(engine, write=True)
    now = datetime.now(UTC)
    async with sessions() as session, session.begin():
        slug = (await seed_demo(session, now))[0].slug
        requests = [
            QuestionRequest(Actor(f"asker-{n}"), slug, f"q{n}", f"Question number {n} about x?")
            for n in range(QUESTIONS)
        ]
        await apply_questions(session, requests, now, set())
        await session.execute(update(Question).values(status="open"))
    async with sessions() as session, session.begin():
        ids = sorted(await session.scalars(select(Question.id)))
        for source_id, target_id in zip(ids[:MERGED], ids[MERGED : 2 * MERGED], strict=True):
            source = await session.get(Question, source_id)
            target = await session.get(Question, target_id)
            assert source is not None and target is not None
            await merging.merge(
                session, source, target, score=0.95, actor="bench", action="merge", now=now
            )
    async with sessions() as session, session.begin():
        # An event well under way: 60,000 votes by 20,000 people, then fresh statistics.
        await session.execute(
            text(
                "INSERT INTO participants (id, created_at) SELECT "
                "'00000000-0000-4000-8000-' || lpad(to_hex(n), 12, '0'), now() "
                "FROM generate_series(0, :pool - 1) AS n ON CONFLICT DO NOTHING"
            ),
            {"pool": POOL},
        )
        await session.execute(
            text(
                "INSERT INTO votes (question_id, participant_id, created_at, event_id) "
                "SELECT q.id, '00000000-0000-4000-8000-' || lpad(to_hex(p), 12, '0'), now(), "
                "q.event_id FROM generate_series(0, :pool - 1) AS p "
                "CROSS JOIN LATERAL (SELECT id, event_id FROM questions "
                "WHERE canonical_id IS NULL AND p >= 0 ORDER BY md5(id::text || p::text) "
                "LIMIT 3) AS q ON CONFLICT DO NOTHING"
            ),
            {"pool": POOL},
        )
        await session.execute(
            text(
                "UPDATE questions SET supporters = (SELECT count(*) FROM votes "
                "WHERE question_id = questions.id)"
            )
        )
    async with engine.connect() as connection:
        await connection.execute(text("COMMIT"))
        await connection.exec_driver_sql("ANALYZE")
    version = Version(name, module, engine, sessions, slug, schema)

    @event.listens_for(engine.sync_engine, "before_cursor_execute")
    def _count(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        version.counting[0] += 1
        words = " ".join(statement.split()[:3])[:40]
        version.started = (f"{version.counting[0]:2d}. {words}", time.perf_counter())

    @event.listens_for(engine.sync_engine, "after_cursor_execute")
    def _timed(*_: Any) -> None:
        kind, began = version.started
        version.by_statement.setdefault(kind, []).append(time.perf_counter() - began)

    return version


def batch(version: Version, seed: int, roots: list[int]) -> list[Any]:
    draw = random.Random(seed)
    request = version.module.VoteRequest
    return [
        request(
            Actor(f"00000000-0000-4000-8000-{draw.randrange(POOL):012x}", network="a" * 32),
            version.slug,
            f"b{seed}-{n}",
            draw.choice(roots),
            "unvote" if draw.random() < 0.1 else "vote",
        )
        for n in range(1000)
    ]


async def one_batch(version: Version, seed: int, roots: list[int]) -> None:
    requests = batch(version, seed, roots)
    version.counting[0] = 0
    started = time.perf_counter()
    async with version.sessions() as session, session.begin():
        await version.module.apply_votes(session, requests, datetime.now(UTC), set())
    version.seconds.append(time.perf_counter() - started)
    version.statements.append(version.counting[0])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--before", required=True, help="commit of the version to compare")
    parser.add_argument("--rounds", type=int, default=30)
    parser.add_argument("--url", default=os.environ.get("TOWNHALL_TEST_POSTGRES_URL"))
    args = parser.parse_args()
    old = subprocess.run(
        ["git", "show", f"{args.before}:townhall/actions/votes.py"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    here = Path(__file__).resolve().parents[2] / "townhall" / "actions" / "votes.py"
    asyncio.run(compare(args.url, args.rounds, old, here.read_text()))


async def compare(url: str, rounds: int, old: str, new: str) -> None:
    versions = [
        await prepare(url, "before", load_votes_module("votes_before", old)),
        await prepare(url, "after", load_votes_module("votes_after", new)),
    ]
    async with versions[0].sessions() as session:
        roots = sorted(
            await session.scalars(select(Question.id).where(Question.canonical_id.is_(None)))
        )
    for round_ in range(rounds + 2):  # the first two warm up and are dropped
        for version in versions if round_ % 2 == 0 else versions[::-1]:
            await one_batch(version, round_, roots)
    for version in versions:
        seconds = sorted(version.seconds[2:])
        q1, median, q3 = statistics.quantiles(seconds, n=4)
        print(
            f"{version.name}: statements per batch {sorted(set(version.statements[2:]))}, "
            f"batch ms median {median * 1000:.1f} (quartiles {q1 * 1000:.1f}-{q3 * 1000:.1f}), "
            f"n={len(seconds)}"
        )
    for version in versions:
        for kind, times in sorted(version.by_statement.items()):
            print(f"  {version.name} {kind!r}: median {statistics.median(times) * 1000:.2f} ms")
    admin = create_engine(url)
    for version in versions:
        await version.engine.dispose()
        async with admin.begin() as connection:
            await connection.exec_driver_sql(f'DROP SCHEMA "{version.schema}" CASCADE')
    await admin.dispose()


if __name__ == "__main__":
    main()
