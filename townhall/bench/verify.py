"""After a run: is every acknowledged action in the database? And how far did dedup get?"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from typing import Any

from sqlalchemy import text


async def _fetch(database_url: str, statement: str, **params: Any) -> list[Any]:
    from townhall.store.db import create_engine

    engine = create_engine(database_url)
    try:
        async with engine.connect() as connection:
            return list((await connection.execute(text(statement), params)).all())
    finally:
        await engine.dispose()


def fetch(database_url: str, statement: str, **params: Any) -> list[Any]:
    return asyncio.run(_fetch(database_url, statement, **params))


def event_id(database_url: str, slug: str) -> int:
    return int(fetch(database_url, "SELECT id FROM events WHERE slug = :slug", slug=slug)[0][0])


def dedup_states(database_url: str, event: int) -> dict[str, int]:
    rows = fetch(
        database_url,
        "SELECT dedup_state, COUNT(*) FROM questions WHERE event_id = :e GROUP BY dedup_state",
        e=event,
    )
    return {state: int(count) for state, count in rows}


def lost_actions(
    database_url: str,
    event: int,
    final_votes: Iterable[tuple[str, int, bool]],
    questions: Iterable[tuple[str, int]],
    uncertain: Iterable[tuple[str, int]] = (),
) -> dict[str, int]:
    """Acknowledged votes (not taken back later) with no row in their group, and acknowledged
    questions missing or stored under another asker."""
    rows = fetch(
        database_url, "SELECT id, root_id, author_id FROM questions WHERE event_id = :e", e=event
    )
    roots = {row[0]: row[1] for row in rows}
    authors = {row[0]: row[2] for row in rows}
    backing = {
        (participant, root)
        for participant, root in fetch(
            database_url,
            "SELECT v.participant_id, q.root_id FROM votes v JOIN questions q"
            " ON q.id = v.question_id WHERE q.event_id = :e",
            e=event,
        )
    }
    unknown = set(uncertain)  # an unvote was sent after the ack and never answered
    lost_votes = checked_votes = skipped = 0
    for participant, question_id, voted in final_votes:
        if not voted:
            continue
        if (participant, question_id) in unknown:
            skipped += 1
            continue
        checked_votes += 1
        root = roots.get(question_id)
        if root is None or (participant, root) not in backing:
            lost_votes += 1
    lost_questions = checked_questions = 0
    for participant, question_id in questions:
        checked_questions += 1
        if authors.get(question_id) != participant:
            lost_questions += 1
    return {
        "lost": lost_votes + lost_questions,
        "lost_votes": lost_votes,
        "lost_questions": lost_questions,
        "checked_votes": checked_votes,
        "skipped_votes_with_unanswered_unvote": skipped,
        "checked_questions": checked_questions,
    }
