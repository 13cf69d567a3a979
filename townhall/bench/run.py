"""The bench itself: phases in order, one JSON document at the end (progress on stderr).

1. the model alone (encode ceiling; embeddings for the filled events, cached under var/);
2. per database: our server under N sockets driven at V votes/s and Q questions/s for D
   seconds, then a burst of questions for dedup, then the database check for lost actions;
   the similar-question lookup on a second event filled with many questions;
3. the bare `websockets` broadcast server under the same load;
4. with `big`: a 100,000-question, 3,600,000-vote event: snapshot on connect and lookups.
"""

from __future__ import annotations

import json
import os
import platform
import shutil
import tempfile
from dataclasses import asdict
from pathlib import Path
from typing import Any

from townhall.bench import servers
from townhall.bench.config import BenchConfig, log
from townhall.bench.load import load_phase
from townhall.bench.model import model_phase
from townhall.bench.procstat import cpu_model, memory_total_bytes, raise_nofile, rss_bytes
from townhall.bench.servers import serving_pids
from townhall.bench.similar import big_run, similar_lookups
from townhall.bench.targets import targets_table
from townhall.bench.texts import load_texts
from townhall.settings import Settings

__all__ = ["BenchConfig", "run"]


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
        number = 0
        for target in targets:
            for workers in [1] if config.url else config.workers:
                label = "postgresql" if target.startswith("postgres") else target
                if workers > 1 and label != "postgresql":
                    log(f"{label}: several workers need PostgreSQL; {workers} workers skipped")
                    continue
                if workers > 1:
                    label = f"{label}, {workers} workers"
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
                        workers,
                    )
                except Exception as error:  # one failed phase must not lose the others' figures
                    result = {"error": repr(error)}
                number += 1
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
                document["big_event"] = big_run(config, workdir, texts, vectors, similar_texts)
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
    workers: int = 1,
) -> tuple[str, dict[str, Any]]:
    from townhall.bench.fill import fill_event

    if config.url:
        server = servers.existing(config.url)
        database_url = (
            config.databases[0] if config.databases and config.databases[0] != "sqlite" else None
        )
        label, admin = "existing", None
    elif target == "sqlite":
        database_url = servers.sqlite_url(workdir / f"live-{number}.db")
        label, admin = "sqlite", None
    else:
        admin = target
        database_url = servers.create_postgres_database(target)
        label = "postgresql" if workers == 1 else f"postgresql, {workers} workers"
    result: dict[str, Any] = {"database": label, "workers": workers}
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
            server = servers.start_townhall(
                database_url,
                workdir,
                f"server-{number}",
                workers=workers,
                redis_url=config.redis_url,
            )
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
                result["server_rss_end_mb"] = round(
                    sum(rss_bytes(pid) for pid in serving_pids(server)) / 2**20, 1
                )
        finally:
            server.stop()
    finally:
        if admin is not None and database_url is not None:
            servers.drop_postgres_database(admin, database_url)
    return label, result
