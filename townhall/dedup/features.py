"""Pair features for the second-stage scorer, and pg_trgm's trigram similarity (pure numpy).

Every feature is symmetric in the two questions, so scoring (new, earlier) gives the same
value as (earlier, new). The lexical features are named, in order, by `LEXICAL_FEATURES`;
the embedding features are |a - b| followed by a * b (2 x the embedding dimension).
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import cydifflib
import numpy as np
import numpy.typing as npt

from townhall.domain.similarity import (
    content_words,
    entity_names,
    negated,
    numbers,
    question_word,
    words,
)

Matrix = npt.NDArray[np.float32]
Vector = npt.NDArray[np.float32]
FloatArray = npt.NDArray[np.float64]

LEXICAL_FEATURES: tuple[str, ...] = (
    "cosine",
    "trigram",
    "word_jaccard",
    "content_jaccard",
    "content_unshared",
    "content_common_min",
    "content_common_max",
    "stop_common_min",
    "stop_common_max",
    "word_common_min",
    "word_common_max",
    "weighted_word_share",
    "max_unshared_weight",
    "sum_unshared_weight",
    "longest_common_substring",
    "length_ratio",
    "length_difference",
    "mean_length",
    "min_chars",
    "max_chars",
    "same_first_word",
    "same_last_word",
    "number_mismatch",
    "number_one_sided",
    "negation_mismatch",
    "name_mismatch",
    "name_one_sided",
    "question_word_mismatch",
)

# pg_trgm treats letters and digits as word characters; "_" and punctuation split words.
_TRGM_WORD = re.compile(r"[^\W_]+")


def trigrams(text: str) -> frozenset[str]:
    """The set of trigrams of `text` exactly as PostgreSQL's pg_trgm builds it.

    Lower-cased; each word (run of letters and digits) is padded with two spaces before
    and one after, and every three-character window of the padded word is a trigram.
    """
    grams: set[str] = set()
    for word in _TRGM_WORD.findall(text.lower()):
        padded = f"  {word} "
        grams.update(padded[i : i + 3] for i in range(len(padded) - 2))
    return frozenset(grams)


def trigram_similarity(a: str, b: str) -> float:
    """pg_trgm `similarity(a, b)`: shared over distinct trigrams; 0 when either has none."""
    return _overlap(trigrams(a), trigrams(b))


def _overlap(a: frozenset[str], b: frozenset[str]) -> float:
    if not a or not b:
        return 0.0
    shared = len(a & b)
    return shared / (len(a) + len(b) - shared)


def _jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    # Unlike pg_trgm, two empty word sets count as equal.
    if not a and not b:
        return 1.0
    return _overlap(a, b)


def _common(a: frozenset[str], b: frozenset[str], pick: Callable[[int, int], int]) -> float:
    size = pick(len(a), len(b))
    return len(a & b) / size if size else 0.0


@dataclass(frozen=True)
class WordWeights:
    """Inverse document frequency of common words; every other word gets `rare` (df = 1).

    Fitted on the calibration questions and stored in the scorer config, so the rare
    words of a live event weigh the most, as they should.
    """

    weights: Mapping[str, float] = field(default_factory=dict)
    rare: float = 1.0

    def __call__(self, word: str) -> float:
        return self.weights.get(word, self.rare)

    @classmethod
    def fit(cls, texts: Iterable[str], keep: int = 2000) -> WordWeights:
        counts: Counter[str] = Counter()
        n = 0
        for text in texts:
            n += 1
            counts.update(set(words(text)))
        common = counts.most_common(keep)

        def idf(df: int) -> float:
            return round(math.log((n + 1) / (df + 1)) + 1.0, 4)

        return cls({w: idf(df) for w, df in common}, idf(1))

    def to_config(self) -> dict[str, object]:
        return {"rare": self.rare, "common": dict(self.weights)}

    @classmethod
    def from_config(cls, config: Mapping[str, object]) -> WordWeights:
        common = config.get("common", {})
        if not isinstance(common, Mapping):
            raise ValueError("word weights: 'common' must be an object of word -> weight")
        rare = config.get("rare", 1.0)
        if not isinstance(rare, int | float):
            raise ValueError("word weights: 'rare' must be a number")
        return cls({str(w): float(v) for w, v in common.items()}, float(rare))


@dataclass(frozen=True)
class TextProfile:
    """What the features need from one question, computed once per question."""

    lowered: str
    chars: int
    trigrams: frozenset[str]
    tokens: tuple[str, ...]
    words: frozenset[str]
    content: frozenset[str]
    numbers: frozenset[str]
    negated: bool
    names: frozenset[str]
    question_word: str

    @classmethod
    def of(cls, text: str) -> TextProfile:
        text = unicodedata.normalize("NFKC", text)
        tokens = tuple(words(text))
        return cls(
            lowered=" ".join(tokens),
            chars=len(text),
            trigrams=trigrams(text),
            tokens=tokens,
            words=frozenset(tokens),
            content=frozenset(content_words(tokens)),
            numbers=frozenset(numbers(text)),
            negated=negated(tokens),
            names=frozenset(entity_names(text)),
            question_word=question_word(tokens),
        )


def _longest_common_substring(a: str, b: str) -> float:
    if not a or not b:
        return 0.0
    # cydifflib is difflib compiled (same matches, same values as the scorer was fitted on).
    match = cydifflib.SequenceMatcher(None, a, b, autojunk=False).find_longest_match(
        0, len(a), 0, len(b)
    )
    size: int = match.size
    return size / min(len(a), len(b))


def lexical_features(
    cosine: float, a: TextProfile, b: TextProfile, weigh: WordWeights
) -> list[float]:
    """The values named in `LEXICAL_FEATURES`, for one pair (symmetric in `a` and `b`)."""
    content_all = a.content | b.content
    stop_a, stop_b = a.words - a.content, b.words - b.content
    weights, rare = weigh.weights.get, weigh.rare  # the hot loop: no method call per word
    unshared = sorted((weights(w, rare) for w in a.words ^ b.words), reverse=True)
    shared_weight = sum(weights(w, rare) for w in a.words & b.words)
    all_weight = shared_weight + sum(unshared)
    na, nb = len(a.tokens), len(b.tokens)
    any_names = bool(a.names) or bool(b.names)
    return [
        cosine,
        _overlap(a.trigrams, b.trigrams),
        _jaccard(a.words, b.words),
        _jaccard(a.content, b.content),
        len(a.content ^ b.content) / len(content_all) if content_all else 0.0,
        _common(a.content, b.content, min),
        _common(a.content, b.content, max),
        _common(stop_a, stop_b, min),
        _common(stop_a, stop_b, max),
        _common(a.words, b.words, min),
        _common(a.words, b.words, max),
        shared_weight / all_weight if all_weight else 0.0,
        unshared[0] if unshared else 0.0,
        sum(unshared),
        _longest_common_substring(a.lowered, b.lowered),
        min(na, nb) / max(na, nb) if max(na, nb) else 1.0,
        float(abs(na - nb)),
        (na + nb) / 2.0,
        float(min(a.chars, b.chars)),
        float(max(a.chars, b.chars)),
        float(bool(a.tokens) and bool(b.tokens) and a.tokens[0] == b.tokens[0]),
        float(bool(a.tokens) and bool(b.tokens) and a.tokens[-1] == b.tokens[-1]),
        float(bool(a.numbers) and bool(b.numbers) and a.numbers != b.numbers),
        float(bool(a.numbers) != bool(b.numbers)),
        float(a.negated != b.negated),
        1.0 - _jaccard(a.names, b.names) if any_names else 0.0,
        float(bool(a.names) != bool(b.names)),
        float(a.question_word != b.question_word),
    ]


def embedding_features(query_vec: Vector, candidate_vecs: Matrix) -> FloatArray:
    """|a - b| and a * b for the query against each candidate row (symmetric)."""
    qv = np.asarray(query_vec, dtype=np.float64)
    cv = np.asarray(candidate_vecs, dtype=np.float64)
    return np.hstack([np.abs(cv - qv), cv * qv])


def pair_embedding_features(vecs_a: Matrix, vecs_b: Matrix) -> FloatArray:
    """|a - b| and a * b for aligned rows of `vecs_a` and `vecs_b`."""
    va = np.asarray(vecs_a, dtype=np.float64)
    vb = np.asarray(vecs_b, dtype=np.float64)
    return np.hstack([np.abs(va - vb), va * vb])


def lexical_matrix(
    cosines: Sequence[float],
    profiles_a: Sequence[TextProfile],
    profiles_b: Sequence[TextProfile],
    weigh: WordWeights,
) -> FloatArray:
    """Lexical feature rows for aligned pairs."""
    rows = [
        lexical_features(float(c), a, b, weigh)
        for c, a, b in zip(cosines, profiles_a, profiles_b, strict=True)
    ]
    return np.array(rows, dtype=np.float64).reshape(len(rows), len(LEXICAL_FEATURES))


def sigmoid(z: FloatArray) -> FloatArray:
    out: FloatArray = 0.5 * (1.0 + np.tanh(0.5 * z))
    return out
