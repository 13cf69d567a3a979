"""The vote phase: connect the sockets, drive votes and questions, measure, verify."""

from __future__ import annotations

import bisect
import contextlib
import time
from typing import Any

from townhall.bench import counters, servers, verify
from townhall.bench.burst import burst_phase, seed_questions
from townhall.bench.config import BenchConfig, log
from townhall.bench.pool import Clients, merge_counts, profile, split
from townhall.bench.procstat import cpu_seconds, rss_bytes, tree_cpu_seconds
from townhall.bench.stats import percentile, summary_ms


def vote_latencies(results: list[dict[str, Any]]) -> dict[str, Any]:
    """From sending the vote to the first moment a watcher in *another* process shows the count.

    From sending, not from the voter's acknowledgement: a batch that closes just before the
    tick (actions/cadence.py) is acknowledged just before the tick shows it, so time from the
    ack would leave out the wait for the batch."""
    samples: list[int] = []
    masked = unseen = skipped = 0
    n = len(results)
    unvoted = {row[1] for result in results for row in result["unvote_acks"]}
    for index, result in enumerate(results):
        history = results[(index + 1) % n]["history"]
        for _pid, question_id, votes, sent_ns, _acked_ns in result["vote_acks"]:
            if question_id in unvoted:  # its count may fall: "at least n" is ambiguous there
                skipped += 1
                continue
            seen = history.get(question_id, [])
            times = [moment for moment, _ in seen]
            start = bisect.bisect_left(times, sent_ns)
            shown = next((moment for moment, count in seen[start:] if count >= votes), None)
            if shown is not None:
                samples.append(max(0, shown - sent_ns))
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


def _cpu_seconds(pids: list[int]) -> float:
    total = 0.0
    for pid in pids:
        with contextlib.suppress(OSError, ValueError):  # a worker that ended meanwhile
            total += cpu_seconds(pid)
    return total


def _window(stamps: list[int], start_ns: int, end_ns: int) -> int:
    return sum(1 for stamp in stamps if start_ns <= stamp < end_ns)


def _round(value: float | None, digits: int = 2) -> float | None:
    return None if value is None else round(value, digits)


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
    rss_idle = sum(rss_bytes(each) for each in servers.serving_pids(server, pid)) if pid else None
    log(f"{name}: opening {config.clients} sockets from {config.processes} processes")
    clients = Clients(config, server, mode, slug)
    try:
        started = time.monotonic()
        connects = clients.ask("connect")
        connected = sum(c["connected"] for c in connects)
        out["connect"] = {
            "connected": connected,
            "requested": config.clients,
            "failures": merge_counts(c["failures"] for c in connects),
            "seconds": round(time.monotonic() - started, 2),
            "hello_to_snapshot": summary_ms(
                [x for c in connects for x in c["hello_to_snapshot_ns"]]
            ),
        }
        log(f"{name}: {connected} connected in {out['connect']['seconds']}s")
        if mode == "townhall" and config.seed_questions > 0:
            seeds = asked_texts[: config.seed_questions]
            out["seeded"] = seed_questions(config, clients, seeds, database_url, slug)
        time.sleep(1.0)  # let the join storm's updates settle
        serving = servers.serving_pids(server, pid)
        if pid:
            rss_loaded = sum(rss_bytes(each) for each in serving)
            out["memory"] = {
                "rss_before_mb": round((rss_idle or 0) / 2**20, 1),
                "rss_connected_mb": round(rss_loaded / 2**20, 1),
                "kb_per_connection": round(
                    (rss_loaded - (rss_idle or 0)) / 1024 / max(1, connected), 1
                ),
            }
        start_ns = time.monotonic_ns() + 1_000_000_000
        end_ns = start_ns + int(config.seconds * 1e9)
        texts = split(drive_texts, len(clients.pipes))
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
        counters_before = counters.scrape(server.base_url) if mode == "townhall" else None
        time.sleep(max(0.0, (start_ns - time.monotonic_ns()) / 1e9))
        cpu_start = _cpu_seconds(serving) if pid else None
        tree_cpu_start = tree_cpu_seconds(pid) if pid else None
        client_cpu_start = clients.cpu_seconds()
        spy = profile(config, pid, name, config.seconds)
        time.sleep(max(0.0, (end_ns - time.monotonic_ns()) / 1e9))
        cpu_end = _cpu_seconds(serving) if pid else None
        tree_cpu_end = tree_cpu_seconds(pid) if pid else None
        client_cpu = clients.cpu_seconds() - client_cpu_start
        drives = []
        for pipe in clients.pipes:
            if not pipe.poll(config.drain_seconds + 120):
                raise TimeoutError("client process did not finish driving")
            drives.append(pipe.recv())
        if counters_before is not None:
            # The server's own account of the drive (and its drain), before the burst.
            out["server_counters"] = counters.summarise(
                counters_before, counters.scrape(server.base_url)
            )
        if spy is not None:
            spy.wait(60)
        burst: dict[str, Any] | None = None
        event = None
        if mode == "townhall" and config.burst > 0 and database_url is not None:
            event = verify.event_id(database_url, slug)
            burst_texts = asked_texts[config.seed_questions :]
            burst = burst_phase(config, clients, burst_texts, database_url, event, name, pid)
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
        "offered": merge_counts(d["offered"] for d in drives),
        "votes_acked_per_second": rate(votes_in_window),
        "unvotes_acked_per_second": rate(unvotes_in_window),
        "actions_acked_per_second": rate(
            votes_in_window + unvotes_in_window + _window(question_acked, start_ns, end_ns)
        ),
        "votes_acked_total": len(vote_acked),
        "questions_acked_total": len(question_acked),
        "unanswered_after_drain": sum(d["unanswered_after_drain"] for d in drives),
        "refusals": merge_counts(r["refusals"] for r in results),
        # Overload (TOWNHALL_MAX_WAIT_SECONDS): what the server refused as busy instead of
        # queueing; vote_to_ack below is the acknowledgement time of what it accepted.
        "shed": _shed(
            merge_counts(r["refusals"] for r in results), merge_counts(d["offered"] for d in drives)
        ),
        "errors": merge_counts(r["errors"] for r in results),
        "close_codes": merge_counts(r["close_codes"] for r in results),
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
            # With several workers: the supervisor and every worker, not their model processes.
            "main_process_cores_busy": round((cpu_end - cpu_start) / seconds, 3),
            "serving_processes": len(serving),
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


def _shed(refusals: dict[str, int], offered: dict[str, int]) -> dict[str, Any]:
    votes = refusals.get("vote:busy", 0) + refusals.get("unvote:busy", 0)
    questions = refusals.get("submit_question:busy", 0)
    sent = sum(offered.get(kind, 0) for kind in ("vote", "unvote", "question"))
    return {
        "votes": votes,
        "questions": questions,
        "share_of_sent": round((votes + questions) / sent, 4) if sent else None,
    }
