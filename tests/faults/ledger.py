"""What the database holds after a fault, checked against every answer the voters received."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Any

from conftest import Database
from faults.voters import Voter
from sqlalchemy import Row, select

from townhall.store.db import create_engine, session_factory
from townhall.store.queries import count_supporters
from townhall.store.tables import ActionReceipt, Question, Vote


async def assert_each_ack_stored_once(database: Database, voters: list[Voter]) -> None:
    """Every acknowledged action is stored exactly once, nothing unacknowledged is stored, and
    every counter equals its recount. Call once every voter has settled its actions."""
    assert [voter.unsettled() for voter in voters] == [[] for _ in voters]
    acked = {cid: answer for voter in voters for cid, answer in voter.acked().items()}
    engine = create_engine(database.url, schema=database.schema)
    try:
        async with session_factory(engine)() as session:
            receipts = (
                await session.execute(
                    select(ActionReceipt.actor, ActionReceipt.client_id, ActionReceipt.response)
                )
            ).all()
            questions = (
                await session.execute(
                    select(Question.id, Question.author_id, Question.text, Question.root_id)
                )
            ).all()
            votes = (await session.execute(select(Vote.participant_id, Vote.question_id))).all()
            roots = (
                await session.execute(
                    select(Question.id, Question.supporters).where(Question.canonical_id.is_(None))
                )
            ).all()
            recounted = {qid: await count_supporters(session, qid) for qid, _ in roots}
    finally:
        await engine.dispose()

    # One receipt per acknowledged action, holding the answer the voter was given.
    assert Counter(cid for _, cid, _ in receipts).most_common(1)[0][1] == 1
    assert {cid: response for _, cid, response in receipts} == {
        cid: answer["result"] for cid, answer in acked.items()
    }
    actor_of = {cid: actor for actor, cid, _ in receipts}
    participant = {}
    for voter in voters:
        actors = {actor_of[cid] for cid in voter.acked()}
        assert len(actors) == 1, actors  # one person, before and after the fault
        participant[voter.name] = actors.pop().removeprefix("p:")

    # One question per acknowledged submission, and no other.
    assert {row.id: (row.author_id, row.text) for row in questions} == {
        answer["result"]["question_id"]: (participant[voter.name], voter.sent[cid].payload["text"])
        for voter in voters
        for cid, answer in voter.acked().items()
        if voter.sent[cid].action == "submit_question"
    }

    # Each acknowledged vote (and each asker's own backing) is a vote row; no row without one.
    root = {row.id: row.root_id for row in questions}
    assert Counter((p, q) for p, q in votes).most_common(1)[0][1] == 1
    backed = {
        (participant[voter.name], root[answer["result"]["question_id"]])
        for voter in voters
        for answer in voter.acked().values()
    }
    assert {(p, root[q]) for p, q in votes} == backed

    # Counters equal the real distinct counts.
    wrong = {qid: (n, recounted[qid]) for qid, n in roots if n != recounted[qid]}
    assert wrong == {}, f"question: (supporters, recount) {wrong}; groups {groups(questions)}"


def groups(questions: Sequence[Row[Any]]) -> dict[int, list[int]]:
    """root -> wordings, for the groups of more than one (dedup merged them)."""
    members: dict[int, list[int]] = {}
    for row in questions:
        members.setdefault(row.root_id, []).append(row.id)
    return {root: ids for root, ids in members.items() if len(ids) > 1}
