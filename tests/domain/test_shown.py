"""Choosing again, from the rows of the last full read, what a queue shows once only counts
changed (domain/shown.py)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from townhall.domain.questions import QuestionRecord, Status
from townhall.domain.shown import ShownLimits, cut_of, reselect

LIMITS = ShownLimits(top=3, newest=1, pending=1, review=1, common=1)
START = datetime(2026, 1, 1, tzinfo=UTC)


def _question(
    id_: int, minutes: int, status: Status = Status.OPEN, **fields: object
) -> QuestionRecord:
    return QuestionRecord(
        id=id_,
        text=f"q{id_}",
        status=status,
        created_at=START + timedelta(minutes=minutes),
        **fields,  # type: ignore[arg-type]
    )


# A full read of an event with more open questions than it shows: the top three by votes
# (1, 2, 3) and the newest (9); question 4, with 1 vote and older than 9, was not read.
READ = [_question(1, 1), _question(2, 2), _question(3, 3), _question(9, 9)]
VOTES = {1: 9, 2: 7, 3: 5, 9: 0}


def test_the_cut_is_the_last_of_the_top_or_none_when_every_open_question_was_read() -> None:
    assert cut_of(READ, VOTES, top=3) == (-5, START + timedelta(minutes=3), 3)
    assert cut_of(READ[:2], VOTES, top=3) is None


def test_counts_that_keep_the_top_above_the_cut_choose_the_same_rows() -> None:
    cut = cut_of(READ, VOTES, 3)

    assert reselect(READ, {**VOTES, 2: 12, 3: 6}, cut, LIMITS) == READ


def test_a_question_of_the_top_falling_below_the_cut_cannot_be_told_from_the_rows() -> None:
    """Question 4, never read, may now rank above question 3."""
    cut = cut_of(READ, VOTES, 3)

    assert reselect(READ, {**VOTES, 3: 4}, cut, LIMITS) is None


def test_the_newest_question_climbing_into_the_top_pushes_out_the_last_of_it() -> None:
    cut = cut_of(READ, VOTES, 3)

    shown = reselect(READ, {**VOTES, 9: 8}, cut, LIMITS)

    assert shown is not None
    assert [r.id for r in shown] == [1, 2, 9]


def test_wordings_follow_their_group_and_other_sections_stay() -> None:
    read = [
        *READ,
        _question(20, 0, canonical_id=3),  # merged into 3
        _question(21, 0, canonical_id=20),  # merged into 20, so into 3
        _question(30, 0, Status.ANSWERED),
        _question(31, 0, Status.PENDING),
    ]
    cut = cut_of(read, VOTES, 3)

    shown = reselect(read, {**VOTES, 9: 8}, cut, LIMITS)

    assert shown is not None
    assert [r.id for r in shown] == [1, 2, 9, 30, 31]


def test_questions_to_review_and_common_ones_stay_shown_whatever_their_votes() -> None:
    read = [*READ, _question(5, 0, suggested_id=1), _question(6, 0, common_id=1)]
    votes = {**VOTES, 5: 0, 6: 0}

    shown = reselect(read, {**votes, 9: 8}, cut_of(read, votes, 3), LIMITS)

    assert shown is not None
    assert [r.id for r in shown] == [1, 2, 9, 5, 6]
