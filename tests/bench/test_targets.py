"""The bench's targets table: ratios to the same run's bare server, as issue 16 states them."""

from __future__ import annotations

from typing import Any

from townhall.bench.config import BenchConfig
from townhall.bench.targets import targets_table


def _run(votes: float, p99: float, per_update: float, per_vote: float, cores: float) -> Any:
    return {
        "connect": {"connected": 300},
        "updates": {"per_socket_per_second_p5": 4.9},
        "vote_to_screen": {"p99_ms": p99},
        "drive": {"votes_acked_per_second": votes},
        "server_cpu": {
            "us_per_delivered_message": per_update,
            "us_per_vote": per_vote,
            "main_process_cores_busy": cores,
        },
        "dedup_burst": {"questions_per_second": 160.0},
        "lost": 0,
    }


DOCUMENT = {
    "model": {"questions_per_second": 200.0},
    "bare_websockets": _run(votes=190.0, p99=200.0, per_update=60.0, per_vote=450.0, cores=0.09),
    "runs": {
        "sqlite": _run(votes=187.0, p99=240.0, per_update=85.0, per_vote=1300.0, cores=0.28),
        "postgresql": _run(votes=140.0, p99=450.0, per_update=95.0, per_vote=1400.0, cores=0.31),
    },
}


def _met(rows: list[dict[str, Any]]) -> dict[str, Any]:
    return {row["target"]: (row["measured"], row["met"]) for row in rows}


def test_targets_are_ratios_to_the_bare_server_of_the_same_run() -> None:
    rows = _met(targets_table(DOCUMENT, BenchConfig(clients=300, votes_per_second=200)))

    assert rows["sqlite: durable votes/s vs bare websockets (offered 200/s)"] == (
        {"per_second": 187.0, "vs_bare": 0.98},
        True,
    )
    assert rows["postgresql: durable votes/s vs bare websockets (offered 200/s)"] == (
        {"per_second": 140.0, "vs_bare": 0.74},
        False,
    )
    # Under 500 ms but more than twice the bare server's 200 ms: missed.
    assert rows["postgresql: vote to another screen p99"] == ({"ms": 450.0, "vs_bare": 2.25}, False)
    assert rows["sqlite: vote to another screen p99"] == ({"ms": 240.0, "vs_bare": 1.2}, True)
    assert rows["sqlite: server CPU per delivered update vs bare websockets"] == (1.42, True)
    assert rows["sqlite: dedup burst vs model batched encode"] == (0.8, True)
    assert rows["sqlite: small load, server main process"] == (0.28, True)
    assert rows["postgresql: small load, server main process"] == (0.31, False)
    assert rows["sqlite: small load, server CPU per vote vs bare websockets"] == (2.89, True)
    assert rows["postgresql: small load, server CPU per vote vs bare websockets"] == (3.11, False)


def test_small_load_targets_only_for_a_small_load() -> None:
    rows = _met(targets_table(DOCUMENT, BenchConfig(clients=5000, votes_per_second=3000)))

    assert not [name for name in rows if "small load" in name]
    assert rows["sqlite: participants connected"] == (300, False)


def test_without_a_bare_run_the_ratios_are_not_judged() -> None:
    alone = {key: value for key, value in DOCUMENT.items() if key != "bare_websockets"}
    rows = _met(targets_table(alone, BenchConfig(clients=300, votes_per_second=200)))

    assert rows["sqlite: durable votes/s vs bare websockets (offered 200/s)"] == (
        {"per_second": 187.0, "vs_bare": None},
        None,
    )
    assert rows["sqlite: server CPU per delivered update vs bare websockets"] == (None, None)
