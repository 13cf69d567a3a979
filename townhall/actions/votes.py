"""Votes in bulk: the hot path of a live event.

A vote is set-based work: whatever votes arrive while a commit runs are applied together in a
handful of statements (receipts, questions and existing support read at once, new votes
inserted and counters raised in one go), then committed with the rest of the group. The rules
are those of a single vote: one per person per group, counted once across merged wordings,
refused on hidden, answered, pending or merged-away questions, replayed for a known client id.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import (
    Select,
    Subquery,
    Table,
    and_,
    bindparam,
    delete,
    null,
    select,
    union_all,
    update,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql import Executable

from townhall.actions.access import blocked_pairs, gate_refusal
from townhall.actions.base import ActionRefused, Actor, Reply, refused_intake
from townhall.actions.batching import BatchRequest
from townhall.domain.access import OPEN
from townhall.domain.intake import QuestionWindow, window_refusal
from townhall.domain.questions import VOTABLE_STATUSES, Status
from townhall.store.locking import takes_row_locks
from townhall.store.pairs import INTEGER_INTEGER, INTEGER_STRING, PairsStatement, joined_to_pairs
from townhall.store.queries import insert_missing, stored_receipts
from townhall.store.schedule import utc
from townhall.store.tables import ActionReceipt, Event, Participant, Question, Vote

log = logging.getLogger(__name__)


# The batch's fixed-shape statements, built once: at small loads a batch is one vote, and
# building a statement costs more than running it. (Those joined to a pairs table are built
# per batch: their shape depends on the database.)
_EVENTS_BY_SLUG = select(Event.slug, Event.id).where(
    Event.slug.in_(bindparam("slugs", expanding=True))
)
_QUESTIONS_TABLE = cast(Table, Question.__table__)
_EVENTS_TABLE = cast(Table, Event.__table__)
_VOTES_TABLE = cast(Table, Vote.__table__)
_MEMBERS = _QUESTIONS_TABLE.alias("members")
# Each question asked about, once per wording of its group (merged or not): one read instead
# of the questions and then their groups. The questions are locked until the batch commits
# (PostgreSQL; on SQLite the writer holds the only write lock already): a vote counts on the
# root of its group, and whatever changes a group's wordings or counted votes (merge, unmerge,
# set-aside, restore) locks that root first (store/locking.py), so none of it can change under
# the batch from here on. In id order, as every locker of questions takes them, so that two
# cannot deadlock; FOR NO KEY UPDATE, the lock the counter's UPDATE takes anyway, which leaves
# alone the key-share lock that inserting a vote (its foreign key) takes. Each row carries its
# event's question window (domain/intake.py) and participation mode, so checking them costs no
# statement of its own (none at all for an open event) and an organiser's change is seen by
# the next batch on every worker.
_QUESTIONS_WITH_GROUPS = (
    select(
        _QUESTIONS_TABLE.c.id,
        _QUESTIONS_TABLE.c.event_id,
        _QUESTIONS_TABLE.c.status,
        _QUESTIONS_TABLE.c.canonical_id,
        _QUESTIONS_TABLE.c.root_id,
        _QUESTIONS_TABLE.c.supporters,
        _MEMBERS.c.id.label("member"),
        _EVENTS_TABLE.c.questions_from,
        _EVENTS_TABLE.c.questions_until,
        _EVENTS_TABLE.c.access_mode,
    )
    .select_from(
        _QUESTIONS_TABLE.join(
            _EVENTS_TABLE, _EVENTS_TABLE.c.id == _QUESTIONS_TABLE.c.event_id
        ).outerjoin(_MEMBERS, _MEMBERS.c.root_id == _QUESTIONS_TABLE.c.root_id)
    )
    .where(_QUESTIONS_TABLE.c.id.in_(bindparam("ids", expanding=True)))
    .order_by(_QUESTIONS_TABLE.c.id)
    .with_for_update(of=_QUESTIONS_TABLE, key_share=True)
)


@joined_to_pairs(INTEGER_STRING)
def _withdraw(gone: Subquery) -> Executable:
    """Delete the counted votes of these (question, participant) pairs."""
    votes = _VOTES_TABLE
    return (
        delete(votes)
        .where(
            votes.c.id.in_(
                select(votes.c.id)
                .select_from(gone)
                .join(
                    votes,
                    and_(
                        votes.c.question_id == gone.c.first,
                        votes.c.participant_id == gone.c.second,
                        votes.c.set_aside_id.is_(None),
                    ),
                )
            )
        )
        .returning(votes.c.question_id, votes.c.participant_id)
    )


def _existing_votes(pairs: Subquery) -> Select[Any]:
    votes = _VOTES_TABLE
    return (
        select(
            votes.c.question_id, votes.c.participant_id, votes.c.set_aside_id, null().label("root")
        )
        .select_from(pairs)
        .join(
            votes,
            and_(votes.c.question_id == pairs.c.first, votes.c.participant_id == pairs.c.second),
        )
    )


_EXISTING_VOTES = PairsStatement(_existing_votes, INTEGER_STRING)
# The same, and the wordings now in each group whose root the batch holds locked.
_EXISTING_VOTES_AND_GROUPS = PairsStatement(
    lambda pairs: union_all(
        _existing_votes(pairs),
        select(_QUESTIONS_TABLE.c.id, null(), null(), _QUESTIONS_TABLE.c.root_id).where(
            _QUESTIONS_TABLE.c.root_id.in_(bindparam("held_roots", expanding=True))
        ),
    ),
    INTEGER_STRING,
)


@joined_to_pairs(INTEGER_INTEGER)
def _raise_by(added: Subquery) -> Executable:
    questions = _QUESTIONS_TABLE
    return (
        update(questions)
        .where(questions.c.id == added.c.first)
        .values(supporters=questions.c.supporters + added.c.second)
        .returning(questions.c.id, questions.c.supporters)
    )


@dataclass
class VoteRequest(BatchRequest):
    actor: Actor
    event_slug: str
    client_id: str
    question_id: int
    kind: str = "vote"  # or "unvote"

    def describe(self) -> str:
        return (
            f"{self.kind} {self.client_id!r} for question {self.question_id} in {self.event_slug}"
        )

    def changed_row(self) -> int | None:
        # Only a root (a question merged into no other) takes votes (`_refusal`).
        return self.question_id


async def apply_votes(
    session: AsyncSession,
    requests: Sequence[VoteRequest],
    now: datetime,
    known: set[str],
    *,
    store_receipts: bool = True,
    event_ids: dict[str, int] | None = None,
) -> set[str]:
    """Apply every request in this transaction; each gets a Reply or an ActionRefused.

    With `store_receipts` false the caller stores the receipt (the single-action path).
    `event_ids` caches slug -> id across batches (a slug never changes and events are never
    deleted); only slugs not in it are read, and those found are added.
    Returns the participants now certainly stored (inserted here, or found with votes), for
    the caller's `known` cache once the transaction has committed."""
    events = {} if event_ids is None else event_ids
    unseen = sorted({request.event_slug for request in requests} - events.keys())
    if unseen:
        events.update((await session.execute(_EVENTS_BY_SLUG, {"slugs": unseen})).all())
    live = []
    for request in requests:
        request.event_id = events.get(request.event_slug)
        if request.event_id is None:
            request.outcome = ActionRefused("unknown_event", "There is no such event.", status=404)
        else:
            live.append(request)
    stored = await stored_receipts(
        session, {(r.actor.receipt_key(r.event_id or 0), r.client_id) for r in live}
    )
    questions: dict[int, Any] = {}
    members: dict[int | None, set[int]] = {}  # root -> every wording of its group
    for row in await session.execute(
        _QUESTIONS_WITH_GROUPS, {"ids": sorted({r.question_id for r in live})}
    ):
        questions.setdefault(row.id, row)
        if row.root_id is not None and row.member is not None:
            members.setdefault(row.root_id, set()).add(row.member)
    # Participation modes (actions/access.py): one read for the whole batch, of the grants in
    # the events that are not open. The questions' rows carry their event's mode; an event
    # none of them belongs to is looked up with the grants.
    open_events = {row.event_id for row in questions.values() if row.access_mode == OPEN}
    blocked = await blocked_pairs(
        session, ((r.actor, r.event_id or 0) for r in live if r.event_id not in open_events)
    )
    backed, held = await _backed_groups(session, live, questions, members)
    # Requests apply in arrival order to who backs which group; only the net change is written.
    backing = set(backed)
    voted_on: dict[tuple[str, int | None], int] = {}
    event_of: dict[tuple[str, int | None], int] = {}
    networks = {r.actor.participant_id: r.actor.network for r in live}
    seen: dict[tuple[str, str], VoteRequest] = {}
    for request in live:
        key = (request.actor.receipt_key(request.event_id or 0), request.client_id)
        if key in stored:
            request.outcome = Reply(request.kind, request.client_id, stored[key], replayed=True)
            continue
        if key in seen:  # the same retry twice in one batch: answered like the first
            continue
        seen[key] = request
        question = questions.get(request.question_id)
        refusal = gate_refusal(blocked, request.event_id or 0, request.actor) or _refusal(
            question, request.event_id, now
        )
        if refusal is not None:
            request.outcome = refusal
            continue
        assert question is not None
        support = (request.actor.participant_id, question.id)
        if request.kind == "vote":
            backing.add(support)
            voted_on[support] = question.id
            event_of[support] = question.event_id
        else:
            backing.discard(support)
    change: Counter[int] = Counter()
    new_votes: list[dict[str, Any]] = [
        {
            "question_id": voted_on[support],
            "participant_id": support[0],
            "created_at": now,
            "event_id": event_of[support],
            "network_hash": networks[support[0]],
        }
        for support in sorted(backing - backed, key=lambda pair: (pair[0], pair[1] or 0))
    ]
    fresh = {v["participant_id"] for v in new_votes} - known
    if fresh:
        await insert_missing(
            session,
            Participant.__table__,
            ["id"],
            [
                {"id": participant, "created_at": now, "network_hash": networks[participant]}
                for participant in sorted(fresh)
            ],
        )
    if new_votes:
        inserted = await insert_missing(
            session,
            _VOTES_TABLE,
            ["question_id", "participant_id"],
            new_votes,
            (_VOTES_TABLE.c.question_id,),
        )
        change.update(question_id for (question_id,) in inserted)
    # A moderator's set-aside votes stay stored and stay their voter's: an unvote removes
    # only counted rows, and the answer still says voted while a set-aside row remains.
    withdrawn = {
        (member, participant)
        for participant, root in backed - backing
        for member in members.get(root, ())
    }
    if withdrawn:
        deleted = await _withdraw.execute(session, withdrawn)
        root_of = {member: root for root, group in members.items() for member in group}
        # One supporter less per person, however many wordings of the group they had backed.
        change.subtract(
            root
            for _, root in {(participant, root_of[qid]) for qid, participant in deleted}
            if root is not None
        )
    change = Counter({root: n for root, n in change.items() if n})
    counts = {question_id: row.supporters for question_id, row in questions.items()}
    if change:
        counts.update(await _raise_supporters(session, change))
        _forget_counters(session, change)
    receipts = []
    for request in seen.values():
        if request.outcome is not None:
            continue
        question = questions[request.question_id]
        result = {
            "question_id": request.question_id,
            "voted": request.kind == "vote"
            or (request.actor.participant_id, question.root_id) in held,
            "votes": counts[request.question_id],
        }
        request.outcome = Reply(request.kind, request.client_id, result)
        receipts.append(
            {
                "actor": request.actor.receipt_key(request.event_id or 0),
                "client_id": request.client_id,
                "action": request.kind,
                "response": result,
                "created_at": now,
            }
        )
    for request in live:  # duplicates within the batch share the first one's answer
        if request.outcome is None:
            first = seen[(request.actor.receipt_key(request.event_id or 0), request.client_id)]
            request.outcome = first.outcome
    if receipts and store_receipts:
        await insert_missing(session, ActionReceipt.__table__, ["actor", "client_id"], receipts)
    return fresh | {participant for participant, _ in backed}


async def _backed_groups(
    session: AsyncSession,
    requests: Sequence[VoteRequest],
    questions: dict[int, Any],
    members: dict[int | None, set[int]],
) -> tuple[set[tuple[str, int | None]], set[tuple[str, int | None]]]:
    """(participant, root) for each requester who already backs the group of the question
    they name, through any of its wordings (`members`: root -> its wordings); and those of
    them with a vote in it that a moderator set aside (kept, not counted, not withdrawable).

    Only the pairs of this batch are looked up (on the votes' unique index), so the cost does
    not grow with how many votes each participant has cast before.

    On PostgreSQL the same statement reads again the wordings of each group whose root the
    batch now holds locked: the read of the questions began before its locks were granted,
    so a merge or unmerge that committed meanwhile is seen here (this statement began after).
    Then `members` is corrected and the votes read again; once is enough, the locks being held.
    """
    held_roots = sorted(
        question.id
        for question in questions.values()
        if question.canonical_id is None and question.root_id == question.id
    )
    check = takes_row_locks(session) and bool(held_roots)
    while True:
        root_of = {member: root for root, group in members.items() for member in group}
        wanted = {
            (member, request.actor.participant_id)
            for request in requests
            if (question := questions.get(request.question_id)) is not None
            for member in members.get(question.root_id, ())
        }
        if not wanted:
            return set(), set()
        if check:
            rows = (
                await _EXISTING_VOTES_AND_GROUPS.execute(
                    session, wanted, {"held_roots": held_roots}
                )
            ).all()
        else:
            rows = (await _EXISTING_VOTES.execute(session, wanted)).all()
        found = [row for row in rows if row.participant_id is not None]
        if check:
            check = False
            now_in: dict[int | None, set[int]] = {root: set() for root in held_roots}
            for row in rows:
                if row.participant_id is None:
                    now_in[row.root].add(row.question_id)
            if any(now_in[root] != members.get(root, set()) for root in held_roots):
                log.info("a group changed while the vote batch waited for it; reading it again")
                members.update(now_in)
                continue
        break
    backed = {(participant, root_of[question_id]) for question_id, participant, _, _ in found}
    held = {
        (participant, root_of[question_id])
        for question_id, participant, set_aside, _ in found
        if set_aside is not None
    }
    return backed, held


async def _raise_supporters(session: AsyncSession, change: Counter[int]) -> dict[int, int]:
    """Add each group's change to its counter, in one statement; returns the new counters."""
    raised = await _raise_by.execute(session, sorted(change.items()))
    return dict(raised.all())


def _refusal(question: Any, event_id: int | None, now: datetime) -> ActionRefused | None:
    if question is None or question.event_id != event_id:
        return ActionRefused(
            "unknown_question", "There is no such question in this event.", status=404
        )
    if question.questions_from is not None or question.questions_until is not None:
        window = QuestionWindow(
            opens=None if question.questions_from is None else utc(question.questions_from),
            closes=None if question.questions_until is None else utc(question.questions_until),
        )
        outside = window_refusal(window, now)
        if outside is not None:
            return refused_intake(outside)
    if question.canonical_id is not None:
        return ActionRefused(
            "merged",
            f"This question was merged into question {question.root_id}; vote for that one.",
        )
    if Status(question.status) not in VOTABLE_STATUSES:
        return ActionRefused("not_votable", f"A question that is {question.status} takes no votes.")
    return None


def _forget_counters(session: AsyncSession, changed: Counter[int]) -> None:
    """Counters were raised in SQL: loaded Question objects must reread theirs."""
    for instance in list(session.identity_map.values()):
        if isinstance(instance, Question) and instance.id in changed:
            session.expire(instance, ["supporters"])
