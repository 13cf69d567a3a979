"""Operators' endpoints: /metrics counts what the server did and is for operators only;
/readyz turns 503 when the database is unreachable and while shutting down."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import replace

import httpx
import pytest
from conftest import POSTGRES_URL, Database, ServerFactory, seed
from faults.proxy import CuttableProxy
from prometheus_client.parser import text_string_to_metric_families
from screens import TestScreen
from sqlalchemy.engine import make_url

from townhall.app import create_app
from townhall.dedup.embedder import Embedder
from townhall.settings import Settings

FAMILIES = {
    "townhall_accepted",
    "townhall_batch_size",
    "townhall_batch_seconds",
    "townhall_commit_seconds",
    "townhall_commit_statements",
    "townhall_commit_round_trips",
    "townhall_commit_db_wait_seconds",
    "townhall_commit_cpu_seconds",
    "townhall_tick_render_seconds",
    "townhall_tick_fan_out_seconds",
    "townhall_tick_sockets_written",
    "townhall_tick_sockets_resumed",
    "townhall_outbox_drops",
    "townhall_resyncs",
    "townhall_sockets",
    "townhall_dedup_queue_depth",
    "process_cpu_seconds",
}


def _samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


async def test_metrics_count_votes_batches_commits_and_ticks(
    database: Database, start_server: ServerFactory
) -> None:
    demo = await seed(database)
    server = await start_server(database)
    alice = await TestScreen(server.base_url, server.ws_url, demo.slug).open()
    bruno = await TestScreen(server.base_url, server.ws_url, demo.slug).open()
    asked = await alice.act("submit_question", text="How will you make the Council listen?")
    question_id = asked["result"]["question_id"]
    await bruno.act("vote", question_id=question_id)
    await alice.wait_for(lambda: alice.votes(question_id) == 2)

    async with httpx.AsyncClient(base_url=server.base_url) as http:
        response = await http.get("/metrics")
    await alice.close()
    await bruno.close()

    assert response.status_code == 200
    families = {family.name for family in text_string_to_metric_families(response.text)}
    assert families >= FAMILIES
    samples = _samples(response.text)
    assert samples[("townhall_accepted_total", (("kind", "votes"),))] == 1
    assert samples[("townhall_accepted_total", (("kind", "questions"),))] == 1
    assert samples[("townhall_batch_size_count", (("kind", "votes"),))] == 1
    assert samples[("townhall_sockets", (("audience", "participant"),))] == 2
    commits = samples[("townhall_commit_statements_count", ())]
    statements = samples[("townhall_commit_statements_sum", ())]
    assert commits >= 2 and statements >= commits
    # Each group takes its connection (BEGIN) and commits: two round trips beyond statements.
    assert samples[("townhall_commit_round_trips_total", ())] == statements + 2 * commits
    assert samples[("townhall_tick_render_seconds_count", ())] >= 1
    written = samples[("townhall_tick_sockets_written_total", ())]
    resumed = samples[("townhall_tick_sockets_resumed_total", ())]
    assert written + resumed >= 2  # the vote's update reached both screens


@pytest.mark.parametrize(
    ("headers", "status"),
    [({}, 401), ({"Authorization": "Bearer wrong-token-0123456789"}, 401)],
)
async def test_metrics_with_a_token_refuses_a_request_without_it(
    sqlite_database: Database,
    start_server: ServerFactory,
    headers: dict[str, str],
    status: int,
) -> None:
    server = await start_server(sqlite_database, metrics_token="operators-token-0123456789")

    async with httpx.AsyncClient(base_url=server.base_url) as http:
        refused = await http.get("/metrics", headers=headers)
        allowed = await http.get(
            "/metrics", headers={"Authorization": "Bearer operators-token-0123456789"}
        )

    assert (refused.status_code, refused.headers["www-authenticate"]) == (status, "Bearer")
    assert allowed.status_code == 200


async def test_metrics_without_a_token_refuses_clients_outside_its_networks(
    sqlite_database: Database, start_server: ServerFactory
) -> None:
    outside = await start_server(sqlite_database, metrics_networks="10.0.0.0/8")
    local = await start_server(sqlite_database)

    async with httpx.AsyncClient() as http:
        from_outside = await http.get(f"{outside.base_url}/metrics")
        proxied = await http.get(
            f"{local.base_url}/metrics", headers={"X-Forwarded-For": "203.0.113.9"}
        )
        direct = await http.get(f"{local.base_url}/metrics")

    assert (from_outside.status_code, proxied.status_code, direct.status_code) == (403, 403, 200)


async def test_readyz_is_ready_and_healthz_alive(
    sqlite_database: Database, start_server: ServerFactory
) -> None:
    server = await start_server(sqlite_database)

    async with httpx.AsyncClient(base_url=server.base_url) as http:
        ready = await http.get("/readyz")
        alive = await http.get("/healthz")

    assert (ready.status_code, ready.json()) == (
        200,
        {"ready": True, "checks": {"database": "ok", "dedup": "ok", "shutdown": "no"}},
    )
    assert (alive.status_code, alive.json()) == (200, {"ok": True})


@pytest.mark.skipif(not POSTGRES_URL, reason="needs TOWNHALL_TEST_POSTGRES_URL")
async def test_readyz_turns_503_when_the_database_is_unreachable(
    postgres_database: Database, start_server: ServerFactory
) -> None:
    target = make_url(postgres_database.url)
    proxy = CuttableProxy(target.host or "127.0.0.1", target.port or 5432)
    await proxy.start()
    through = target.set(host="127.0.0.1", port=proxy.port)
    database = Database(
        through.render_as_string(hide_password=False), postgres_database.schema, "postgres"
    )
    server = await start_server(database, readiness_timeout_seconds=1.0)
    try:
        async with httpx.AsyncClient(base_url=server.base_url) as http:
            before = await http.get("/readyz")
            await proxy.cut()
            during = await http.get("/readyz")
            alive = await http.get("/healthz")
    finally:
        await proxy.close()

    assert before.status_code == 200
    assert during.status_code == 503
    assert during.json()["checks"]["database"].startswith("unreachable")
    assert alive.status_code == 200


async def test_readyz_turns_503_as_soon_as_shutdown_begins(
    sqlite_database: Database, settings: Settings, embedder: Embedder
) -> None:
    app = create_app(replace(settings, database_url=sqlite_database.url), embedder=embedder)
    lifespan = app.router.lifespan_context(app)
    await lifespan.__aenter__()
    transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 4000))
    stopping, release = asyncio.Event(), asyncio.Event()
    dedup = app.state.townhall.dedup
    stop_dedup = dedup.stop

    async def held_stop() -> None:  # shutdown pauses here, its first step
        stopping.set()
        await release.wait()
        await stop_dedup()

    dedup.stop = held_stop
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
        before = await http.get("/readyz")
        shutdown = asyncio.create_task(lifespan.__aexit__(None, None, None))
        await stopping.wait()
        during = await http.get("/readyz")
        release.set()
        await shutdown

    assert before.status_code == 200
    assert (during.status_code, during.json()["checks"]["shutdown"]) == (503, "shutting down")


async def test_slow_batch_is_logged_once_for_many_slow_ones_with_its_parts(
    sqlite_database: Database, start_server: ServerFactory, caplog: pytest.LogCaptureFixture
) -> None:
    demo = await seed(sqlite_database)
    caplog.set_level(logging.WARNING, logger="townhall.live.metrics")
    server = await start_server(sqlite_database, slow_batch_ms=0.0)
    alice = await TestScreen(server.base_url, server.ws_url, demo.slug).open()
    asked = await alice.act("submit_question", text="Will you publish the Council's minutes?")
    question_id = asked["result"]["question_id"]
    await alice.act("unvote", question_id=question_id)
    await alice.act("vote", question_id=question_id)  # each slow, all within the quiet time
    await alice.close()

    lines = [r.getMessage() for r in caplog.records if r.name == "townhall.live.metrics"]
    assert len(lines) == 1
    [line] = lines
    assert line.startswith("slow batch: ")
    for part in ("actions", "statements", "round trips", "database wait", "Python CPU"):
        assert part in line


async def test_readyz_turns_503_while_the_redis_fan_out_is_disconnected(
    sqlite_database: Database, start_server: ServerFactory
) -> None:
    server = await start_server(sqlite_database, redis_url="redis://127.0.0.1:1/0")  # no Redis

    async with httpx.AsyncClient(base_url=server.base_url) as http:
        ready = await http.get("/readyz")

    assert (ready.status_code, ready.json()["checks"]["fan_out"]) == (503, "disconnected")
