"""Fitting the multilingual kinds and choosing their bands (`townhall dedup-calibrate
--multilingual`).

Like `calibration.py` for English, per kind of pair ("same": one language other than English;
"cross": two languages), with two differences the data asks for:

- Folds are grouped: every question of the labelled files belongs to one connected group (the
  pairs that share a text, which for XQuAD is all questions about one paragraph in every
  language). A group is wholly in one fold, so no held-out pair shares a question, or a
  paragraph, with the pairs the model learned from.
- The merge threshold of a kind may also be held to a largest share of merged non-duplicates
  (`max_wrong_merge`): different questions about one paragraph, in one language, must stay
  apart even where the other pairs of that kind would allow a lower threshold.

On each outer fold's training part: fit (embedding logit from inner out-of-fold scores, then
trees), choose the bands on inner out-of-fold scores, measure the held-out fold. The shipped
model of each kind is fitted on all its pairs, its bands chosen on the pooled held-out scores.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

from townhall.dedup.calibration import Bands, _fit_logit, _round, choose_thresholds
from townhall.dedup.evaluation import BandMetrics, Pairs, band_metrics
from townhall.dedup.features import pair_embedding_features
from townhall.dedup.kinds import (
    EMBEDDING_LOGIT,
    MULTILINGUAL_FEATURES,
    Kind,
    KindModel,
    pair_kind,
    surface_matrix,
)
from townhall.dedup.routing import may_auto_merge
from townhall.dedup.trees import fit_boosted

FloatArray = npt.NDArray[np.float64]
Index = npt.NDArray[np.intp]
Labels = npt.NDArray[np.int8]


@dataclass(frozen=True)
class KindTargets:
    target_precision: float
    target_recall: float
    max_wrong_merge: float | None = None  # share of non-duplicates merged, at most


@dataclass(frozen=True)
class KindSettings:
    folds: int = 5
    inner_folds: int = 3
    seed: int = 20261202
    logit_c: float = 0.01
    trees: int = 200
    depth: int = 3
    learning_rate: float = 0.05
    l2_regularization: float = 1.0
    min_words_for_auto_merge: int = 4
    # Aimed a little above the goals (docs/dedup.md): figures drift on unseen pairs.
    targets: dict[str, KindTargets] = field(
        default_factory=lambda: {
            "cross": KindTargets(0.92, 0.955),
            "same": KindTargets(0.92, 0.905, max_wrong_merge=0.02),
        }
    )


@dataclass
class KindData:
    """One kind's pairs with what fitting needs (the multilingual halves only)."""

    pairs: Pairs
    surface: FloatArray
    embedding: FloatArray
    may_merge: npt.NDArray[np.bool_]
    groups: npt.NDArray[np.intp]
    # Pairs the models learn from and the bands are chosen on (the six UN languages); the
    # others are only measured, on the held-out folds like the rest.
    fit_on: npt.NDArray[np.bool_]

    @property
    def labels(self) -> Labels:
        return self.pairs.labels


def text_groups(pairs: Pairs) -> npt.NDArray[np.intp]:
    """The connected group of each pair (pairs sharing a text are connected)."""
    parent: dict[str, str] = {}

    def root(text: str) -> str:
        parent.setdefault(text, text)
        while parent[text] != text:
            parent[text] = parent[parent[text]]
            text = parent[text]
        return text

    for a, b in zip(pairs.first, pairs.second, strict=True):
        ra, rb = root(a), root(b)
        if ra != rb:
            parent[ra] = rb
    numbers: dict[str, int] = {}
    return np.array([numbers.setdefault(root(a), len(numbers)) for a in pairs.first], dtype=np.intp)


def build_kind_data(
    pairs: Pairs,
    multi_first: npt.NDArray[np.float32],
    multi_second: npt.NDArray[np.float32],
    groups: npt.NDArray[np.intp],
    settings: KindSettings,
    fit_on: npt.NDArray[np.bool_] | None = None,
) -> KindData:
    cosines = np.einsum("ij,ij->i", multi_first.astype(np.float64), multi_second.astype(np.float64))
    return KindData(
        pairs=pairs,
        surface=surface_matrix(cosines.tolist(), pairs.second, pairs.first),
        embedding=pair_embedding_features(multi_first, multi_second),
        may_merge=np.array(
            [
                may_auto_merge(settings.min_words_for_auto_merge, True, new, earlier)
                for new, earlier in zip(pairs.second, pairs.first, strict=True)
            ]
        ),
        groups=groups,
        fit_on=np.ones(len(pairs), dtype=bool) if fit_on is None else fit_on,
    )


def _group_folds(
    labels: Labels, groups: npt.NDArray[np.intp], k: int, seed: int
) -> list[tuple[Index, Index]]:
    from sklearn.model_selection import StratifiedGroupKFold

    splitter = StratifiedGroupKFold(n_splits=k, shuffle=True, random_state=seed)
    return [
        (train.astype(np.intp), test.astype(np.intp))
        for train, test in splitter.split(np.zeros(len(labels)), labels, groups)
    ]


def fit_kind(data: KindData, train: Index, settings: KindSettings) -> dict[str, Any]:
    """Fit one kind's second stage on the pairs `train`; return its "model" config."""
    y = data.labels[train]
    logit = np.empty(len(train))
    for fit_part, held in _group_folds(y, data.groups[train], settings.inner_folds, settings.seed):
        w, b = _fit_logit(data.embedding[train[fit_part]], y[fit_part], settings.logit_c)
        logit[held] = data.embedding[train[held]] @ w + b
    w, b = _fit_logit(data.embedding[train], y, settings.logit_c)
    x = np.column_stack([data.surface[train], logit])
    boosted, trees = fit_boosted(
        x,
        y,
        trees=settings.trees,
        depth=settings.depth,
        learning_rate=settings.learning_rate,
        l2_regularization=settings.l2_regularization,
        seed=settings.seed,
    )
    config: dict[str, Any] = {
        "inputs": [*MULTILINGUAL_FEATURES, EMBEDDING_LOGIT],
        "embedding_logit": {"weights": _round(w), "bias": float(f"{b:.6g}")},
        "trees": trees,
    }
    exported = KindModel(config).probability(x)
    if float(np.max(np.abs(exported - boosted.predict_proba(x)[:, 1]))) > 1e-6:
        raise RuntimeError("exported trees disagree with scikit-learn; check its version")
    trees["base"] = float(f"{trees['base']:.7g}")
    trees["thresholds"] = [_round(row, 7) for row in trees["thresholds"]]
    trees["leaves"] = [_round(row, 5) for row in trees["leaves"]]
    return config


def predict_kind(config: dict[str, Any], data: KindData, index: Index) -> FloatArray:
    model = KindModel(config)
    x = np.column_stack([data.surface[index], model.logits(data.embedding[index])])
    return model.probability(x)


def choose_kind_bands(
    scores: FloatArray, labels: Labels, may_merge: npt.NDArray[np.bool_], targets: KindTargets
) -> Bands:
    bands = choose_thresholds(
        scores, labels, may_merge, targets.target_precision, targets.target_recall
    )
    if targets.max_wrong_merge is None:
        return bands
    # The lowest threshold that merges at most that share of the non-duplicates.
    wrong = np.sort(scores[(labels == 0) & may_merge])[::-1]
    negatives = max(int((labels == 0).sum()), 1)
    allowed = int(np.floor(targets.max_wrong_merge * negatives))
    floor = float(np.nextafter(wrong[allowed], 2.0)) if allowed < len(wrong) else 0.0
    merge = min(max(bands.merge, floor), 1.0)
    return Bands(merge=merge, suggest=min(bands.suggest, merge))


def decisions(scores: FloatArray, bands: Bands, may_merge: npt.NDArray[np.bool_]) -> list[str]:
    return [
        "merge" if s >= bands.merge and m else "suggest" if s >= bands.suggest else "distinct"
        for s, m in zip(scores.tolist(), may_merge.tolist(), strict=True)
    ]


@dataclass
class KindFold:
    fold: int
    bands: Bands
    held_out: Index
    scores: FloatArray
    decisions: list[str]


def cross_validate_kind(
    data: KindData, targets: KindTargets, settings: KindSettings, say: Callable[[str], None]
) -> tuple[list[KindFold], FloatArray]:
    pooled = np.empty(len(data.labels))
    folds: list[KindFold] = []
    outer = _group_folds(data.labels, data.groups, settings.folds, settings.seed)
    for number, (all_train, test) in enumerate(outer, start=1):
        train = all_train[data.fit_on[all_train]]
        y = data.labels[train]
        inner_scores = np.empty(len(train))
        inner = _group_folds(y, data.groups[train], settings.inner_folds, settings.seed + number)
        for fit_part, held in inner:
            config = fit_kind(data, train[fit_part], settings)
            inner_scores[held] = predict_kind(config, data, train[held])
        bands = choose_kind_bands(inner_scores, y, data.may_merge[train], targets)
        scores = predict_kind(fit_kind(data, train, settings), data, test)
        pooled[test] = scores
        folds.append(
            KindFold(number, bands, test, scores, decisions(scores, bands, data.may_merge[test]))
        )
        say(f"  fold {number}: merge {bands.merge:.4f}, suggest {bands.suggest:.4f}")
    return folds, pooled


def held_out_rows(
    data: KindData, folds: Sequence[KindFold], select: Callable[[int], bool]
) -> dict[str, Any]:
    """Per-fold metrics over the held-out pairs that `select` keeps (by position)."""
    rows = []
    for fold in folds:
        keep = [j for j, i in enumerate(fold.held_out.tolist()) if select(int(i))]
        if not keep:
            continue
        metrics = band_metrics([fold.decisions[j] for j in keep], data.labels[fold.held_out[keep]])
        rows.append(metrics.as_dict())
    if not rows:
        return {}
    keys = [k for k in rows[0] if k not in ("pairs", "duplicates")]
    return {
        "pairs": int(sum(int(r["pairs"]) for r in rows)),
        "duplicates": int(sum(int(r["duplicates"]) for r in rows)),
        "mean": {k: round(float(np.mean([r[k] for r in rows])), 4) for k in keys},
        "min": {k: round(float(np.min([r[k] for r in rows])), 4) for k in keys},
        "max": {k: round(float(np.max([r[k] for r in rows])), 4) for k in keys},
    }


def calibrate_kind(
    kind: Kind, data: KindData, settings: KindSettings, say: Callable[[str], None]
) -> tuple[dict[str, Any], list[KindFold]]:
    targets = settings.targets[kind]
    started = time.monotonic()
    say(f"{kind}: {len(data.labels)} pairs, {int(data.labels.sum())} duplicates")
    folds, pooled = cross_validate_kind(data, targets, settings, say)
    fitted = np.flatnonzero(data.fit_on).astype(np.intp)
    model = fit_kind(data, fitted, settings)
    bands = choose_kind_bands(pooled[fitted], data.labels[fitted], data.may_merge[fitted], targets)
    config = {
        "thresholds": bands.as_dict(settings.min_words_for_auto_merge),
        "guards": {"numbers": True},
        "targets": asdict(targets),
        "folds": [{"fold": f.fold, **f.bands.as_dict()} for f in folds],
        "seconds": round(time.monotonic() - started, 1),
        "model": model,
    }
    return config, folds


def kinds_of(pairs: Pairs, detect: Callable[[str], str]) -> list[Kind]:
    """Each pair's kind, from the detected languages (as the live scorer sees them)."""
    return [pair_kind(detect(a), detect(b)) for a, b in zip(pairs.first, pairs.second, strict=True)]


@dataclass(frozen=True)
class KindReport:
    kind: Kind
    config: dict[str, Any]
    folds: list[KindFold]
    data: KindData
    language_pairs: list[str]
    sources: list[str]  # the file each pair came from

    def table_rows(self) -> list[tuple[str, dict[str, Any]]]:
        rows: list[tuple[str, dict[str, Any]]] = [
            (self.kind, held_out_rows(self.data, self.folds, lambda _i: True))
        ]
        if not self.data.fit_on.all():
            fit_on = self.data.fit_on
            rows.append(
                (
                    f"{self.kind}, UN languages",
                    held_out_rows(self.data, self.folds, lambda i: bool(fit_on[i])),
                )
            )
        for name in sorted(set(self.language_pairs)):

            def same_pair(i: int, name: str = name) -> bool:
                return self.language_pairs[i] == name

            rows.append((f"  {name}", held_out_rows(self.data, self.folds, same_pair)))
            files = sorted(
                {s for s, n in zip(self.sources, self.language_pairs, strict=True) if n == name}
            )
            for source in files if len(files) > 1 else []:

                def from_file(i: int, name: str = name, source: str = source) -> bool:
                    return self.language_pairs[i] == name and self.sources[i] == source

                rows.append(
                    (f"  {name}, {source}", held_out_rows(self.data, self.folds, from_file))
                )
        return rows


def metrics_of(summary: dict[str, Any]) -> BandMetrics:
    return BandMetrics(pairs=summary["pairs"], duplicates=summary["duplicates"], **summary["mean"])
