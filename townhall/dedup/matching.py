"""Finding the earlier questions of an event that a new one may repeat: the candidates from
the event's vector index, their groups as they are now, and the scorer's verdict."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from sqlalchemy import bindparam, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from townhall.dedup.embedder import from_bytes
from townhall.dedup.index import EventIndex, Vector
from townhall.dedup.routing import Scorer
from townhall.domain.questions import Status
from townhall.store.tables import Question

CANDIDATES = 10

# One query: each candidate's group and that group's status, as they are now. Built once:
# building a statement (and an alias) costs more than running it.
_GROUP = aliased(Question, name="grp")
_CANDIDATE_GROUPS = (
    select(Question.id, Question.root_id, _GROUP.status)
    .join(_GROUP, _GROUP.id == Question.root_id)
    .where(Question.id.in_(bindparam("ids", expanding=True)))
)


def add_stored(index: EventIndex, question_id: int, wording: str, blob: bytes | None) -> bool:
    """Add a stored embedding; False when another model (before an upgrade) made it, since
    its scores would mean nothing here."""
    if blob is None:
        return True
    vector = from_bytes(blob)
    if vector.shape[0] != index.dimension:
        return False
    index.add(question_id, wording, vector)
    return True


@dataclass(frozen=True)
class Match:
    question_id: int
    score: float
    root_id: int  # the group the candidate belongs to now
    text: str  # the candidate's wording, as scored


async def find_matches(
    session: AsyncSession,
    scorer: Scorer,
    index: EventIndex,
    text: str,
    vector: Vector,
    *,
    exclude: int | None = None,
    limit: int = 3,
) -> list[Match]:
    """Best-scoring earlier questions, one per group, skipping hidden groups."""
    nearest = []
    seen: set[int] = set()
    for columns in scorer.search_columns(text):
        for found in index.nearest(vector, CANDIDATES, exclude=exclude, columns=columns):
            if found[0] not in seen:
                seen.add(found[0])
                nearest.append(found)
    if not nearest:
        return []
    ids = [item[0] for item in nearest]
    rows = await session.execute(_CANDIDATE_GROUPS, {"ids": ids})
    groups = {question_id: (root, status) for question_id, root, status in rows}
    scores = scorer.score(
        text, vector, [item[1] for item in nearest], np.stack([item[2] for item in nearest])
    )
    best: dict[int, Match] = {}
    for (question_id, wording, _, _), score in zip(nearest, scores, strict=True):
        root, status = groups.get(question_id, (None, None))
        if root is None or status == Status.HIDDEN.value:
            continue
        if root not in best or score > best[root].score:
            best[root] = Match(question_id, float(score), root, wording)
    return sorted(best.values(), key=lambda match: -match.score)[:limit]
