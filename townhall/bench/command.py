"""`townhall bench` options (also `python -m townhall.bench`)."""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path

QUICK = {
    "clients": 300,
    "processes": 2,
    "votes_per_second": 200.0,
    "questions_per_second": 5.0,
    "seconds": 10.0,
    "burst": 200,
    "similar_questions": 2000,
    "similar_requests": 100,
}


def parser(*, add_help: bool = True) -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="townhall bench",
        add_help=add_help,
        description="Load-test townhall (and a bare websockets server) and print one JSON document.",
    )
    p.add_argument("--clients", type=int, default=QUICK["clients"], help="participant sockets")
    p.add_argument("--processes", type=int, default=QUICK["processes"], help="client processes")
    p.add_argument("--votes", type=float, default=QUICK["votes_per_second"], help="votes/s offered")
    p.add_argument(
        "--questions", type=float, default=QUICK["questions_per_second"], help="questions/s offered"
    )
    p.add_argument("--seconds", type=float, default=QUICK["seconds"], help="drive duration")
    p.add_argument("--unvote-ratio", type=float, default=0.1)
    p.add_argument(
        "--burst", type=int, default=QUICK["burst"], help="questions in the dedup burst (0: none)"
    )
    p.add_argument(
        "--seed-questions",
        type=int,
        default=100,
        help="questions asked through the app before the drive, to vote on",
    )
    p.add_argument(
        "--similar-questions",
        type=int,
        default=QUICK["similar_questions"],
        help="questions written into a second event for /similar (0: skip)",
    )
    p.add_argument("--similar-requests", type=int, default=QUICK["similar_requests"])
    p.add_argument("--big", action="store_true", help="also the 100k-question, 3.6M-vote event")
    p.add_argument("--big-questions", type=int, default=100_000)
    p.add_argument("--big-votes", type=int, default=3_600_000)
    p.add_argument("--big-participants", type=int, default=90_000)
    p.add_argument(
        "--database-url",
        action="append",
        help="'sqlite' (a fresh temporary file, the default) or a postgresql+asyncpg:// URL on "
        "whose server a fresh database is created and dropped; repeat to run on several. "
        "With --url: the database of that server, to check for lost actions",
    )
    p.add_argument(
        "--workers",
        type=int,
        action="append",
        help="worker processes of the server (townhall serve --workers); repeat to compare "
        "counts (default 1; above 1 runs on the PostgreSQL databases only, sharing Redis)",
    )
    p.add_argument(
        "--redis-url",
        default=os.environ.get("TOWNHALL_BENCH_REDIS_URL", "redis://127.0.0.1:6379/0"),
        help="Redis of several workers (default TOWNHALL_BENCH_REDIS_URL or the local one)",
    )
    p.add_argument("--url", help="target a running server instead of starting one")
    p.add_argument("--server-pid", type=int, help="with --url: its pid, for CPU and memory")
    p.add_argument(
        "--texts", type=Path, help="QQP-style TSV of questions (default ../shared/data/qqp_dev.tsv)"
    )
    p.add_argument(
        "--compression",
        choices=("deflate", "none"),
        default="deflate",
        help="what clients offer (browsers offer deflate)",
    )
    p.add_argument("--no-bare", action="store_true", help="skip the bare websockets comparison")
    p.add_argument("--no-ceiling", action="store_true", help="skip the model's encode ceiling")
    p.add_argument("--drain-seconds", type=float, default=20.0)
    p.add_argument("--max-inflight", type=int, default=4, help="unanswered actions per socket")
    p.add_argument(
        "--profile-dir", type=Path, help="py-spy the server during each drive (raw stacks)"
    )
    p.add_argument("--seed", type=int, default=1)
    return p


def main(argv: Sequence[str] | None = None) -> int:
    return run_from_args(parser().parse_args(argv))


def run_from_args(args: argparse.Namespace) -> int:
    from townhall.bench.run import BenchConfig, run
    from townhall.bench.texts import DEFAULT_TEXTS

    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    config = BenchConfig(
        clients=args.clients,
        processes=args.processes,
        votes_per_second=args.votes,
        questions_per_second=args.questions,
        seconds=args.seconds,
        unvote_ratio=args.unvote_ratio,
        burst=args.burst,
        seed_questions=args.seed_questions,
        similar_questions=0 if args.url else args.similar_questions,
        similar_requests=args.similar_requests,
        big=args.big,
        big_questions=args.big_questions,
        big_votes=args.big_votes,
        big_participants=args.big_participants,
        databases=args.database_url or ["sqlite"],
        workers=args.workers or [1],
        redis_url=args.redis_url,
        url=args.url,
        server_pid=args.server_pid,
        texts=args.texts or DEFAULT_TEXTS,
        compression=args.compression,
        bare=not args.no_bare,
        ceiling=not args.no_ceiling,
        drain_seconds=args.drain_seconds,
        max_inflight=args.max_inflight,
        profile_dir=args.profile_dir,
        seed=args.seed,
    )
    document = run(config)
    json.dump(document, sys.stdout, indent=2)
    sys.stdout.write("\n")
    return 0
