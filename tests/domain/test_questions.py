"""Queue order, moderation moves and merge arithmetic, on plain values."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from townhall.domain.questions import (
    Move,
    QuestionRecord,
    RefusedMove,
    Status,
    apply_move,
    build_queue,
    distinct_supporters,
    root_of,
    subtree,
)

T0 = datetime(2026, 11, 24, 15, 0, tzinfo=UTC)


def record(
    qid: int, *, minutes: int = 0, status: Status = Status.OPEN, parent: int | None = None
) -> QuestionRecord:
    return QuestionRecord(
        qid, f"question {qid}", status, T0 + timedelta(minutes=minutes), canonical_id=parent
    )


def test_build_queue_orders_by_votes_then_older_first() -> None:
    records = [
        record(1, minutes=0),
        record(2, minutes=1),
        record(3, minutes=2),
        record(4, minutes=3),
    ]

    queue = build_queue(records, {1: 2, 2: 5, 3: 2})

    assert [item.id for item in queue.open] == [2, 1, 3, 4]


def test_build_queue_folds_merged_wordings_under_their_root() -> None:
    records = [record(1), record(2, parent=1), record(3, parent=2), record(4)]

    queue = build_queue(records, {1: 3})

    assert [item.id for item in queue.open] == [1, 4]
    assert [w.id for w in queue.open[0].merged] == [2, 3]
    assert queue.open[0].asked_by == 3


def test_build_queue_sections_by_status() -> None:
    records = [
        record(1, status=Status.ANSWERING),
        record(2, status=Status.PENDING),
        record(3, status=Status.HIDDEN),
        record(4, status=Status.ANSWERED, minutes=1),
        record(5, status=Status.ANSWERED, minutes=2),
    ]

    queue = build_queue(records, {})

    assert (
        [i.id for i in queue.answering],
        [i.id for i in queue.pending],
        [i.id for i in queue.hidden],
        [i.id for i in queue.answered],
    ) == ([1], [2], [3], [5, 4])


def test_distinct_supporters_counts_a_person_once_per_group() -> None:
    parents = {1: None, 2: 1, 3: None}
    votes = [(1, "alice"), (2, "alice"), (2, "bruno"), (3, "alice")]

    assert distinct_supporters(votes, parents) == {1: 2, 3: 1}


def test_distinct_supporters_unmerge_restores_every_count() -> None:
    votes = [(1, "alice"), (2, "alice"), (2, "bruno")]
    before = distinct_supporters(votes, {1: None, 2: None})

    merged = distinct_supporters(votes, {1: None, 2: 1})
    after = distinct_supporters(votes, {1: None, 2: None})

    assert (before, merged, after) == ({1: 1, 2: 2}, {1: 2}, {1: 1, 2: 2})


def test_root_of_and_subtree_follow_chains() -> None:
    parents = {1: None, 2: 1, 3: 2, 4: None}

    assert (root_of(3, parents), subtree(2, parents), subtree(4, parents)) == (1, {2, 3}, {4})


def test_root_of_cycle_is_an_error() -> None:
    with pytest.raises(ValueError, match="cycle"):
        root_of(1, {1: 2, 2: 1})


@pytest.mark.parametrize(
    ("before", "move", "after"),
    [
        (Status.PENDING, Move.APPROVE, Status.OPEN),
        (Status.OPEN, Move.ANSWERING, Status.ANSWERING),
        (Status.ANSWERING, Move.ANSWERED, Status.ANSWERED),
        (Status.OPEN, Move.HIDE, Status.HIDDEN),
        (Status.HIDDEN, Move.RESTORE, Status.OPEN),
    ],
)
def test_apply_move_allowed(before: Status, move: Move, after: Status) -> None:
    assert apply_move(before, move) == after


def test_apply_move_refused_names_the_states() -> None:
    with pytest.raises(RefusedMove, match="hidden cannot be marked answering"):
        apply_move(Status.HIDDEN, Move.ANSWERING)
