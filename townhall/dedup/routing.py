"""The scorer that picks a model and bands per pair of languages.

A pair of English questions goes to the English scorer (all-MiniLM-L6-v2 and its stacked
second stage, `models/dedup.json`), which stays better there; any other pair goes to the
second stage of its kind ("same": both in one language other than English, "cross": two
languages) on the multilingual half of the vectors (`townhall.dedup.multilingual`). Each kind
has its own merge and suggest bands, chosen on its own held-out pairs (docs/dedup.md).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt

from townhall.dedup.kinds import Kind, KindModel, char_profile, length_in_words, pair_kind
from townhall.dedup.language import routing_language
from townhall.dedup.scoring import Decision, Matrix, PairScorer, Thresholds, Vector, _matching

FloatArray = npt.NDArray[np.float64]
SCORER_NAME = "by_language"


class Scorer(Protocol):
    """What the dedup worker and `townhall dedup-eval` need from a scorer."""

    config: dict[str, Any]
    kind: str

    def score(
        self,
        query_text: str,
        query_vec: Vector,
        candidate_texts: Sequence[str],
        candidate_vecs: Matrix,
    ) -> FloatArray: ...

    def decide(self, score: float, query_text: str, candidate_text: str) -> Decision: ...

    def search_columns(self, query_text: str) -> list[slice]: ...


@dataclass(frozen=True)
class KindScorer:
    model: KindModel
    thresholds: Thresholds
    numbers_guard: bool

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> KindScorer:
        bands = config["thresholds"]
        thresholds = Thresholds(
            merge=float(bands["merge"]),
            suggest=float(bands["suggest"]),
            min_words_for_auto_merge=int(bands.get("min_words_for_auto_merge", 4)),
        )
        if not 0.0 <= thresholds.suggest <= thresholds.merge <= 1.0:
            raise ValueError("dedup thresholds must satisfy 0 <= suggest <= merge <= 1")
        guards = config.get("guards", {"numbers": True})
        unknown = set(guards) - {"numbers"}
        if unknown:
            raise ValueError(f"unknown guards for a multilingual kind: {sorted(unknown)}")
        return cls(KindModel(config["model"]), thresholds, bool(guards.get("numbers", False)))


def conflicting_digits(a: str, b: str) -> bool:
    """Both carry numbers in digits and each has one the other lacks (any script)."""
    na, nb = char_profile(a).numbers, char_profile(b).numbers
    return bool(na - nb) and bool(nb - na)


def may_auto_merge(min_words: int, numbers_guard: bool, text_a: str, text_b: str) -> bool:
    """Whether a pair of another kind than English may merge without a person (any score)."""
    if _matching(text_a) == _matching(text_b):
        return True
    # Very short questions depend on context a model cannot see (as for English).
    shortest = min(
        length_in_words(text_a, routing_language(text_a)),
        length_in_words(text_b, routing_language(text_b)),
    )
    if shortest < min_words:
        return False
    return not (numbers_guard and conflicting_digits(text_a, text_b))


class RoutingScorer:
    """Scores like `PairScorer`, choosing the model and bands by the pair's languages."""

    kind = SCORER_NAME

    def __init__(self, config: dict[str, Any], english: PairScorer) -> None:
        self.config = config
        self.english = english
        encoders = config["encoders"]
        self.encoder = str(encoders["multilingual"])
        self.english_dimension = int(encoders["english_dimension"])
        self.dimension = self.english_dimension + int(encoders["multilingual_dimension"])
        self.kinds: dict[Kind, KindScorer] = {
            "same": KindScorer.from_config(config["kinds"]["same"]),
            "cross": KindScorer.from_config(config["kinds"]["cross"]),
        }

    @classmethod
    def from_file(cls, path: Path) -> RoutingScorer:
        with path.open(encoding="utf-8") as fh:
            config = json.load(fh)
        return cls(config, PairScorer.from_file(path.parent / config["english"]))

    def _english_half(self, vectors: Matrix) -> Matrix:
        return vectors[..., : self.english_dimension]

    def _multilingual_half(self, vectors: Matrix) -> Matrix:
        return vectors[..., self.english_dimension :]

    def kind_of(self, text_a: str, text_b: str) -> Kind:
        return pair_kind(routing_language(text_a), routing_language(text_b))

    def score(
        self,
        query_text: str,
        query_vec: Vector,
        candidate_texts: Sequence[str],
        candidate_vecs: Matrix,
    ) -> FloatArray:
        n = len(candidate_texts)
        scores = np.zeros(n, dtype=np.float64)
        if n == 0:
            return scores
        vecs = np.asarray(candidate_vecs, dtype=np.float32).reshape(n, -1)
        if vecs.shape[1] != self.dimension or query_vec.shape[-1] != self.dimension:
            raise ValueError(
                f"dedup config expects {self.dimension}-dimensional embeddings, got "
                f"{vecs.shape[1]}; recalibrate for this model"
            )
        english_query = bool(np.any(self._english_half(query_vec)))
        groups: dict[Kind, list[int]] = {}
        for i, text in enumerate(candidate_texts):
            kind = self.kind_of(query_text, text)
            if kind == "english" and not (english_query and np.any(self._english_half(vecs[i]))):
                kind = "same"  # embedded before it was known to be English: no English half
            groups.setdefault(kind, []).append(i)
        for kind, rows in groups.items():
            texts = [candidate_texts[i] for i in rows]
            if kind == "english":
                scores[rows] = self.english.score(
                    query_text, self._english_half(query_vec), texts, self._english_half(vecs[rows])
                )
                continue
            scores[rows] = self.kinds[kind].model.score(
                query_text,
                self._multilingual_half(query_vec),
                texts,
                self._multilingual_half(vecs[rows]),
            )
        query = _matching(query_text)
        same = [_matching(text) == query for text in candidate_texts]
        scores[np.array(same, dtype=bool)] = 1.0
        return scores

    def decide(self, score: float, query_text: str, candidate_text: str) -> Decision:
        kind = self.kind_of(query_text, candidate_text)
        if kind == "english":
            return self.english.decide(score, query_text, candidate_text)
        scorer = self.kinds[kind]
        bands = scorer.thresholds
        if score >= bands.merge and self._may_auto_merge(scorer, query_text, candidate_text):
            return "merge"
        if score >= bands.suggest:
            return "suggest"
        return "distinct"

    def _may_auto_merge(self, scorer: KindScorer, query_text: str, candidate_text: str) -> bool:
        return may_auto_merge(
            scorer.thresholds.min_words_for_auto_merge,
            scorer.numbers_guard,
            query_text,
            candidate_text,
        )

    def search_columns(self, query_text: str) -> list[slice]:
        """Where the index looks for candidates: the multilingual half holds every question;
        for an English question the English half finds the closest English ones too."""
        multilingual = slice(self.english_dimension, self.dimension)
        if routing_language(query_text) == "en":
            return [multilingual, slice(0, self.english_dimension)]
        return [multilingual]


def load_scorer(path: Path) -> PairScorer | RoutingScorer:
    """The scorer a config file describes (`scorer`: cosine, stacked or by_language)."""
    with path.open(encoding="utf-8") as fh:
        config = json.load(fh)
    if config.get("scorer") == SCORER_NAME:
        return RoutingScorer(config, PairScorer.from_file(path.parent / config["english"]))
    return PairScorer(config)
