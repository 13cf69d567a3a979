"""Dedup behaviour on hand-written hard cases, with the real model and the shipped config."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import numpy.typing as npt
import pytest

from townhall.dedup.scoring import Decision, PairScorer

Encode = Callable[[list[str]], npt.NDArray[np.float32]]


def decide(encode: Encode, scorer: PairScorer, new: str, earlier: str) -> Decision:
    vectors = encode([new, earlier])
    score = scorer.score(new, vectors[0], [earlier], vectors[1:])[0]
    return scorer.decide(float(score), new, earlier)


@pytest.mark.parametrize(
    ("new", "earlier"),
    [
        ("Will you cut the budget by 10%?", "Will you cut the budget by 50%?"),
        ("Will you serve one term of 5 years?", "Will you serve two terms of 5 years?"),
        (
            "Will you support the nuclear ban treaty?",
            "Will you not support the nuclear ban treaty?",
        ),
        ("Should the UN intervene in Sudan?", "Should the UN never intervene in Sudan?"),
        ("What will you do for Africa?", "What will you do for Asia?"),
        ("How will you work with China on climate?", "How will you work with Brazil on climate?"),
        ("Why?", "Why not?"),
        ("Why?", "Why is that?"),
        ("And Africa?", "And Africa then?"),
        ("What is your favourite book?", "How will you fund peacekeeping missions?"),
    ],
)
def test_hard_case_is_not_merged(
    real_encode: Encode, shipped_scorer: PairScorer, new: str, earlier: str
) -> None:
    assert decide(real_encode, shipped_scorer, new, earlier) != "merge"


@pytest.mark.parametrize(
    ("new", "earlier"),
    [
        (
            "How will you reform the UN Security Council?",
            "How do you plan to reform the UN Security Council?",
        ),
        (
            "What is your plan to fight climate change?",
            "What is your plan for fighting climate change?",
        ),
        (
            "How would you make the United Nations more transparent?",
            "How will you make the United Nations more transparent?",
        ),
    ],
)
def test_clear_paraphrase_is_merged(
    real_encode: Encode, shipped_scorer: PairScorer, new: str, earlier: str
) -> None:
    assert decide(real_encode, shipped_scorer, new, earlier) == "merge"


@pytest.mark.parametrize(
    ("new", "earlier"),
    [
        ("How will you fund peacekeeping?", "Where will the money for peacekeeping come from?"),
        (
            "What will you do about the refugee crisis in Europe?",
            "What would you do about the refugee crisis in Europe?",
        ),
        ("How will you stop the war in Ukraine?", "What will you do to end the war in Ukraine?"),
    ],
)
def test_related_question_is_at_least_suggested(
    real_encode: Encode, shipped_scorer: PairScorer, new: str, earlier: str
) -> None:
    assert decide(real_encode, shipped_scorer, new, earlier) in ("merge", "suggest")


def test_identical_short_question_is_merged(
    real_encode: Encode, shipped_scorer: PairScorer
) -> None:
    assert decide(real_encode, shipped_scorer, "Why?", "why?") == "merge"


def test_scores_with_real_embeddings_are_symmetric(
    real_encode: Encode, shipped_scorer: PairScorer
) -> None:
    a, b = "Will you reform the Security Council?", "Do you plan Security Council reform?"
    vectors = real_encode([a, b])

    forward = shipped_scorer.score(a, vectors[0], [b], vectors[1:])[0]
    backward = shipped_scorer.score(b, vectors[1], [a], vectors[:1])[0]

    assert forward == pytest.approx(backward, abs=1e-9)


def test_best_candidate_is_the_paraphrase(real_encode: Encode, shipped_scorer: PairScorer) -> None:
    query = "How will you stop the war in Ukraine?"
    candidates = [
        "How will you end the war in Yemen?",
        "What will you do to end the war in Ukraine?",
        "Will you visit Ukraine in your first month?",
        "How will you stop climate change?",
    ]
    vectors = real_encode([query, *candidates])

    scores = shipped_scorer.score(query, vectors[0], candidates, vectors[1:])

    assert int(np.argmax(scores)) == 1
