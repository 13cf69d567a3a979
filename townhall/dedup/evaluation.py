"""Measuring dedup decisions on labelled question pairs (`townhall dedup-eval`).

The pairs file is tab-separated with a header `id question1 question2 is_duplicate`
(Python csv quoting), like the Quora Question Pairs files in /work/shared/data. Each pair is
scored through the same `PairScorer.score` / `decide` calls the live app makes, with
question2 as the new question and question1 as the earlier one.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from townhall.dedup.features import trigram_similarity
from townhall.dedup.scoring import Decision, PairScorer

Encode = Callable[[list[str]], npt.NDArray[np.float32]]
REQUIRED_COLUMNS = ("id", "question1", "question2", "is_duplicate")
PROGRESS_MIN_PAIRS = 500


@dataclass(frozen=True)
class Pairs:
    ids: list[str]
    first: list[str]
    second: list[str]
    labels: npt.NDArray[np.int8]

    def __len__(self) -> int:
        return len(self.ids)

    def subset(self, index: npt.NDArray[np.intp]) -> Pairs:
        return Pairs(
            [self.ids[i] for i in index],
            [self.first[i] for i in index],
            [self.second[i] for i in index],
            self.labels[index],
        )


def read_pairs(path: Path) -> Pairs:
    """Read a labelled pairs TSV; raise ValueError naming the line of any bad row."""
    ids: list[str] = []
    first: list[str] = []
    second: list[str] = []
    labels: list[int] = []
    with path.open(encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh, delimiter="\t")
        header = reader.fieldnames
        if header is None:
            raise ValueError(f"{path}: the file is empty (expected a header line)")
        missing = [c for c in REQUIRED_COLUMNS if c not in header]
        if missing:
            raise ValueError(
                f"{path}, line 1: missing column(s) {', '.join(missing)} "
                f"(expected tab-separated {', '.join(REQUIRED_COLUMNS)})"
            )
        for row in reader:
            line = reader.line_num
            values = [row.get(c) for c in REQUIRED_COLUMNS]
            if any(v is None for v in values):
                raise ValueError(f"{path}, line {line}: too few fields (is it tab-separated?)")
            label = (row["is_duplicate"] or "").strip()
            if label not in ("0", "1"):
                raise ValueError(f"{path}, line {line}: is_duplicate must be 0 or 1, not {label!r}")
            ids.append(row["id"])
            first.append(row["question1"])
            second.append(row["question2"])
            labels.append(int(label))
    if not ids:
        raise ValueError(f"{path}: no pairs after the header line")
    return Pairs(ids, first, second, np.array(labels, dtype=np.int8))


@dataclass(frozen=True)
class BandMetrics:
    """How the merge and suggest bands do against the labels."""

    pairs: int
    duplicates: int
    merge_precision: float
    merge_recall: float
    merge_f1: float
    flagged_recall: float  # recall of merge-or-suggest
    suggest_share: float  # share of all pairs in the suggest band

    def as_dict(self) -> dict[str, float | int]:
        return {k: (round(v, 4) if isinstance(v, float) else v) for k, v in asdict(self).items()}


def band_metrics(decisions: Sequence[str], labels: npt.NDArray[np.integer[Any]]) -> BandMetrics:
    decided = np.asarray(decisions)
    truth = np.asarray(labels).astype(bool)
    merged = decided == "merge"
    flagged = merged | (decided == "suggest")
    duplicates = int(truth.sum())
    true_merges = int((merged & truth).sum())
    precision = true_merges / int(merged.sum()) if merged.any() else 0.0
    recall = true_merges / duplicates if duplicates else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return BandMetrics(
        pairs=len(decided),
        duplicates=duplicates,
        merge_precision=precision,
        merge_recall=recall,
        merge_f1=f1,
        flagged_recall=int((flagged & truth).sum()) / duplicates if duplicates else 0.0,
        suggest_share=float((decided == "suggest").mean()) if len(decided) else 0.0,
    )


def baseline_scorer(config: dict[str, Any], name: str) -> PairScorer | None:
    """The scorer for a baseline stored in the config (`baselines.<name>.thresholds`)."""
    baseline = config.get("baselines", {}).get(name)
    if baseline is None:
        return None
    return PairScorer(
        {
            "scorer": "cosine",
            "thresholds": baseline["thresholds"],
            "guards": config.get("guards", {"numbers": True, "negation": True, "names": True}),
        }
    )


@dataclass(frozen=True)
class EvaluationResult:
    path: Path
    scorer: str
    model: BandMetrics
    trigram: BandMetrics | None
    cosine: BandMetrics | None
    scores: npt.NDArray[np.float64]
    decisions: list[Decision]


def _progress(items: Sequence[int], enabled: bool, desc: str, unit: str = "pair") -> Iterable[int]:
    if not enabled:
        return items
    from tqdm import tqdm  # only the command line shows progress

    shown: Iterable[int] = tqdm(items, desc=desc, unit=unit)
    return shown


def encode_pairs(
    pairs: Pairs, encode: Encode, batch_size: int = 256, progress: bool = False
) -> tuple[npt.NDArray[np.float32], npt.NDArray[np.float32]]:
    """Embeddings of both sides (each distinct text encoded once, in batches)."""
    texts = sorted(set(pairs.first) | set(pairs.second))
    chunks = []
    starts = range(0, len(texts), batch_size)
    show = progress and len(texts) >= PROGRESS_MIN_PAIRS
    for start in _progress(starts, show, "encoding", "batch"):
        chunks.append(np.asarray(encode(texts[start : start + batch_size]), dtype=np.float32))
    vectors = np.vstack(chunks)
    if vectors.shape[0] != len(texts):
        raise ValueError(f"encode returned {vectors.shape[0]} vectors for {len(texts)} texts")
    index = {text: i for i, text in enumerate(texts)}
    return (
        vectors[[index[t] for t in pairs.first]],
        vectors[[index[t] for t in pairs.second]],
    )


def decide_all(scorer: PairScorer, scores: Sequence[float], pairs: Pairs) -> list[Decision]:
    return [
        scorer.decide(float(s), new, earlier)
        for s, new, earlier in zip(scores, pairs.second, pairs.first, strict=True)
    ]


def run_evaluation(
    pairs_path: Path,
    out_path: Path | None,
    encode: Encode,
    scorer: PairScorer,
    progress: bool = True,
) -> EvaluationResult:
    """Score every pair as the live app would; optionally write `id, score, decision`."""
    pairs = read_pairs(pairs_path)
    vecs_first, vecs_second = encode_pairs(pairs, encode, progress=progress)
    scores = np.empty(len(pairs), dtype=np.float64)
    show = progress and len(pairs) >= PROGRESS_MIN_PAIRS
    for i in _progress(range(len(pairs)), show, "scoring"):
        scores[i] = scorer.score(
            pairs.second[i], vecs_second[i], [pairs.first[i]], vecs_first[i][None, :]
        )[0]
    decisions = decide_all(scorer, scores.tolist(), pairs)

    trigram = None
    trigram_scorer = baseline_scorer(scorer.config, "pg_trgm")
    if trigram_scorer is not None:
        trigram_scores = [
            trigram_similarity(b, a) for a, b in zip(pairs.first, pairs.second, strict=True)
        ]
        trigram = band_metrics(decide_all(trigram_scorer, trigram_scores, pairs), pairs.labels)
    cosine = None
    cosine_scorer = baseline_scorer(scorer.config, "cosine")
    if cosine_scorer is not None and scorer.kind != "cosine":
        cosines = np.einsum("ij,ij->i", vecs_first, vecs_second).clip(0.0, 1.0)
        cosine = band_metrics(decide_all(cosine_scorer, cosines.tolist(), pairs), pairs.labels)

    if out_path is not None:
        with out_path.open("w", encoding="utf-8", newline="") as fh:
            writer = csv.writer(fh, delimiter="\t", lineterminator="\n")
            writer.writerow(["id", "score", "decision"])
            for pair_id, s, d in zip(pairs.ids, scores, decisions, strict=True):
                writer.writerow([pair_id, f"{s:.6f}", d])
    return EvaluationResult(
        path=pairs_path,
        scorer=scorer.kind,
        model=band_metrics(decisions, pairs.labels),
        trigram=trigram,
        cosine=cosine,
        scores=scores,
        decisions=decisions,
    )


def format_table(rows: Sequence[tuple[str, BandMetrics]]) -> str:
    """A plain-text table, one row per scorer."""
    header = (
        f"{'scorer':<22} {'pairs':>6} {'merge P':>8} {'merge R':>8} {'merge F1':>8} "
        f"{'flag R':>7} {'suggest %':>9}"
    )
    lines = [header, "-" * len(header)]
    for name, m in rows:
        lines.append(
            f"{name:<22} {m.pairs:>6} {m.merge_precision:>8.3f} {m.merge_recall:>8.3f} "
            f"{m.merge_f1:>8.3f} {m.flagged_recall:>7.3f} {100 * m.suggest_share:>8.1f}%"
        )
    return "\n".join(lines)


def format_result(result: EvaluationResult) -> str:
    rows = [(f"{result.scorer} (configured)", result.model)]
    if result.cosine is not None:
        rows.append(("cosine baseline", result.cosine))
    if result.trigram is not None:
        rows.append(("pg_trgm baseline", result.trigram))
    dup_share = result.model.duplicates / result.model.pairs
    return "\n".join(
        [
            f"{result.path}: {result.model.pairs} pairs, {100 * dup_share:.1f}% duplicates",
            format_table(rows),
            "merge P/R: precision/recall of automatic merges; flag R: recall of merge or "
            "suggest; suggest %: share of all pairs shown to a moderator.",
            "Precision in a live event is lower: far fewer pairs there are duplicates.",
        ]
    )
