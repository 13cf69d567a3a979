from __future__ import annotations

import numpy as np

from townhall.dedup.embedder import Embedder, length_batches


def test_length_batches_group_similar_lengths_and_cover_every_text_once() -> None:
    texts = ["a" * 900, "bb", "c" * 30, "dd", "e" * 31, "f"]

    batches = length_batches(texts, most=3, padded_chars=100)

    assert sorted(i for batch in batches for i in batch) == list(range(len(texts)))
    assert batches == [[5, 1, 3], [2, 4], [0]]


def test_length_batches_keep_a_text_longer_than_the_budget_on_its_own() -> None:
    assert length_batches(["x" * 500, "y"], most=64, padded_chars=100) == [[1], [0]]


def test_length_batches_respect_the_count() -> None:
    batches = length_batches(["same"] * 7, most=3, padded_chars=10_000)

    assert [len(batch) for batch in batches] == [3, 3, 1]


def test_vectors_come_back_in_the_order_asked_whatever_the_batches(embedder: Embedder) -> None:
    texts = [
        "What will you do about climate finance for small island states, and by when? " * 6,
        "Why?",
        "How will you reform the Security Council?",
    ]

    together = embedder.encode(texts)
    alone = np.vstack([embedder.encode([text]) for text in texts])

    np.testing.assert_allclose(together, alone, atol=1e-5)
