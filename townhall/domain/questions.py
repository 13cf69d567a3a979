"""Question states, moderation moves and the queue order (pure)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from townhall.domain.organisations import Endorsed
from townhall.domain.series import AnsweredIn, CommonMark, group_flag


class Status(StrEnum):
    PENDING = "pending"  # waiting for approval (pre-moderated events)
    OPEN = "open"  # in the queue
    ANSWERING = "answering"  # on stage now
    ANSWERED = "answered"
    HIDDEN = "hidden"


class Move(StrEnum):
    APPROVE = "approve"
    HIDE = "hide"
    RESTORE = "restore"
    ANSWERING = "answering"
    ANSWERED = "answered"


class RefusedMove(ValueError):
    """The move does not apply to the question in its current state."""


_MOVES: dict[Move, tuple[frozenset[Status], Status]] = {
    Move.APPROVE: (frozenset({Status.PENDING}), Status.OPEN),
    Move.HIDE: (
        frozenset({Status.PENDING, Status.OPEN, Status.ANSWERING, Status.ANSWERED}),
        Status.HIDDEN,
    ),
    Move.RESTORE: (frozenset({Status.HIDDEN, Status.ANSWERED}), Status.OPEN),
    Move.ANSWERING: (frozenset({Status.OPEN, Status.ANSWERED}), Status.ANSWERING),
    Move.ANSWERED: (frozenset({Status.OPEN, Status.ANSWERING}), Status.ANSWERED),
}

PUBLIC_STATUSES = frozenset({Status.OPEN, Status.ANSWERING, Status.ANSWERED})
VOTABLE_STATUSES = frozenset({Status.OPEN, Status.ANSWERING})


def apply_move(current: Status, move: Move) -> Status:
    allowed, target = _MOVES[move]
    if current not in allowed:
        raise RefusedMove(f"A question that is {current.value} cannot be marked {move.value}.")
    return target


def initial_status(moderation_mode: str) -> Status:
    return Status.PENDING if moderation_mode == "pre" else Status.OPEN


@dataclass(frozen=True)
class QuestionRecord:
    """One stored question, as the queue needs it."""

    id: int
    text: str
    status: Status
    created_at: datetime
    canonical_id: int | None = None
    similarity: float | None = None
    suggested_id: int | None = None
    suggested_score: float | None = None
    # ISO 639-1 code set by the dedup worker; None until detected.
    language: str | None = None
    # The series' common question this one carries; the earlier question it repeats.
    common_id: int | None = None
    repeat_of_id: int | None = None
    # The name of the organisation it was asked on behalf of, if any.
    organisation: str | None = None


@dataclass(frozen=True)
class MergedWording:
    id: int
    text: str
    similarity: float | None
    status: Status = Status.OPEN
    language: str | None = None
    organisation: str | None = None


@dataclass(frozen=True)
class QueueItem:
    id: int
    text: str
    status: Status
    votes: int
    created_at: datetime
    merged: tuple[MergedWording, ...] = ()
    suggested_id: int | None = None
    suggested_score: float | None = None
    language: str | None = None
    common: CommonMark | None = None  # carried as the series' common question: on top
    answered_in: AnsweredIn | None = None  # repeats a question answered earlier in the series
    organisation: str | None = None
    # Organisations endorsing the group (apart from votes; never added to them).
    endorsed: Endorsed | None = None

    @property
    def asked_by(self) -> int:
        return 1 + len(self.merged)


@dataclass(frozen=True)
class Queue:
    answering: tuple[QueueItem, ...] = ()
    open: tuple[QueueItem, ...] = ()
    answered: tuple[QueueItem, ...] = ()
    pending: tuple[QueueItem, ...] = ()
    hidden: tuple[QueueItem, ...] = ()
    totals: Mapping[str, int] = field(default_factory=dict)


def root_of(question_id: int, parents: Mapping[int, int | None]) -> int:
    """Follow canonical links to the question that stands for the whole group."""
    seen = {question_id}
    current = question_id
    while (parent := parents.get(current)) is not None:
        if parent in seen:
            raise ValueError(f"merge cycle through question {parent}")
        seen.add(parent)
        current = parent
    return current


def subtree(question_id: int, parents: Mapping[int, int | None]) -> set[int]:
    """The question and every question merged into it, directly or not."""
    children: dict[int, list[int]] = {}
    for child, parent in parents.items():
        if parent is not None:
            children.setdefault(parent, []).append(child)
    found, stack = set(), [question_id]
    while stack:
        node = stack.pop()
        if node not in found:
            found.add(node)
            stack.extend(children.get(node, ()))
    return found


def distinct_supporters(
    votes: Iterable[tuple[int, str]], parents: Mapping[int, int | None]
) -> dict[int, int]:
    """Votes per group root, a participant counted once however many wordings they backed."""
    backers: dict[int, set[str]] = {}
    for question_id, participant in votes:
        backers.setdefault(root_of(question_id, parents), set()).add(participant)
    return {root: len(people) for root, people in backers.items()}


def sort_key(item: QueueItem) -> tuple[int, int, datetime, int]:
    """Common questions of the series first, then most votes; ties go to the older question."""
    return (0 if item.common is not None else 1, -item.votes, item.created_at, item.id)


def build_queue(
    records: Iterable[QuestionRecord],
    votes_by_root: Mapping[int, int],
    *,
    online: int = 0,
    totals: Mapping[str, int] | None = None,
    commons: Mapping[int, Mapping[str, str]] | None = None,
    answered: Mapping[int, AnsweredIn] | None = None,
    endorsements: Mapping[int, Endorsed] | None = None,
) -> Queue:
    """The queue's sections from the given questions (roots and the wordings merged in).

    `totals` describes the whole event when `records` are only the part screens show;
    `commons` holds the wordings of the series' common questions by id, `answered` the
    answered groups of earlier events by the question a record repeats."""
    by_id = {record.id: record for record in records}
    parents = {record.id: record.canonical_id for record in by_id.values()}
    merged: dict[int, list[MergedWording]] = {}
    for record in by_id.values():
        if record.canonical_id is not None:
            root = root_of(record.id, parents)
            merged.setdefault(root, []).append(
                MergedWording(
                    record.id,
                    record.text,
                    record.similarity,
                    record.status,
                    record.language,
                    record.organisation,
                )
            )
    sections: dict[Status, list[QueueItem]] = {status: [] for status in Status}
    for record in by_id.values():
        if record.canonical_id is not None:
            continue
        wordings = sorted(merged.get(record.id, ()), key=lambda wording: wording.id)
        suggested = record.suggested_id
        flag = None
        if answered:
            ids = [record.id, *(wording.id for wording in wordings)]
            repeats: dict[int, int] = {}
            for wording_id in ids:
                earlier = by_id[wording_id].repeat_of_id
                if earlier is not None:
                    repeats[wording_id] = earlier
            flag = group_flag(ids, repeats, answered)
        common = None
        if record.common_id is not None:
            common = CommonMark(record.common_id, dict((commons or {}).get(record.common_id, {})))
        if suggested is not None and (
            suggested not in by_id or root_of(suggested, parents) == record.id
        ):
            suggested = None
        sections[record.status].append(
            QueueItem(
                id=record.id,
                text=record.text,
                status=record.status,
                votes=votes_by_root.get(record.id, 0),
                created_at=record.created_at,
                merged=tuple(wordings),
                suggested_id=suggested,
                suggested_score=record.suggested_score if suggested is not None else None,
                language=record.language,
                common=common,
                answered_in=flag,
                organisation=record.organisation,
                endorsed=(endorsements or {}).get(record.id),
            )
        )
    by_time = sorted(sections[Status.ANSWERED], key=lambda item: item.created_at, reverse=True)
    return Queue(
        answering=tuple(sorted(sections[Status.ANSWERING], key=sort_key)),
        open=tuple(sorted(sections[Status.OPEN], key=sort_key)),
        answered=tuple(by_time),
        pending=tuple(sorted(sections[Status.PENDING], key=lambda item: item.created_at)),
        hidden=tuple(sorted(sections[Status.HIDDEN], key=lambda item: item.created_at)),
        totals={
            "questions": len(by_id),
            "votes": sum(votes_by_root.values()),
            **(totals or {}),
            "online": online,
        },
    )
