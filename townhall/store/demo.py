"""A demo series for `make serve`: informal dialogues with two candidates, one event open,
and a town hall open to verified participants only (the sign-in link goes to the server's
log under `make serve`: development only, docs/configuration.md)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from townhall.domain.tokens import hash_token, new_event_code, new_token
from townhall.store.demo_advance import open_questions_in_advance
from townhall.store.demo_organisations import seed_organisations
from townhall.store.demo_record import seed_record_demo
from townhall.store.demo_regions import seed_regional_support
from townhall.store.demo_series import seed_series_memory
from townhall.store.tables import (
    Candidate,
    Event,
    EventCandidate,
    EventModerator,
    Moderator,
    Series,
)

CANDIDATES = (("Amina Diallo", "Senegal"), ("Tomás Herrera", "Chile"))
MODERATOR = "Lena Okafor"

VERIFIED_SLUG = "town-hall-verified"  # what `make serve` and the integrity bench use


@dataclass(frozen=True)
class DemoEvent:
    slug: str
    code: str
    moderator_key: str
    delegate_token: str | None = None  # an organisation's delegate link (demo_organisations.py)


async def is_empty(session: AsyncSession) -> bool:
    return (await session.scalar(select(func.count()).select_from(Event))) == 0


async def seed_demo(
    session: AsyncSession, now: datetime, *, verified_event: bool = False, record: bool = False
) -> list[DemoEvent]:
    """Create the demo (call inside a transaction on an empty database); `verified_event`
    (what `make serve` seeds) adds a live town hall open to verified participants only, and
    `record` (also `make serve`'s) an ended dialogue with its public record."""
    series = Series(
        slug="sg-dialogues",
        uid=f"{uuid.uuid4()}@townhall",
        title="Informal dialogues with candidates for Secretary-General",
        description="Public dialogues where anyone can ask the candidates a question.",
        created_at=now,
        updated_at=now,
        published_at=now,
    )
    session.add(series)
    people = [Candidate(name=name, country=country) for name, country in CANDIDATES]
    session.add_all(people)
    moderator = Moderator(name=MODERATOR)
    session.add(moderator)
    await session.flush()
    plans = [
        (
            "dialogue-diallo",
            f"Informal dialogue with {people[0].name}",
            now - timedelta(minutes=15),
            True,
            "live",
        ),
        (
            "dialogue-herrera",
            f"Informal dialogue with {people[1].name}",
            now + timedelta(days=7),
            False,
            "scheduled",
        ),
    ]
    created = []
    for (slug, title, start, open_, status), person in zip(plans, people, strict=True):
        key = new_token()
        event = Event(
            series_id=series.id,
            slug=slug,
            uid=f"{uuid.uuid4()}@townhall",
            code=new_event_code(),
            title=title,
            kind="informal_dialogue",
            description="Questions from the global public, ordered by votes.",
            starts_at=start.replace(second=0, microsecond=0),
            timezone="America/New_York",
            duration_minutes=90,
            venue="Trusteeship Council Chamber, UN Headquarters, New York",
            stream_url="https://webtv.un.org/",
            status=status,
            questions_open=open_,
            moderation_mode="post",
            moderator_key_hash=hash_token(key),
            sequence=0,
            languages=["en", "fr"],
            created_at=now,
            updated_at=now,
        )
        session.add(event)
        await session.flush()
        session.add(EventCandidate(event_id=event.id, candidate_id=person.id))
        session.add(EventModerator(event_id=event.id, moderator_id=moderator.id))
        created.append(DemoEvent(slug, event.code, key))
    await open_questions_in_advance(session, now)
    if verified_event:
        created.append(await _verified_town_hall(session, series, now))
        created.append(
            DemoEvent(*await seed_series_memory(session, series, people[0], moderator, now))
        )
        created[0] = replace(
            created[0],
            delegate_token=await seed_organisations(session, series, created[0].slug, now),
        )
    if record:  # after the series' ended dialogue, which it fills when there is one
        await seed_record_demo(session, series, now)
        await seed_regional_support(session, now)
    return created


async def _verified_town_hall(session: AsyncSession, series: Series, now: datetime) -> DemoEvent:
    """A live event where only participants with a verified e-mail address ask and vote."""
    key = new_token()
    event = Event(
        series_id=series.id,
        slug=VERIFIED_SLUG,
        uid=f"{uuid.uuid4()}@townhall",
        code=new_event_code(),
        title="Town hall for verified participants",
        kind="town_hall",
        description="Anyone may read; participants who verify an e-mail address ask and vote.",
        starts_at=(now - timedelta(minutes=5)).replace(second=0, microsecond=0),
        timezone="Europe/Paris",
        duration_minutes=60,
        venue=None,
        stream_url=None,
        status="live",
        questions_open=True,
        moderation_mode="post",
        access_mode="email",
        moderator_key_hash=hash_token(key),
        sequence=0,
        languages=["en", "fr"],
        created_at=now,
        updated_at=now,
    )
    session.add(event)
    await session.flush()
    return DemoEvent(event.slug, event.code, key)
