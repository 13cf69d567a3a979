"""Pairs of questions by kind (English, same other language, across languages) and the
second stage that scores the non-English kinds on the multilingual half of the vector.

Word features built for English (stop words, names, negation) mean little in Chinese or across
scripts, so these kinds use features that hold in any script: the cosine, a logit over the
element-wise embedding features (|a - b|, a * b), character and character-bigram overlap (the
useful surface signal in Chinese, and for names and numbers written alike across languages),
the longest shared run of characters, lengths and numbers. Every feature is symmetric.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import cydifflib
import numpy as np
import numpy.typing as npt

from townhall.dedup.features import embedding_features, sigmoid
from townhall.dedup.language import UNSPACED

Kind = Literal["english", "same", "cross"]
KINDS: tuple[Kind, ...] = ("english", "same", "cross")
FloatArray = npt.NDArray[np.float64]
Matrix = npt.NDArray[np.float32]

MULTILINGUAL_FEATURES: tuple[str, ...] = (
    "cosine",
    "char_jaccard",
    "bigram_jaccard",
    "bigram_common_min",
    "latin_jaccard",
    "longest_common_run",
    "length_ratio",
    "min_chars",
    "max_chars",
    "number_mismatch",
    "number_one_sided",
)
EMBEDDING_LOGIT = "embedding_logit"

_NOT_WORD = re.compile(r"[\W_]+")
_LATIN_OR_DIGITS = re.compile(r"[0-9a-z]+")
_DIGITS = re.compile(r"\d+(?:[.,]\d+)*")
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uf900-\ufaff]")


def pair_kind(language_a: str, language_b: str) -> Kind:
    if language_a != language_b:
        return "cross"
    return "english" if language_a == "en" else "same"


def length_in_words(text: str, language: str) -> int:
    """Words, or for Chinese, Japanese and Thai about two characters a word."""
    if language in UNSPACED:
        return (len(_NOT_WORD.sub("", text)) + 1) // 2
    return len(re.findall(r"\w+", text))


@dataclass(frozen=True)
class CharProfile:
    compact: str  # NFKC, case-folded, letters and digits only
    chars: frozenset[str]
    bigrams: frozenset[str]
    latin: frozenset[str]  # runs of Latin letters or digits: names and numbers across scripts
    numbers: frozenset[str]

    @classmethod
    def of(cls, text: str) -> CharProfile:
        folded = unicodedata.normalize("NFKC", text).casefold()
        compact = _NOT_WORD.sub("", folded)
        return cls(
            compact=compact,
            chars=frozenset(compact),
            bigrams=frozenset(compact[i : i + 2] for i in range(len(compact) - 1)),
            latin=frozenset(_LATIN_OR_DIGITS.findall(folded)),
            numbers=frozenset(m.replace(",", "") for m in _DIGITS.findall(folded)),
        )


@functools.lru_cache(maxsize=16384)
def char_profile(text: str) -> CharProfile:
    return CharProfile.of(text)


def _jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    union = len(a | b)
    return len(a & b) / union if union else 0.0


def _longest_run(a: str, b: str) -> float:
    if not a or not b:
        return 0.0
    match = cydifflib.SequenceMatcher(None, a, b, autojunk=False).find_longest_match(
        0, len(a), 0, len(b)
    )
    size: int = match.size
    return size / min(len(a), len(b))


def surface_features(cosine: float, a: CharProfile, b: CharProfile) -> list[float]:
    """The values named in `MULTILINGUAL_FEATURES` for one pair."""
    na, nb = len(a.compact), len(b.compact)
    shorter_bigrams = min(len(a.bigrams), len(b.bigrams))
    return [
        cosine,
        _jaccard(a.chars, b.chars),
        _jaccard(a.bigrams, b.bigrams),
        len(a.bigrams & b.bigrams) / shorter_bigrams if shorter_bigrams else 0.0,
        _jaccard(a.latin, b.latin),
        _longest_run(a.compact, b.compact),
        min(na, nb) / max(na, nb) if max(na, nb) else 1.0,
        float(min(na, nb)),
        float(max(na, nb)),
        float(bool(a.numbers) and bool(b.numbers) and a.numbers != b.numbers),
        float(bool(a.numbers) != bool(b.numbers)),
    ]


def surface_matrix(
    cosines: Sequence[float], first: Sequence[str], second: Sequence[str]
) -> FloatArray:
    rows = [
        surface_features(float(c), char_profile(a), char_profile(b))
        for c, a, b in zip(cosines, first, second, strict=True)
    ]
    return np.array(rows, dtype=np.float64).reshape(len(rows), len(MULTILINGUAL_FEATURES))


class KindModel:
    """One kind's second stage: the embedding logit and the surface features into trees."""

    def __init__(self, config: Mapping[str, Any]) -> None:
        from townhall.dedup.scoring import TreeEnsemble

        inputs = list(config["inputs"])
        if inputs != [*MULTILINGUAL_FEATURES, EMBEDDING_LOGIT]:
            raise ValueError(
                "dedup config: a multilingual kind was fitted on other features than this "
                "version computes; rerun `townhall dedup-calibrate`"
            )
        logit = config["embedding_logit"]
        self.logit_weights = np.asarray(logit["weights"], dtype=np.float64)
        self.logit_bias = float(logit["bias"])
        self.trees = TreeEnsemble(config["trees"], len(inputs))

    def logits(self, pair_features: FloatArray) -> FloatArray:
        out: FloatArray = pair_features @ self.logit_weights + self.logit_bias
        return out

    def probability(self, features: FloatArray) -> FloatArray:
        return sigmoid(self.trees.raw(features))

    def score(
        self, query_text: str, query_vec: Matrix, texts: Sequence[str], vecs: Matrix
    ) -> FloatArray:
        """Scores of the query against rows `vecs` (multilingual halves, unit length)."""
        if vecs.shape[1] * 2 != self.logit_weights.shape[0]:
            raise ValueError(
                f"dedup config expects {self.logit_weights.shape[0] // 2}-dimensional "
                f"multilingual embeddings, got {vecs.shape[1]}; recalibrate for this model"
            )
        cosines = vecs.astype(np.float64) @ np.asarray(query_vec, dtype=np.float64)
        surface = surface_matrix(cosines.tolist(), [query_text] * len(texts), list(texts))
        logit = self.logits(embedding_features(query_vec, vecs))
        return self.probability(np.column_stack([surface, logit]))
