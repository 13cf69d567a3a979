"""Questions in bulk: a burst of questions stored in a handful of statements.

Same rules as one question: the event must take questions, the text is cleaned (or refused
with the reason), the asker backs their own question, a known client id replays its first
answer. The receipts go in first, so that when two workers see the same client id at once
only one stores the question; the other answers with the first one's receipt.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import cast

from sqlalchemy import Table, bindparam, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from townhall.actions.access import blocked_pairs, gate_refusal
from townhall.actions.base import ActionRefused, Actor, Reply, Services, refused_intake
from townhall.actions.batching import FLUSH_SECONDS, Batcher, BatchRequest
from townhall.actions.cadence import Closing
from townhall.domain.access import needs_grant
from townhall.domain.intake import intake_refusal
from townhall.domain.questions import initial_status
from townhall.domain.text import InvalidText, clean_question
from townhall.store import organisations
from townhall.store.queries import insert_ignoring_duplicates, stored_receipts
from townhall.store.schedule import question_window
from townhall.store.tables import ActionReceipt, Event, Participant, Question, Vote

log = logging.getLogger(__name__)


@dataclass
class QuestionRequest(BatchRequest):
    actor: Actor
    event_slug: str
    client_id: str
    text: str
    # Asked by a delegate on behalf of the organisation they speak for in the event.
    as_organisation: bool = False
    question_id: int | None = None

    def reset(self) -> None:
        super().reset()
        self.question_id = None

    def describe(self) -> str:
        return f"submit_question {self.client_id!r} in {self.event_slug}"

    def changed_row(self) -> int | None:
        return self.question_id  # a new question: a row that was not there


def _refusal(event: Event | None, text: str, now: datetime) -> ActionRefused | str:
    """Why the question cannot be asked, or its cleaned text."""
    if event is None:
        return ActionRefused("unknown_event", "There is no such event.", status=404)
    intake = intake_refusal(
        status=event.status,
        questions_open=event.questions_open,
        window=question_window(event),
        now=now,
    )
    if intake is not None:
        return refused_intake(intake)
    try:
        return clean_question(text)
    except InvalidText as error:
        return ActionRefused("invalid_text", str(error))


async def apply_questions(
    session: AsyncSession,
    requests: Sequence[QuestionRequest],
    now: datetime,
    known: set[str],
    *,
    store_receipts: bool = True,
) -> set[str]:
    """Store every acceptable question in this transaction; each request gets a Reply or an
    ActionRefused. Returns the participants now certainly stored (see `apply_votes`).

    With `store_receipts` false the caller stores the receipt (the single-action path)."""
    slugs = {request.event_slug for request in requests}
    events = {
        event.slug: event
        for event in await session.scalars(select(Event).where(Event.slug.in_(slugs)))
    }
    keys = {
        (request.actor.receipt_key(event.id), request.client_id)
        for request in requests
        if (event := events.get(request.event_slug)) is not None
    }
    stored = await stored_receipts(session, keys)
    # Participation modes (actions/access.py): one read, and none when every event is open.
    blocked = await blocked_pairs(
        session,
        (
            (request.actor, event.id)
            for request in requests
            if (event := events.get(request.event_slug)) is not None
            and needs_grant(event.access_mode)
        ),
    )
    # Questions asked on behalf of an organisation: one read for those of the batch, if any.
    speaks_for = await organisations.of_delegates(
        session,
        [
            (event.id, request.actor.participant_id)
            for request in requests
            if request.as_organisation and (event := events.get(request.event_slug)) is not None
        ],
    )
    accepted: list[tuple[QuestionRequest, Event, str]] = []
    firsts: dict[tuple[str, str], QuestionRequest] = {}
    for request in requests:
        event = events.get(request.event_slug)
        checked = _refusal(event, request.text, now)
        if isinstance(checked, ActionRefused):
            request.outcome = checked
            continue
        assert event is not None
        request.event_id = event.id
        key = (request.actor.receipt_key(event.id), request.client_id)
        if key in stored:
            request.outcome = Reply("submit_question", request.client_id, stored[key], True)
        elif (refusal := gate_refusal(blocked, event.id, request.actor)) is not None:
            request.outcome = refusal
        elif request.as_organisation and (event.id, request.actor.participant_id) not in speaks_for:
            request.outcome = ActionRefused(
                "not_a_delegate",
                "Only a delegate of an invited organisation may ask on its behalf; "
                "open your delegate link.",
                status=403,
            )
        elif key not in firsts:  # the same retry twice in one batch: answered like the first
            firsts[key] = request
            accepted.append((request, event, checked))
    if store_receipts and accepted:
        accepted = await _claim_receipts(session, accepted, now)
    if not accepted:
        _answer_duplicates(requests, firsts)
        return set()
    networks = {request.actor.participant_id: request.actor.network for request, _, _ in accepted}
    fresh = networks.keys() - known
    if fresh:
        await session.execute(
            insert_ignoring_duplicates(session, Participant.__table__, ["id"]),
            [
                {"id": participant, "created_at": now, "network_hash": networks[participant]}
                for participant in sorted(fresh)
            ],
        )
    questions = cast(Table, Question.__table__)
    rows = [
        {
            "event_id": event.id,
            "author_id": request.actor.participant_id,
            "text": text,
            "status": initial_status(event.moderation_mode).value,
            "dedup_state": "pending",
            "supporters": 1,
            "created_at": now,
            "organisation_id": speaks_for.get((event.id, request.actor.participant_id))
            if request.as_organisation
            else None,
        }
        for request, event, text in accepted
    ]
    inserted = await session.execute(
        insert(questions).returning(questions.c.id, sort_by_parameter_order=True), rows
    )
    ids = [question_id for (question_id,) in inserted]
    await session.execute(
        update(questions).where(questions.c.id.in_(ids)).values(root_id=questions.c.id)
    )
    await session.execute(
        insert(Vote),
        [
            {
                "question_id": question_id,
                "participant_id": request.actor.participant_id,
                "created_at": now,
                "event_id": event.id,
                "network_hash": request.actor.network,
            }
            for question_id, (request, event, _) in zip(ids, accepted, strict=True)
        ],
    )
    results = []
    for question_id, (request, _, text), row in zip(ids, accepted, rows, strict=True):
        result = {"question_id": question_id, "status": row["status"], "text": text}
        if row["organisation_id"] is not None:
            result["organisation_id"] = row["organisation_id"]
        request.question_id = question_id
        request.outcome = Reply("submit_question", request.client_id, result)
        results.append(
            {
                "key_actor": request.actor.receipt_key(request.event_id or 0),
                "key_client": request.client_id,
                "result": result,
            }
        )
    if store_receipts:
        receipts = cast(Table, ActionReceipt.__table__)
        await session.execute(
            update(receipts)
            .where(
                receipts.c.actor == bindparam("key_actor"),
                receipts.c.client_id == bindparam("key_client"),
            )
            .values(response=bindparam("result")),
            results,
        )
    _answer_duplicates(requests, firsts)
    return fresh | {request.actor.participant_id for request, _, _ in accepted}


async def _claim_receipts(
    session: AsyncSession, accepted: list[tuple[QuestionRequest, Event, str]], now: datetime
) -> list[tuple[QuestionRequest, Event, str]]:
    """Insert the receipts first (their answers follow); a client id another transaction
    claimed meanwhile keeps that one's question, and is answered from its receipt later."""
    receipts = cast(Table, ActionReceipt.__table__)
    claimed = await session.execute(
        insert_ignoring_duplicates(
            session, receipts, ["actor", "client_id"], (receipts.c.actor, receipts.c.client_id)
        ),
        [
            {
                "actor": request.actor.receipt_key(event.id),
                "client_id": request.client_id,
                "action": "submit_question",
                "response": {},
                "created_at": now,
            }
            for request, event, _ in accepted
        ],
    )
    ours = {(actor, client_id) for actor, client_id in claimed}
    kept, lost = [], {}
    for request, event, text in accepted:
        key = (request.actor.receipt_key(event.id), request.client_id)
        if key in ours:
            kept.append((request, event, text))
        else:
            lost[key] = request
    if lost:  # committed by the other transaction by now (the insert waited for it)
        theirs = await stored_receipts(session, set(lost))
        for key, request in lost.items():
            response = theirs.get(key)
            request.outcome = (
                Reply("submit_question", request.client_id, response, True)
                if response
                else ActionRefused("internal", "The server could not do that; try again.")
            )
    return kept


def _answer_duplicates(
    requests: Sequence[QuestionRequest], firsts: dict[tuple[str, str], QuestionRequest]
) -> None:
    """Requests repeating a client id within the batch share the first one's answer."""
    for request in requests:
        if request.outcome is None and request.event_id is not None:
            first = firsts.get((request.actor.receipt_key(request.event_id), request.client_id))
            request.outcome = first.outcome if first is not None else None


class QuestionBatcher(Batcher[QuestionRequest]):
    """Collects questions while the previous group commits, stores them together."""

    name = "question-batcher"
    kind = "questions"

    def __init__(
        self,
        services: Services,
        max_batch: int = 500,
        flush_seconds: float = FLUSH_SECONDS,
        max_wait: float | None = None,
        closing: Closing | None = None,
    ) -> None:
        super().__init__(services, max_batch, flush_seconds, max_wait, closing)

    async def ask(
        self,
        actor: Actor,
        event_slug: str,
        client_id: str,
        text: str,
        as_organisation: bool = False,
    ) -> Reply:
        return await self.submit(
            QuestionRequest(actor, event_slug, client_id, text, as_organisation)
        )

    async def store(
        self,
        session: AsyncSession,
        requests: list[QuestionRequest],
        now: datetime,
        known: set[str],
    ) -> set[str]:
        return await apply_questions(session, requests, now, known)

    async def after(self, applied: list[QuestionRequest]) -> None:
        dedup = self.services.dedup
        for request in applied:
            question_id = request.question_id
            if dedup is not None and question_id is not None and not dedup.submit(question_id):
                log.info("dedup queue full; question %s waits for the sweep", question_id)
