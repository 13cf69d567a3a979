"""Per-event vector index in memory, rebuilt from stored embeddings (never re-embedded)."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

Vector = npt.NDArray[np.float32]


class EventIndex:
    """Exact cosine search over one event's questions: a matrix product, fast to 100k rows."""

    def __init__(self, dimension: int) -> None:
        self.dimension = dimension
        self._ids: list[int] = []
        self._id_array = np.zeros(0, dtype=np.int64)  # the same ids, for masking in numpy
        self._texts: list[str] = []
        self._matrix = np.zeros((0, dimension), dtype=np.float32)
        self._size = 0

    def __len__(self) -> int:
        return self._size

    def ids(self) -> set[int]:
        return set(self._ids)

    def add(self, question_id: int, text: str, vector: Vector) -> None:
        if self._size == self._matrix.shape[0]:
            grown = np.zeros((max(64, self._size * 2), self.dimension), dtype=np.float32)
            grown[: self._size] = self._matrix[: self._size]
            self._matrix = grown
            ids = np.zeros(grown.shape[0], dtype=np.int64)
            ids[: self._size] = self._id_array[: self._size]
            self._id_array = ids
        self._matrix[self._size] = vector
        self._id_array[self._size] = question_id
        self._ids.append(question_id)
        self._texts.append(text)
        self._size += 1

    def nearest(
        self, vector: Vector, k: int, *, exclude: int | None = None, columns: slice = slice(None)
    ) -> list[tuple[int, str, Vector, float]]:
        """Up to k (id, text, vector, cosine) pairs, best first, compared on `columns` (the
        part of the vectors one model wrote: townhall/dedup/multilingual.py)."""
        if self._size == 0:
            return []
        scores = self._matrix[: self._size, columns] @ vector[columns]
        if exclude is not None:
            scores = np.where(self._id_array[: self._size] == exclude, -np.inf, scores)
        k = min(k, self._size)
        top = np.argpartition(-scores, k - 1)[:k]
        top = top[np.argsort(-scores[top])]
        return [
            (self._ids[i], self._texts[i], self._matrix[i], float(scores[i]))
            for i in top
            if np.isfinite(scores[i])
        ]
