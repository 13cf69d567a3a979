"""The integrity bench's phases, with small numbers, against a real server with the default
per-network limits (the full run: `make integrity`, docs/integrity.md)."""

from __future__ import annotations

from conftest import Database, ServerFactory, seed

from townhall.bench.integrity import IntegrityConfig, Target, run_phases
from townhall.settings import Settings


async def test_integrity_phases_script_capped_neighbours_and_hall_get_in(
    sqlite_database: Database, start_server: ServerFactory
) -> None:
    demo = await seed(sqlite_database)
    defaults = Settings()
    server = await start_server(
        sqlite_database,
        trusted_proxies="127.0.0.1",  # the bench plays the reverse proxy
        rate_new_identities=defaults.rate_new_identities,
        rate_network_questions=defaults.rate_network_questions,
        rate_network_supporters=defaults.rate_network_supporters,
    )
    config = IntegrityConfig(seconds=3, attack_rate=60, honest=4, venue_people=12)

    results = await run_phases(
        Target(server.base_url, server.ws_url, demo.slug, demo.moderator_key), config
    )

    script = results["script_and_neighbours"]["script"]
    assert script["votes_landed"] == 40  # TOWNHALL_RATE_NETWORK_SUPPORTERS = 40/hour
    assert sum(script["attempts"].values()) == sum(script["outcomes"].values()) >= 100
    assert results["script_and_neighbours"]["neighbours"] == {
        "people": 4,
        "joined": 4,
        "votes": 12,
        "votes_landed": 12,
        "refused": {},
        "failures": [],
        "all_landed": True,
    }
    hall = results["venue"]
    assert (hall["joined_and_voted"], hall["all_within_5_minutes"]) == (12, True)
