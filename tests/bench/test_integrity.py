"""The integrity bench's phases, with small numbers, against a real server with the default
per-network limits (the full run: `make integrity`, docs/integrity.md)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from conftest import Database, ServerFactory
from smtp_inbox import Inbox, running_inbox

from townhall.bench.integrity import IntegrityConfig, Target, run_phases
from townhall.bench.verified import VerifiedConfig, VerifiedSetup
from townhall.settings import Settings
from townhall.store.db import create_engine, session_factory
from townhall.store.demo import VERIFIED_SLUG, DemoEvent, seed_demo


@pytest.fixture
def inbox() -> Iterator[Inbox]:
    with running_inbox() as running:
        yield running


async def _seed_with_verified_event(database: Database) -> list[DemoEvent]:
    engine = create_engine(database.url, schema=database.schema)
    try:
        async with session_factory(engine, write=True)() as session, session.begin():
            return await seed_demo(session, datetime.now(UTC), verified_event=True)
    finally:
        await engine.dispose()


async def test_integrity_phases_script_capped_honest_get_in_unverified_land_nothing(
    sqlite_database: Database, start_server: ServerFactory, inbox: Inbox
) -> None:
    demo = await _seed_with_verified_event(sqlite_database)
    defaults = Settings()
    server = await start_server(
        sqlite_database,
        trusted_proxies="127.0.0.1",  # the bench plays the reverse proxy
        rate_new_identities=defaults.rate_new_identities,
        rate_network_questions=defaults.rate_network_questions,
        rate_network_supporters=defaults.rate_network_supporters,
        smtp_url=inbox.smtp_url,
        mail_from="Town hall bench <bench@example.org>",
    )
    checked = VerifiedConfig(
        seconds=6, rate=20, bursts=2, burst_size=40, people=3, probe_http=10, probe_ws=4
    )
    config = IntegrityConfig(seconds=3, attack_rate=60, honest=4, venue_people=12, verified=checked)
    open_event = demo[0]
    (verified_event,) = [event for event in demo if event.slug == VERIFIED_SLUG]
    setup = VerifiedSetup(
        Target(server.base_url, server.ws_url, verified_event.slug, verified_event.moderator_key),
        sqlite_database.url,
        inbox,
    )

    results = await run_phases(
        Target(server.base_url, server.ws_url, open_event.slug, open_event.moderator_key),
        config,
        verified=setup,
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

    phase = results["verified"]
    attacker = phase["attacker"]
    assert (phase["mode"], phase["zero_landed"], phase["all_verified_landed"]) == (
        "email",
        True,
        True,
    )
    assert phase["landed_without_verification"] == {
        "votes": 0,
        "questions": 0,
        "links_accepted": 0,
    }
    assert attacker["in_bursts"] == 80
    assert attacker["total"] == attacker["paced"] + 80 == sum(attacker["refused_by_code"].values())
    assert attacker["acknowledged"] == 0
    # a replayed link (link_used) needs a person verified first: not asserted, timing-bound
    assert set(attacker["refused_by_code"]) - {"link_used"} == {
        "verification_required",
        "bad_link",
    }
    assert (phase["probe"]["acknowledged"], phase["probe"]["landed"]) == (0, 0)
    people = {k: v for k, v in phase["verified_people"].items() if k != "seconds_to_verify_max"}
    assert people == {
        "people": 3,
        "verified": 3,
        "votes": 9,
        "votes_acked": 9,
        "votes_landed": 9,
        "questions_landed": 3,
        "refused": {},
        "failures": [],
    }
    # counted in the database: the moderator's three questions with their own support and the
    # series' common question (carried into every event of the demo series, with no votes),
    # then 3 people x 3 votes and a question each (whose asker supports it: 12 verified vote rows)
    assert phase["database"] == {
        "before": {
            "votes_without_grant": 3,
            "votes_verified": 0,
            "votes_verified_on_attacked": 0,
            "questions_without_grant": 4,
            "questions_verified": 0,
        },
        "after": {
            "votes_without_grant": 3,
            "votes_verified": 12,
            "votes_verified_on_attacked": 9,
            "questions_without_grant": 4,
            "questions_verified": 3,
        },
    }
