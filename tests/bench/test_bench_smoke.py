"""A tiny run of `townhall bench`: every figure is there and nothing acknowledged is lost."""

from __future__ import annotations

import json
import subprocess
import sys

from townhall.settings import PROJECT_ROOT

RUN_FIELDS = {
    "connect",
    "memory",
    "drive",
    "updates",
    "vote_to_screen",
    "server_cpu",
    "dedup_burst",
    "verify",
    "lost",
    "similar",
    "server_counters",
}


def test_bench_tiny_run_reports_every_figure_and_loses_nothing() -> None:
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "townhall.bench",
            "--clients",
            "20",
            "--processes",
            "2",
            "--votes",
            "20",
            "--questions",
            "1",
            "--seconds",
            "2",
            "--burst",
            "10",
            "--seed-questions",
            "20",
            "--similar-questions",
            "100",
            "--similar-requests",
            "5",
            "--drain-seconds",
            "10",
        ],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=180,
        check=True,
    )

    document = json.loads(done.stdout)

    run = document["runs"]["sqlite"]
    assert set(run) >= RUN_FIELDS
    assert run["lost"] == 0
    assert document["lost"] == 0
    assert run["connect"]["connected"] == 20
    assert {"us_per_delivered_message", "us_per_vote"} <= set(run["server_cpu"])
    assert {"p50_ms", "p95_ms", "p99_ms"} <= set(run["vote_to_screen"])
    counters = run["server_counters"]
    assert counters["vote_batches"]["votes_accepted"] > 0
    assert counters["group_commits"]["statements"]["mean"] > 0
    assert counters["ticks"]["count"] > 0
    assert {"connect", "updates", "server_cpu"} <= set(document["bare_websockets"])
    assert document["model"]["questions_per_second"] > 0
    assert {"parameters", "machine", "targets"} <= set(document)
