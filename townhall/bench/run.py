"""The bench itself: phases in order, one JSON document at the end (progress on stderr).

1. the model alone (encode ceiling; embeddings for the filled events, cached under var/);
2. per database: our server under N sockets driven at V votes/s and Q questions/s for D
   seconds, then a burst of questions for dedup, then the database check for lost actions;
   the similar-question lookup on a second event filled with many questions;
3. the bare `websockets` broadcast server under the same load;
4. with `big`: a 100,000-question, 3,600,000-vote event: snapshot on connect and lookups.
"""

from __future__ import annotations

import asyncio
import bisect
import contextlib
import hashlib
import json
import multiprocessing
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from townhall.bench import servers, verify
from townhall.bench.client import WorkerSpec, fetch_cookie, worker_main
from townhall.bench.procstat import (
    cpu_model,
    cpu_seconds,
    memory_total_bytes,
    raise_nofile,
    rss_bytes,
    tree_cpu_seconds,
)
from townhall.bench.stats import percentile, summary_ms
from townhall.bench.texts import load_texts
from townhall.settings import PROJECT_ROOT, Settings

CACHE = PROJECT_ROOT / "var" / "bench-cache"


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


@dataclass
class BenchConfig:
    clients: int = 300
    processes: int = 2
    votes_per_second: float = 200.0
    questions_per_second: float = 5.0
    seconds: float = 10.0
    unvote_ratio: float = 0.1
    burst: int = 200
    seed_questions: int = 100
    similar_questions: int = 2000
    similar_requests: int = 100
    big: bool = False
    big_questions: int = 100_000
    big_votes: int = 3_600_000
    big_participants: int = 90_000
    big_connects: int = 20
    databases: list[str] = field(default_factory=lambda: ["sqlite"])
    url: str | None = None
    server_pid: int | None = None
    texts: Path | None = None
    slug: str = "dialogue-diallo"
    similar_slug: str = "dialogue-herrera"
    compression: str = "deflate"
    bare: bool = True
    ceiling: bool = True
    seed: int = 1
    max_inflight: int = 4
    connect_timeout: float = 120.0
    max_asked: int = 4
    drain_seconds: float = 20.0
    dedup_timeout: float = 180.0
    profile_dir: Path | None = None


# -- client processes ----------------------------------------------------------------------


class Clients:
    """The client processes of one phase."""

    def __init__(self, config: BenchConfig, server: servers.Server, mode: str, slug: str) -> None:
        context = multiprocessing.get_context("spawn")
        count = max(1, min(config.processes, config.clients))
        shares = [
            config.clients // count + (1 if i < config.clients % count else 0) for i in range(count)
        ]
        self.pipes = []
        self.processes = []
        for index, share in enumerate(shares):
            spec = WorkerSpec(
                index=index,
                sockets=share,
                base_url=server.base_url,
                ws_url=server.ws_url,
                slug=slug,
                mode=mode,
                compression=config.compression,
                seed=config.seed * 1000 + index,
                connect_timeout=config.connect_timeout,
            )
            ours, theirs = context.Pipe()
            process = context.Process(target=worker_main, args=(spec, theirs), daemon=True)
            process.start()
            self.pipes.append(ours)
            self.processes.append(process)

    def cpu_seconds(self) -> float:
        return sum(cpu_seconds(p.pid) for p in self.processes if p.pid is not None)

    def ask(self, command: str, timeout: float = 600.0, **args: Any) -> list[dict[str, Any]]:
        for pipe in self.pipes:
            pipe.send((command, args))
        answers = []
        for pipe in self.pipes:
            if not pipe.poll(timeout):
                raise TimeoutError(f"client process did not answer {command!r} in {timeout}s")
            answers.append(pipe.recv())
        return answers

    def close(self) -> None:
        with contextlib.suppress(TimeoutError, OSError, EOFError):
            self.ask("close", timeout=60)
        for process in self.processes:
            process.join(10)
            if process.is_alive():
                process.kill()


def _split(items: list[str], parts: int) -> list[list[str]]:
    return [items[i::parts] for i in range(parts)] if items else [[] for _ in range(parts)]


def vote_latencies(results: list[dict[str, Any]]) -> dict[str, Any]:
    """Ack at the voter to the first moment a watcher in *another* process shows the count."""
    samples: list[int] = []
    masked = unseen = skipped = 0
    n = len(results)
    unvoted = {row[1] for result in results for row in result["unvote_acks"]}
    for index, result in enumerate(results):
        history = results[(index + 1) % n]["history"]
        for _pid, question_id, votes, sent_ns, acked_ns in result["vote_acks"]:
            if question_id in unvoted:  # its count may fall: "at least n" is ambiguous there
                skipped += 1
                continue
            seen = history.get(question_id, [])
            times = [moment for moment, _ in seen]
            start = bisect.bisect_left(times, sent_ns)
            shown = next((moment for moment, count in seen[start:] if count >= votes), None)
            if shown is not None:
                samples.append(max(0, shown - acked_ns))
            elif start > 0 and seen[start - 1][1] >= votes:
                masked += 1
            else:
                unseen += 1
    return {
        **summary_ms(samples),
        "skipped_unvoted_questions": skipped,
        "masked": masked,
        "never_shown": unseen,
        "watcher_in_other_process": n > 1,
    }


def _window(stamps: list[int], start_ns: int, end_ns: int) -> int:
    return sum(1 for stamp in stamps if start_ns <= stamp < end_ns)


def _profile(
    config: BenchConfig, pid: int | None, name: str, seconds: float
) -> subprocess.Popen[bytes] | None:
    if config.profile_dir is None or pid is None:
        return None
    py_spy = shutil.which("py-spy") or str(Path(sys.executable).parent / "py-spy")
    if not Path(py_spy).exists():
        log("py-spy not found; no profile")
        return None
    config.profile_dir.mkdir(parents=True, exist_ok=True)
    return subprocess.Popen(
        [
            py_spy,
            "record",
            "--pid",
            str(pid),
            "--duration",
            str(int(seconds)),
            "--rate",
            "50",
            "--gil",  # only threads holding the GIL: where the Python CPU goes
            "--format",
            "raw",
            "-o",
            str(config.profile_dir / f"{name}.txt"),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def load_phase(
    config: BenchConfig,
    server: servers.Server,
    mode: str,
    drive_texts: list[str],
    asked_texts: list[str],
    database_url: str | None,
    name: str,
) -> dict[str, Any]:
    """Connect, drive, burst, verify. `mode` is "townhall" or "bare"."""
    pid = server.pid or (config.server_pid if mode == "townhall" else None)
    slug = config.slug
    out: dict[str, Any] = {}
    rss_idle = rss_bytes(pid) if pid else None
    log(f"{name}: opening {config.clients} sockets from {config.processes} processes")
    clients = Clients(config, server, mode, slug)
    try:
        started = time.monotonic()
        connects = clients.ask("connect")
        connected = sum(c["connected"] for c in connects)
        out["connect"] = {
            "connected": connected,
            "requested": config.clients,
            "failures": _merge_counts(c["failures"] for c in connects),
            "seconds": round(time.monotonic() - started, 2),
            "hello_to_snapshot": summary_ms(
                [x for c in connects for x in c["hello_to_snapshot_ns"]]
            ),
        }
        log(f"{name}: {connected} connected in {out['connect']['seconds']}s")
        if mode == "townhall" and config.seed_questions > 0:
            seeds = asked_texts[: config.seed_questions]
            out["seeded"] = _seed_questions(config, clients, seeds, database_url, slug)
        time.sleep(1.0)  # let the join storm's updates settle
        if pid:
            rss_loaded = rss_bytes(pid)
            out["memory"] = {
                "rss_before_mb": round((rss_idle or 0) / 2**20, 1),
                "rss_connected_mb": round(rss_loaded / 2**20, 1),
                "kb_per_connection": round(
                    (rss_loaded - (rss_idle or 0)) / 1024 / max(1, connected), 1
                ),
            }
        start_ns = time.monotonic_ns() + 1_000_000_000
        end_ns = start_ns + int(config.seconds * 1e9)
        texts = _split(drive_texts, len(clients.pipes))
        for pipe, share in zip(clients.pipes, texts, strict=True):
            pipe.send(
                (
                    "drive",
                    {
                        "start_ns": start_ns,
                        "seconds": config.seconds,
                        "votes_per_second": config.votes_per_second / len(clients.pipes),
                        "questions_per_second": config.questions_per_second / len(clients.pipes),
                        "unvote_ratio": config.unvote_ratio,
                        "texts": share or ["How will you reform the Security Council?"],
                        "max_inflight": config.max_inflight,
                        "max_asked": config.max_asked,
                        "drain_seconds": config.drain_seconds,
                    },
                )
            )
        time.sleep(max(0.0, (start_ns - time.monotonic_ns()) / 1e9))
        cpu_start = cpu_seconds(pid) if pid else None
        tree_cpu_start = tree_cpu_seconds(pid) if pid else None
        client_cpu_start = clients.cpu_seconds()
        spy = _profile(config, pid, name, config.seconds)
        time.sleep(max(0.0, (end_ns - time.monotonic_ns()) / 1e9))
        cpu_end = cpu_seconds(pid) if pid else None
        tree_cpu_end = tree_cpu_seconds(pid) if pid else None
        client_cpu = clients.cpu_seconds() - client_cpu_start
        drives = []
        for pipe in clients.pipes:
            if not pipe.poll(config.drain_seconds + 120):
                raise TimeoutError("client process did not finish driving")
            drives.append(pipe.recv())
        if spy is not None:
            spy.wait(60)
        burst: dict[str, Any] | None = None
        event = None
        if mode == "townhall" and config.burst > 0 and database_url is not None:
            event = verify.event_id(database_url, slug)
            burst_texts = asked_texts[config.seed_questions :]
            burst = _burst(config, clients, burst_texts, database_url, event, name, pid)
        results = clients.ask("results")
    finally:
        clients.close()

    seconds = config.seconds
    updates = [u for d in drives for u in d["updates_per_socket"]]
    delivered = sum(updates)
    vote_acked = [r[4] for res in results for r in res["vote_acks"]]
    unvote_acked = [r[3] for res in results for r in res["unvote_acks"]]
    question_acked = [r[3] for res in results for r in res["question_acks"]]
    votes_in_window = _window(vote_acked, start_ns, end_ns)
    unvotes_in_window = _window(unvote_acked, start_ns, end_ns)

    def rate(count: int) -> float:
        return round(count / seconds, 1)

    out["drive"] = {
        "seconds": seconds,
        "offered": _merge_counts(d["offered"] for d in drives),
        "votes_acked_per_second": rate(votes_in_window),
        "unvotes_acked_per_second": rate(unvotes_in_window),
        "actions_acked_per_second": rate(
            votes_in_window + unvotes_in_window + _window(question_acked, start_ns, end_ns)
        ),
        "votes_acked_total": len(vote_acked),
        "questions_acked_total": len(question_acked),
        "unanswered_after_drain": sum(d["unanswered_after_drain"] for d in drives),
        "refusals": _merge_counts(r["refusals"] for r in results),
        "errors": _merge_counts(r["errors"] for r in results),
        "close_codes": _merge_counts(r["close_codes"] for r in results),
        "open_at_end": sum(d["open_at_end"] for d in drives),
        "diff_gaps": sum(r["diff_gaps"] for r in results),
        "longest_send_loop_ms": round(max(d["longest_send_loop_ms"] for d in drives), 1),
        "open_questions_at_end": min(d["open_questions_at_end"] for d in drives),
    }
    out["updates"] = {
        "delivered": delivered,
        "per_second": rate(delivered),
        "per_socket_per_second_p50": _round(percentile([u / seconds for u in updates], 50)),
        "per_socket_per_second_p5": _round(percentile([u / seconds for u in updates], 5)),
        "per_socket_per_second_min": _round(min(updates) / seconds if updates else None),
    }
    out["vote_to_screen"] = vote_latencies(results)
    out["vote_to_ack"] = summary_ms(
        [acked - sent for res in results for *_, sent, acked in res["vote_acks"]]
    )
    # The clients share the machine: when they are near their cores' limit, latencies and
    # rates measure the clients as much as the server.
    out["client_cpu"] = {
        "processes": len(clients.processes),
        "cores_busy": round(client_cpu / seconds, 3),
    }
    if cpu_start is not None and cpu_end is not None:
        assert tree_cpu_start is not None and tree_cpu_end is not None
        # Everything the server runs counts, its model process included.
        cpu = tree_cpu_end - tree_cpu_start
        out["server_cpu"] = {
            "seconds": round(cpu, 3),
            "cores_busy": round(cpu / seconds, 3),
            "main_process_cores_busy": round((cpu_end - cpu_start) / seconds, 3),
            "us_per_delivered_message": _round(cpu * 1e6 / delivered if delivered else None),
            "us_per_vote": _round(cpu * 1e6 / votes_in_window if votes_in_window else None),
        }
    if burst is not None:
        out["dedup_burst"] = burst
    if mode == "townhall" and database_url is not None and event is not None:
        finals = [(p, q, bool(v)) for res in results for p, q, v in res["final"]]
        questions = [(r[0], r[1]) for res in results for r in res["question_acks"]]
        uncertain = [(p, q) for res in results for p, q in res.get("unvotes_unanswered", [])]
        out["verify"] = verify.lost_actions(database_url, event, finals, questions, uncertain)
        out["lost"] = out["verify"]["lost"]
    return out


def _seed_questions(
    config: BenchConfig, clients: Clients, texts: list[str], database_url: str | None, slug: str
) -> dict[str, Any]:
    """Questions to vote on, asked through the app before the drive; waits for their dedup."""
    count = min(config.seed_questions, config.clients)
    seed_texts = [f"{text} (seed)" for text in texts[:count]] or ["Seed question for voting?"]
    shares = _split(seed_texts, len(clients.pipes))
    counts = [
        count // len(shares) + (1 if i < count % len(shares) else 0) for i in range(len(shares))
    ]
    for pipe, share, n in zip(clients.pipes, shares, counts, strict=True):
        pipe.send(
            (
                "burst",
                {
                    "count": n,
                    "texts": share or seed_texts,
                    "max_asked": config.max_asked,
                    "drain_seconds": config.drain_seconds,
                },
            )
        )
    answers = [pipe.recv() for pipe in clients.pipes]
    if database_url is not None:
        event = verify.event_id(database_url, slug)
        deadline = time.monotonic() + config.dedup_timeout
        while time.monotonic() < deadline and verify.dedup_states(database_url, event).get(
            "pending", 0
        ):
            time.sleep(0.25)
    else:
        time.sleep(3.0)
    return _merge_counts(a["offered"] for a in answers)


def _burst(
    config: BenchConfig,
    clients: Clients,
    texts: list[str],
    database_url: str,
    event: int,
    name: str,
    pid: int | None,
) -> dict[str, Any]:
    before = verify.dedup_states(database_url, event)
    log(f"{name}: burst of {config.burst} questions (dedup states before: {before})")
    started = time.monotonic()
    spy = _profile(config, pid, f"{name}-burst", 10)
    shares = _split(texts, len(clients.pipes))
    counts = [
        config.burst // len(shares) + (1 if i < config.burst % len(shares) else 0)
        for i in range(len(shares))
    ]
    for pipe, share, count in zip(clients.pipes, shares, counts, strict=True):
        pipe.send(
            (
                "burst",
                {
                    "count": count,
                    "texts": share or ["A question?"],
                    "max_asked": config.max_asked,
                    "drain_seconds": config.drain_seconds,
                },
            )
        )
    answers = [pipe.recv() for pipe in clients.pipes]
    acked_seconds = time.monotonic() - started
    states = before
    while time.monotonic() - started < config.dedup_timeout:
        states = verify.dedup_states(database_url, event)
        if states.get("pending", 0) == 0:
            break
        time.sleep(0.25)
    drained = time.monotonic() - started
    if spy is not None:
        spy.wait(60)
    decided = states.get("done", 0) - before.get("done", 0)
    return {
        "offered": _merge_counts(a["offered"] for a in answers),
        "acked_within_seconds": round(acked_seconds, 2),
        "decided": decided,
        "still_pending": states.get("pending", 0),
        "seconds_to_drain": round(drained, 2),
        "questions_per_second": round(decided / drained, 1) if drained else None,
    }


def _merge_counts(counts: Any) -> dict[str, int]:
    merged: dict[str, int] = {}
    for count in counts:
        for key, value in count.items():
            merged[key] = merged.get(key, 0) + value
    return merged


def _round(value: float | None, digits: int = 2) -> float | None:
    return None if value is None else round(value, digits)


# -- similar questions and the big event ----------------------------------------------------


def similar_lookups(base_url: str, slug: str, texts: list[str]) -> dict[str, Any]:
    def get(text: str) -> tuple[int, int]:
        query = urllib.parse.urlencode({"text": text})
        started = time.monotonic_ns()
        with urllib.request.urlopen(
            f"{base_url}/api/events/{slug}/similar?{query}", timeout=60
        ) as response:
            found = len(json.loads(response.read())["similar"])
        return time.monotonic_ns() - started, found

    first, _ = get(texts[0])
    timings, found = [], 0
    for text in texts[1:]:
        took, hits = get(text)
        timings.append(took)
        found += hits
    return {
        "first_ms": round(first / 1e6, 1),
        **summary_ms(timings),
        "mean_results": round(found / max(1, len(timings)), 2),
    }


async def _snapshot_times(server: servers.Server, slug: str, connects: int) -> dict[str, Any]:
    from websockets.asyncio.client import connect

    timings, sizes = [], []
    for _ in range(connects):
        cookie = await fetch_cookie(server.base_url, slug)
        async with connect(
            f"{server.ws_url}/ws/events/{slug}",
            additional_headers={"Cookie": f"townhall_participant={cookie}"},
            max_size=2**24,
        ) as ws:
            started = time.monotonic_ns()
            await ws.send('{"type":"hello"}')
            while True:
                raw = await asyncio.wait_for(ws.recv(), 60)
                if isinstance(raw, str) and raw.startswith('{"type":"snapshot"'):
                    timings.append(time.monotonic_ns() - started)
                    sizes.append(len(raw.encode()))
                    break
    return {**summary_ms(timings), "snapshot_bytes": max(sizes) if sizes else None}


# -- the model ------------------------------------------------------------------------------


def model_phase(
    config: BenchConfig, ceiling_texts: list[str], fill_texts: list[str], workdir: Path
) -> tuple[dict[str, Any], Any]:
    import numpy as np

    from townhall.settings import DEFAULT_THRESHOLDS, default_model_path

    # The shipped scorer names the models (English alone, or with the multilingual encoder).
    models = str(default_model_path()) + DEFAULT_THRESHOLDS.name
    key = hashlib.sha256(("\n".join(fill_texts) + models).encode()).hexdigest()[:16]
    cached = CACHE / f"embeddings-{key}.npy"
    job: dict[str, Any] = {"ceiling_texts": ceiling_texts if config.ceiling else []}
    if fill_texts and not cached.exists():
        job.update({"fill_texts": fill_texts, "fill_out": str(workdir / "fill.npy")})
    report: dict[str, Any] = {}
    if job["ceiling_texts"] or job.get("fill_texts"):
        log(
            f"model: ceiling on {len(job['ceiling_texts'])} texts, embedding {len(job.get('fill_texts', []))} for filling"
        )
        (workdir / "encode.json").write_text(json.dumps(job))
        done = subprocess.run(
            [sys.executable, "-m", "townhall.bench.encode", str(workdir / "encode.json")],
            check=True,
            capture_output=True,
            text=True,
            env={**os.environ, "HF_HUB_OFFLINE": "1", "TOKENIZERS_PARALLELISM": "false"},
        )
        report = json.loads(done.stdout.strip().splitlines()[-1])
        if job.get("fill_texts"):
            CACHE.mkdir(parents=True, exist_ok=True)
            shutil.move(workdir / "fill.npy", cached)
    vectors = np.load(cached) if fill_texts else None
    report["fill_cached"] = "fill_texts" not in job and bool(fill_texts)
    return report, vectors


# -- the run --------------------------------------------------------------------------------


def _sqlite_url(path: Path) -> str:
    return f"sqlite+aiosqlite:///{path}"


def run(config: BenchConfig) -> dict[str, Any]:
    raise_nofile()
    workdir = Path(tempfile.mkdtemp(prefix="townhall-bench-"))
    texts, source = load_texts(config.texts if config.texts is not None else None)
    settings = Settings.from_env()
    document: dict[str, Any] = {
        "parameters": {
            k: (str(v) if isinstance(v, Path) else v) for k, v in asdict(config).items()
        },
        "machine": {
            "cpus": os.cpu_count(),
            "cpu_model": cpu_model(),
            "memory_gib": round(memory_total_bytes() / 2**30, 1),
            "python": platform.python_version(),
            "nofile_limit": raise_nofile(),
        },
        "server_settings": {
            "tick_seconds": settings.tick_seconds,
            "rate_actions": settings.rate_actions,
            "rate_questions": settings.rate_questions,
            "dedup_batch_size": settings.dedup_batch_size,
            "ws_compression": settings.ws_compression,
        },
        "texts": {"source": source, "distinct": len(texts)},
    }
    drive_texts = texts[: max(1, len(texts) // 2)]
    # Questions asked through the app: first the seeds to vote on, then the burst (distinct
    # texts, so neither merges into the other).
    asked_texts = texts[len(texts) // 2 :][: config.seed_questions + max(config.burst, 1)]
    need_fill = config.url is None and (config.similar_questions > 0 or config.big)
    fill_count = max(config.similar_questions, min(10_000, len(texts)) if config.big else 0)
    fill_texts = texts[:fill_count] if need_fill else []
    similar_texts = [
        t for t in texts[fill_count : fill_count + config.similar_requests + 1]
    ] or texts[: config.similar_requests + 1]
    try:
        model, vectors = model_phase(
            config,
            asked_texts[config.seed_questions :] if config.burst else texts[:256],
            fill_texts,
            workdir,
        )
        document["model"] = model
        document["runs"] = {}
        targets = [config.url] if config.url else config.databases
        for number, target in enumerate(targets):
            label = "postgresql" if target.startswith("postgres") else target
            try:
                label, result = _live_run(
                    config,
                    target,
                    number,
                    workdir,
                    drive_texts,
                    asked_texts,
                    texts,
                    vectors,
                    similar_texts,
                )
            except Exception as error:  # one failed phase must not lose the others' figures
                result = {"error": repr(error)}
            document["runs"][label] = result
            log(f"{label} done: {json.dumps(result)[:2000]}")
        if config.bare:
            log("bare: starting the websockets broadcast server")
            try:
                # The ceiling runs as our server does: compressing only if ours does.
                bare_compression = config.compression if settings.ws_compression else "none"
                bare = servers.start_bare(workdir, settings.tick_seconds, bare_compression)
                try:
                    document["bare_websockets"] = load_phase(
                        config, bare, "bare", drive_texts, [], None, "bare"
                    )
                finally:
                    bare.stop()
            except Exception as error:
                document["bare_websockets"] = {"error": repr(error)}
            log(f"bare done: {json.dumps(document['bare_websockets'])[:2000]}")
        if config.big and config.url is None:
            try:
                document["big_event"] = _big_run(config, workdir, texts, vectors, similar_texts)
            except Exception as error:
                document["big_event"] = {"error": repr(error)}
            log(f"big done: {json.dumps(document['big_event'])}")
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    document["targets"] = targets_table(document, config)
    document["lost"] = sum(run.get("lost") or 0 for run in document.get("runs", {}).values())
    return document


def _live_run(
    config: BenchConfig,
    target: str,
    number: int,
    workdir: Path,
    drive_texts: list[str],
    asked_texts: list[str],
    texts: list[str],
    vectors: Any,
    similar_texts: list[str],
) -> tuple[str, dict[str, Any]]:
    from townhall.bench.fill import fill_event

    if config.url:
        server = servers.existing(config.url)
        database_url = (
            config.databases[0] if config.databases and config.databases[0] != "sqlite" else None
        )
        label, admin = "existing", None
    elif target == "sqlite":
        database_url = _sqlite_url(workdir / f"live-{number}.db")
        label, admin = "sqlite", None
    else:
        admin = target
        database_url = servers.create_postgres_database(target)
        label = "postgresql"
    result: dict[str, Any] = {"database": label}
    try:
        if config.url is None:
            assert database_url is not None  # the bench made it
            filled = None
            if label == "sqlite" and config.similar_questions > 0 and vectors is not None:
                servers.prepare_database(database_url, workdir)
                log(
                    f"{label}: writing {config.similar_questions} questions into {config.similar_slug}"
                )
                filled = fill_event(
                    workdir / f"live-{number}.db",
                    config.similar_slug,
                    texts[: config.similar_questions],
                    vectors[: config.similar_questions],
                    questions=config.similar_questions,
                    participants=max(1, config.similar_questions // 5),
                    votes=config.similar_questions,
                )
            log(f"{label}: starting townhall")
            server = servers.start_townhall(database_url, workdir, f"server-{label}")
        try:
            result.update(
                load_phase(
                    config, server, "townhall", drive_texts, asked_texts, database_url, label
                )
            )
            if config.url is None and label == "sqlite" and config.similar_questions > 0:
                log(f"{label}: similar-question lookups on {config.similar_questions} questions")
                result["similar"] = {
                    "questions": filled.questions if filled else None,
                    **similar_lookups(server.base_url, config.similar_slug, similar_texts),
                }
            if server.pid:
                result["server_rss_end_mb"] = round(rss_bytes(server.pid) / 2**20, 1)
        finally:
            server.stop()
    finally:
        if admin is not None and database_url is not None:
            servers.drop_postgres_database(admin, database_url)
    return label, result


def _big_run(
    config: BenchConfig, workdir: Path, texts: list[str], vectors: Any, similar_texts: list[str]
) -> dict[str, Any]:
    from townhall.bench.fill import fill_event

    path = workdir / "big.db"
    database_url = _sqlite_url(path)
    servers.prepare_database(database_url, workdir)
    log(f"big: writing {config.big_questions} questions and ~{config.big_votes} votes")
    filled = fill_event(
        path,
        config.slug,
        texts[: len(vectors)],
        vectors,
        questions=config.big_questions,
        participants=config.big_participants,
        votes=config.big_votes,
    )
    log(f"big: filled in {filled.seconds:.0f}s; starting townhall")
    server = servers.start_townhall(database_url, workdir, "server-big")
    try:
        snapshot = asyncio.run(_snapshot_times(server, config.slug, config.big_connects))
        log("big: similar-question lookups")
        similar = similar_lookups(server.base_url, config.slug, similar_texts)
        rss = rss_bytes(server.pid) if server.pid else 0
    finally:
        server.stop()
    return {
        "questions": filled.questions,
        "votes": filled.votes,
        "participants": filled.participants,
        "distinct_embeddings": len(vectors),
        "fill_seconds": round(filled.seconds, 1),
        "database_mb": round(path.stat().st_size / 2**20, 1) if path.exists() else None,
        "snapshot_on_connect": snapshot,
        "similar": similar,
        "server_rss_mb": round(rss / 2**20, 1),
    }


def targets_table(document: dict[str, Any], config: BenchConfig) -> list[dict[str, Any]]:
    """Each target beside the figure measured for it (reported, never asserted)."""
    rows: list[dict[str, Any]] = []

    def add(name: str, target: str, measured: Any, met: bool | None) -> None:
        rows.append({"target": name, "wanted": target, "measured": measured, "met": met})

    bare = document.get("bare_websockets", {}).get("server_cpu", {}).get("us_per_delivered_message")
    ceiling = document.get("model", {}).get("questions_per_second")
    for label, run in document.get("runs", {}).items():
        connected = run.get("connect", {}).get("connected", 0)
        add(
            f"{label}: participants connected",
            f">= 5000 (asked for {config.clients})",
            connected,
            connected >= 5000,
        )
        rate = run.get("updates", {}).get("per_socket_per_second_p5")
        add(
            f"{label}: queue updates per screen (5th percentile)",
            ">= 2/s",
            rate,
            None if rate is None else rate >= 2,
        )
        p99 = run.get("vote_to_screen", {}).get("p99_ms")
        add(
            f"{label}: vote to another screen p99",
            "<= 500 ms",
            p99,
            None if p99 is None else p99 <= 500,
        )
        ours = run.get("server_cpu", {}).get("us_per_delivered_message")
        ratio = round(ours / bare, 2) if ours and bare else None
        add(
            f"{label}: server CPU per delivered update vs bare websockets",
            "<= 1.5x",
            ratio,
            None if ratio is None else ratio <= 1.5,
        )
        votes = run.get("drive", {}).get("votes_acked_per_second")
        add(
            f"{label}: durable votes/s (offered {config.votes_per_second:g}/s)",
            ">= 3000/s",
            votes,
            None if votes is None else votes >= 3000,
        )
        dedup = run.get("dedup_burst", {}).get("questions_per_second")
        dratio = round(dedup / ceiling, 2) if dedup and ceiling else None
        add(
            f"{label}: dedup burst vs model batched encode",
            ">= 0.8x",
            dratio,
            None if dratio is None else dratio >= 0.8,
        )
        add(
            f"{label}: acknowledged but lost",
            "0",
            run.get("lost"),
            None if run.get("lost") is None else run.get("lost") == 0,
        )
        similar = run.get("similar", {}).get("p95_ms")
        if similar is not None:
            add(
                f"{label}: similar lookup p95 ({run['similar']['questions']} questions)",
                "<= 150 ms",
                similar,
                similar <= 150,
            )
    big = document.get("big_event")
    if big:
        snap = big["snapshot_on_connect"].get("p95_ms")
        add(
            "big event: snapshot on connect p95",
            "< 1000 ms",
            snap,
            None if snap is None else snap < 1000,
        )
        sim = big["similar"].get("p95_ms")
        add("big event: similar lookup p95", "< 150 ms", sim, None if sim is None else sim < 150)
    return rows
