"""The split embedder: the English model's half only for English texts."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from townhall.dedup.embedder import Matrix
from townhall.dedup.multilingual import SplitEmbedder


class _Fixed:
    def __init__(self, dimension: int, value: float) -> None:
        self.dimension = dimension
        self.value = value
        self.seen: list[list[str]] = []

    def encode(self, texts: Sequence[str]) -> Matrix:
        self.seen.append(list(texts))
        return np.full((len(texts), self.dimension), self.value, dtype=np.float32)


def _detect(texts: dict[str, str]) -> Callable[[str], str]:
    return lambda text: texts[text]


def test_split_embedder_english_half_only_for_english() -> None:
    english, multilingual = _Fixed(2, 1.0), _Fixed(3, 2.0)
    embedder = SplitEmbedder(english, multilingual, _detect({"Why?": "en", "¿Por qué?": "es"}))

    vectors = embedder.encode(["¿Por qué?", "Why?"])

    assert (vectors.tolist(), english.seen, embedder.dimension) == (
        [[0.0, 0.0, 2.0, 2.0, 2.0], [1.0, 1.0, 2.0, 2.0, 2.0]],
        [["Why?"]],
        5,
    )


def test_split_embedder_no_texts() -> None:
    embedder = SplitEmbedder(_Fixed(2, 1.0), _Fixed(3, 2.0), _detect({}))

    assert embedder.encode([]).shape == (0, 5)
