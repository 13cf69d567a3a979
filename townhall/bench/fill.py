"""Write questions and votes straight into a migrated SQLite database (many rows fast).

The rows look like the app's own: a root question per row (root_id = id), dedup done, the
stored embedding, `supporters` equal to the distinct participants voting for it, and the
asker's own vote among them.
"""

from __future__ import annotations

import sqlite3
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import numpy.typing as npt

from townhall.dedup.embedder import to_bytes


@dataclass(frozen=True)
class Filled:
    event_id: int
    questions: int
    participants: int
    votes: int
    seconds: float


def _stamp(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M:%S.%f")  # how SQLAlchemy stores it on SQLite


def fill_event(
    database: Path,
    slug: str,
    texts: list[str],
    vectors: npt.NDArray[np.float32],
    *,
    questions: int,
    participants: int,
    votes: int,
    seed: int = 11,
) -> Filled:
    """Add `questions` open questions (texts and vectors reused with a variant mark when there
    are fewer of them) and about `votes` votes from `participants` people to the event."""
    import time

    started = time.perf_counter()
    rng = np.random.default_rng(seed)
    connection = sqlite3.connect(database, isolation_level=None)
    try:
        connection.execute("PRAGMA synchronous=OFF")
        connection.execute("PRAGMA cache_size=-400000")
        (event_id,) = connection.execute("SELECT id FROM events WHERE slug = ?", (slug,)).fetchone()
        first_id = (
            (connection.execute("SELECT COALESCE(MAX(id), 0) FROM questions").fetchone()[0]) + 1
        )
        now = datetime.now(UTC).replace(tzinfo=None)
        people = [str(uuid.uuid4()) for _ in range(participants)]
        authors = rng.integers(0, participants, questions)
        # Votes: the asker's own, plus others drawn with a long tail (a few questions popular).
        keys = authors.astype(np.int64) * questions + np.arange(questions)
        extra = max(0, votes - questions)
        if extra:
            weights = 1.0 / np.arange(1, questions + 1) ** 0.8
            popularity = rng.permutation(questions)
            draws = rng.choice(questions, size=int(extra * 1.15), p=weights / weights.sum())
            voters = rng.integers(0, participants, draws.size)
            more = np.unique(voters.astype(np.int64) * questions + popularity[draws])
            more = np.setdiff1d(more, keys, assume_unique=False)
            if more.size > extra:
                more = rng.choice(more, size=extra, replace=False)
            keys = np.concatenate([keys, more])
        voter_index, question_index = np.divmod(keys, questions)
        supporters = np.bincount(question_index, minlength=questions)

        connection.execute("BEGIN")
        connection.executemany(
            "INSERT OR IGNORE INTO participants (id, created_at) VALUES (?, ?)",
            ((person, _stamp(now)) for person in people),
        )
        spacing = timedelta(seconds=3600 / max(1, questions))
        rows = (
            (
                first_id + i,
                event_id,
                people[int(authors[i])],
                texts[i % len(texts)]
                if i < len(texts)
                else f"{texts[i % len(texts)]} [#{i // len(texts)}]",
                "open",
                first_id + i,
                int(supporters[i]),
                "done",
                to_bytes(vectors[i % len(vectors)]),
                _stamp(now - timedelta(hours=1) + spacing * i),
            )
            for i in range(questions)
        )
        connection.executemany(
            "INSERT INTO questions (id, event_id, author_id, text, status, root_id, supporters,"
            " dedup_state, embedding, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            rows,
        )
        order = np.lexsort((voter_index, question_index))
        stamp = _stamp(now)
        connection.executemany(
            "INSERT INTO votes (question_id, participant_id, created_at) VALUES (?, ?, ?)",
            (
                (first_id + int(question_index[k]), people[int(voter_index[k])], stamp)
                for k in order
            ),
        )
        connection.execute("COMMIT")
    finally:
        connection.close()
    return Filled(event_id, questions, participants, int(keys.size), time.perf_counter() - started)
