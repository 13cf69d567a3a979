"""Which rows a queue shows, chosen again when only some rows changed.

The queue read (store/queries.py) selects the roots screens see: the `top` open ones by votes,
the `newest` open ones, the oldest `pending`, the latest to review, the series' common ones and
the other sections, each with the wordings merged into it. Between two full reads, when what
changed is rows that kept their status and group (votes, a language, a suggestion) or new open
or pending questions, the caller adds those rows to the ones read (`records`) and the selection
is made again from them (`reselect`): each part but the top only grows with new questions or
keeps its rows. For the top, no root left out of the rows could now belong in it: every root
left out then ranked below the `top`-th (`cut_of`) and has not changed, so the top is still
among the rows as long as `top` of them still rank at or above that cut. Otherwise the caller
reads in full.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from townhall.domain.questions import QuestionRecord, Status, root_of

Rank = tuple[int, datetime, int]


@dataclass(frozen=True)
class ShownLimits:
    """How many roots of each count-free selection a queue shows (store/queries.py)."""

    top: int
    newest: int
    pending: int
    review: int
    common: int


def vote_rank(record: QuestionRecord, votes: Mapping[int, int]) -> Rank:
    """The order of the top by votes: most votes first, ties to the older question."""
    return (-votes.get(record.id, 0), record.created_at, record.id)


def _open_roots(records: Sequence[QuestionRecord]) -> list[QuestionRecord]:
    return [r for r in records if r.canonical_id is None and r.status is Status.OPEN]


def cut_of(records: Sequence[QuestionRecord], votes: Mapping[int, int], top: int) -> Rank | None:
    """The rank of the `top`-th open root of a full read; None when it returned fewer (then
    it returned every open root of the event)."""
    ranks = sorted(vote_rank(r, votes) for r in _open_roots(records))
    return ranks[top - 1] if len(ranks) >= top else None


def reselect(
    records: Sequence[QuestionRecord],
    votes: Mapping[int, int],
    cut: Rank | None,
    limits: ShownLimits,
) -> list[QuestionRecord] | None:
    """The rows a full read would return with these counts, from the rows of the last full
    read (`records`, whose `cut` that was); None when that read cannot tell."""
    open_roots = _open_roots(records)
    if cut is not None and sum(vote_rank(r, votes) <= cut for r in open_roots) < limits.top:
        return None
    by_votes = sorted(open_roots, key=lambda r: vote_rank(r, votes))
    newest = sorted(open_roots, key=lambda r: (r.created_at, r.id), reverse=True)
    roots = [r for r in records if r.canonical_id is None]
    review = sorted(
        (
            r
            for r in roots
            if r.suggested_id is not None and r.status in (Status.OPEN, Status.PENDING)
        ),
        key=lambda r: r.id,
        reverse=True,
    )
    common = sorted(
        (r for r in open_roots if r.common_id is not None), key=lambda r: (r.common_id, r.id)
    )
    pending = sorted(
        (r for r in roots if r.status is Status.PENDING), key=lambda r: (r.created_at, r.id)
    )
    # On stage, answered and hidden: only a change of status (a full read) changes them.
    shown = {r.id for r in roots if r.status not in (Status.OPEN, Status.PENDING)}
    for part, limit in (
        (by_votes, limits.top),
        (newest, limits.newest),
        (pending, limits.pending),
        (review, limits.review),
        (common, limits.common),
    ):
        shown.update(r.id for r in part[:limit])
    parents = {r.id: r.canonical_id for r in records}
    return [r for r in records if root_of(r.id, parents) in shown]
