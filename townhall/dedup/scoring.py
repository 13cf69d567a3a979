"""Scoring a new question against earlier ones, and the decision bands.

The scorer is pure (numpy only) so it runs inside the dedup worker thread and in
`townhall dedup-eval` alike. Its configuration is the JSON file in `models/` (written by
`townhall dedup-calibrate`, see docs/dedup.md). Two scorers exist:

- "cosine": the cosine of the two embeddings (the baseline);
- "stacked": a second stage on top of the embeddings. A linear model over the element-wise
  embedding features (|a - b|, a * b) gives one logit; small gradient-boosted trees combine
  it with lexical features (cosine, pg_trgm trigrams, word overlap, numbers, negation, names)
  into a calibrated probability that the two questions are the same.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import numpy as np
import numpy.typing as npt

from townhall.dedup.features import (
    LEXICAL_FEATURES,
    TextProfile,
    WordWeights,
    embedding_features,
    lexical_features,
    sigmoid,
)
from townhall.domain.similarity import conflicting_names, conflicting_numbers, negation_differs
from townhall.domain.text import normalise_for_matching, word_count

Decision = Literal["merge", "suggest", "distinct"]
Vector = npt.NDArray[np.float32]
Matrix = npt.NDArray[np.float32]
FloatArray = npt.NDArray[np.float64]

EMBEDDING_LOGIT = "embedding_logit"
GUARDS = ("numbers", "negation", "names")
# Stands in for +infinity (JSON has none) in padded tree nodes that always go left.
ALWAYS_LEFT = 3.0e38


@dataclass(frozen=True)
class Thresholds:
    merge: float
    suggest: float
    min_words_for_auto_merge: int = 4


@functools.lru_cache(maxsize=8192)
def _profile(text: str) -> TextProfile:
    # Candidates recur across queries of an event; their profiles are worth keeping.
    return TextProfile.of(text)


@functools.lru_cache(maxsize=8192)
def _matching(text: str) -> str:
    return normalise_for_matching(text)


class TreeEnsemble:
    """Gradient-boosted trees stored as complete binary trees of one depth (heap order).

    Node i has children 2i+1 (taken when x[feature] <= threshold) and 2i+2; the leaves are
    the last 2**depth slots. Shallower trees are padded with nodes that always go left.
    """

    def __init__(self, config: Mapping[str, Any], n_inputs: int) -> None:
        self.depth = int(config["depth"])
        self.base = float(config["base"])
        self.features = np.asarray(config["features"], dtype=np.intp)
        self.thresholds = np.asarray(config["thresholds"], dtype=np.float64)
        self.leaves = np.asarray(config["leaves"], dtype=np.float64)
        n_trees = len(self.features)
        inner, outer = 2**self.depth - 1, 2**self.depth
        if (
            self.features.shape != (n_trees, inner)
            or self.thresholds.shape != (n_trees, inner)
            or self.leaves.shape != (n_trees, outer)
        ):
            raise ValueError("dedup trees: features/thresholds/leaves shapes do not match depth")
        if n_trees and not 0 <= int(self.features.min()) <= int(self.features.max()) < n_inputs:
            raise ValueError("dedup trees: a feature index is out of range")
        self._trees = np.arange(n_trees)

    def raw(self, x: FloatArray) -> FloatArray:
        """Sum of the leaf values plus the base, per row of `x`."""
        n = x.shape[0]
        node = np.zeros((n, len(self._trees)), dtype=np.intp)
        rows = np.arange(n)[:, None]
        for _ in range(self.depth):
            feature = self.features[self._trees, node]
            right = x[rows, feature] > self.thresholds[self._trees, node]
            node = 2 * node + 1 + right
        leaf = node - (2**self.depth - 1)
        out: FloatArray = self.base + self.leaves[self._trees, leaf].sum(axis=1)
        return out


class StackedModel:
    """The second stage: embedding logit and lexical features into gradient-boosted trees."""

    def __init__(self, config: Mapping[str, Any]) -> None:
        inputs = list(config["inputs"])
        if inputs != [*LEXICAL_FEATURES, EMBEDDING_LOGIT]:
            raise ValueError(
                "dedup config: the stacked model was fitted on other features than this "
                "version computes; rerun `townhall dedup-calibrate`"
            )
        self.word_weights = WordWeights.from_config(config["word_weights"])
        logit = config["embedding_logit"]
        self.logit_weights = np.asarray(logit["weights"], dtype=np.float64)
        self.logit_bias = float(logit["bias"])
        self.trees = TreeEnsemble(config["trees"], len(inputs))

    def features(
        self,
        query_text: str,
        query_vec: Vector,
        candidate_texts: Sequence[str],
        candidate_vecs: Matrix,
    ) -> FloatArray:
        """The tree inputs, one row per candidate (lexical features, then the embedding logit)."""
        vecs = np.asarray(candidate_vecs, dtype=np.float32).reshape(len(candidate_texts), -1)
        if vecs.shape[1] * 2 != self.logit_weights.shape[0]:
            raise ValueError(
                f"dedup config expects {self.logit_weights.shape[0] // 2}-dimensional "
                f"embeddings, got {vecs.shape[1]}; recalibrate for this model"
            )
        query = _profile(query_text)
        cosines = vecs.astype(np.float64) @ np.asarray(query_vec, dtype=np.float64)
        lexical = [
            lexical_features(float(c), query, _profile(text), self.word_weights)
            for c, text in zip(cosines, candidate_texts, strict=True)
        ]
        logits = embedding_features(query_vec, vecs) @ self.logit_weights + self.logit_bias
        return np.column_stack([np.array(lexical, dtype=np.float64), logits])

    def probability(self, features: FloatArray) -> FloatArray:
        return sigmoid(self.trees.raw(features))


class PairScorer:
    """Scores pairs of questions in [0, 1]; higher means more likely the same question."""

    def __init__(self, config: dict[str, Any]) -> None:
        self.config = config
        bands = config["thresholds"]
        self.thresholds = Thresholds(
            merge=float(bands["merge"]),
            suggest=float(bands["suggest"]),
            min_words_for_auto_merge=int(bands.get("min_words_for_auto_merge", 4)),
        )
        if not 0.0 <= self.thresholds.suggest <= self.thresholds.merge <= 1.0:
            raise ValueError("dedup thresholds must satisfy 0 <= suggest <= merge <= 1")
        self.kind: str = config.get("scorer", "cosine")
        if self.kind == "cosine":
            self.model: StackedModel | None = None
        elif self.kind == "stacked":
            self.model = StackedModel(config["stacked"])
        else:
            raise ValueError(f"unknown dedup scorer {self.kind!r} (expected cosine or stacked)")
        guards = config.get("guards", dict.fromkeys(GUARDS, True))
        unknown = set(guards) - set(GUARDS)
        if unknown:
            raise ValueError(f"unknown dedup guards: {sorted(unknown)}")
        self.guards = frozenset(name for name in GUARDS if guards.get(name, False))

    @classmethod
    def from_file(cls, path: Path) -> PairScorer:
        with path.open(encoding="utf-8") as fh:
            return cls(json.load(fh))

    def score(
        self,
        query_text: str,
        query_vec: Vector,
        candidate_texts: Sequence[str],
        candidate_vecs: Matrix,
    ) -> npt.NDArray[np.float64]:
        """Scores of the query against each candidate (rows of `candidate_vecs`).

        Vectors are L2-normalised embeddings, so the dot product is the cosine.
        """
        if len(candidate_texts) == 0:
            return np.zeros(0, dtype=np.float64)
        if self.model is None:
            cosine = candidate_vecs @ query_vec
            return np.clip(cosine.astype(np.float64), 0.0, 1.0)
        features = self.model.features(query_text, query_vec, candidate_texts, candidate_vecs)
        scores = self.model.probability(features)
        # The model learned from pairs that differ; the same words are the same question.
        query = _matching(query_text)
        same = [_matching(text) == query for text in candidate_texts]
        scores[np.array(same, dtype=bool)] = 1.0
        return scores

    def search_columns(self, query_text: str) -> list[slice]:
        """Where the index looks for candidates: the whole vector."""
        return [slice(None)]

    def decide(self, score: float, query_text: str, candidate_text: str) -> Decision:
        bands = self.thresholds
        if score >= bands.merge and self._may_auto_merge(query_text, candidate_text):
            return "merge"
        if score >= bands.suggest:
            return "suggest"
        return "distinct"

    def _may_auto_merge(self, query_text: str, candidate_text: str) -> bool:
        if _matching(query_text) == _matching(candidate_text):
            return True
        # Very short questions ("Why?", "And Africa?") depend on context a model cannot see.
        shortest = min(word_count(query_text), word_count(candidate_text))
        if shortest < self.thresholds.min_words_for_auto_merge:
            return False
        # Embeddings barely move when one detail changes ("10%" vs "50%", "not", "Africa" vs
        # "Asia"), yet that detail is often the whole question: a person decides those.
        return not self.blocked_by_guard(query_text, candidate_text)

    def blocked_by_guard(self, query_text: str, candidate_text: str) -> bool:
        """Whether a number, negation or name mismatch rules out an automatic merge."""
        return (
            ("numbers" in self.guards and conflicting_numbers(query_text, candidate_text))
            or ("negation" in self.guards and negation_differs(query_text, candidate_text))
            or ("names" in self.guards and conflicting_names(query_text, candidate_text))
        )
