"""Measuring dedup decisions on labelled question pairs (`townhall dedup-eval`).

The pairs file is tab-separated with a header `id question1 question2 is_duplicate`
(Python csv quoting), like the Quora Question Pairs files in /work/shared/data. Each pair is
scored through the same `PairScorer.score` / `decide` calls the live app makes, with
question2 as the new question and question1 as the earlier one.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

from townhall.dedup.features import trigram_similarity
from townhall.dedup.kinds import KINDS, pair_kind
from townhall.dedup.language import UN_LANGUAGES
from townhall.dedup.scoring import Decision, PairScorer

if TYPE_CHECKING:
    from townhall.dedup.routing import Scorer

Encode = Callable[[list[str]], npt.NDArray[np.float32]]
REQUIRED_COLUMNS = ("id", "question1", "question2", "is_duplicate")
LANGUAGE_COLUMNS = ("lang1", "lang2")  # optional: measured per kind and language pair
PROGRESS_MIN_PAIRS = 500


@dataclass(frozen=True)
class Pairs:
    ids: list[str]
    first: list[str]
    second: list[str]
    labels: npt.NDArray[np.int8]
    # ISO 639-1 codes from the optional lang1/lang2 columns (None when the file has none).
    languages_first: list[str] | None = None
    languages_second: list[str] | None = None

    def __len__(self) -> int:
        return len(self.ids)

    def subset(self, index: npt.NDArray[np.intp]) -> Pairs:
        return Pairs(
            [self.ids[i] for i in index],
            [self.first[i] for i in index],
            [self.second[i] for i in index],
            self.labels[index],
            None if self.languages_first is None else [self.languages_first[i] for i in index],
            None if self.languages_second is None else [self.languages_second[i] for i in index],
        )

    def language_pairs(self) -> list[str]:
        """Each pair's two languages, sorted and joined ("en-es"); "?" where unlabelled."""
        if self.languages_first is None or self.languages_second is None:
            return ["?"] * len(self)
        return [
            "-".join(sorted((a, b)))
            for a, b in zip(self.languages_first, self.languages_second, strict=True)
        ]

    @staticmethod
    def concatenate(parts: Sequence[Pairs]) -> Pairs:
        labelled = all(p.languages_first is not None for p in parts)
        return Pairs(
            [i for p in parts for i in p.ids],
            [t for p in parts for t in p.first],
            [t for p in parts for t in p.second],
            np.concatenate([p.labels for p in parts]).astype(np.int8),
            [lang for p in parts for lang in p.languages_first or []] if labelled else None,
            [lang for p in parts for lang in p.languages_second or []] if labelled else None,
        )


def read_pairs(path: Path) -> Pairs:
    """Read a labelled pairs TSV; raise ValueError naming the line of any bad row."""
    ids: list[str] = []
    first: list[str] = []
    second: list[str] = []
    labels: list[int] = []
    languages: tuple[list[str], list[str]] | None = None
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
        if all(c in header for c in LANGUAGE_COLUMNS):
            languages = ([], [])
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
            if languages is not None:
                for column, found in zip(LANGUAGE_COLUMNS, languages, strict=True):
                    code = (row.get(column) or "").strip().lower()
                    if not code:
                        raise ValueError(f"{path}, line {line}: {column} is empty")
                    found.append(code)
    if not ids:
        raise ValueError(f"{path}: no pairs after the header line")
    if languages is None:
        return Pairs(ids, first, second, np.array(labels, dtype=np.int8))
    return Pairs(ids, first, second, np.array(labels, dtype=np.int8), *languages)


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
    wrong_merge_share: float = 0.0  # share of the non-duplicates merged

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
        wrong_merge_share=(
            int((merged & ~truth).sum()) / int((~truth).sum()) if (~truth).any() else 0.0
        ),
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
    # Per kind of pair and per language pair, when the file names the languages.
    groups: list[tuple[str, BandMetrics]] = field(default_factory=list)


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


def decide_all(scorer: Scorer, scores: Sequence[float], pairs: Pairs) -> list[Decision]:
    return [
        scorer.decide(float(s), new, earlier)
        for s, new, earlier in zip(scores, pairs.second, pairs.first, strict=True)
    ]


def run_evaluation(
    pairs_path: Path,
    out_path: Path | None,
    encode: Encode,
    scorer: Scorer,
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
        groups=group_metrics(pairs, decisions),
    )


def group_metrics(pairs: Pairs, decisions: Sequence[Decision]) -> list[tuple[str, BandMetrics]]:
    """Metrics per kind of pair (from the labelled languages), for pairs across the six UN
    languages, and per language pair; empty when the file has no language columns."""
    if pairs.languages_first is None or pairs.languages_second is None:
        return []
    kinds = [
        pair_kind(a, b) for a, b in zip(pairs.languages_first, pairs.languages_second, strict=True)
    ]
    un = set(UN_LANGUAGES)
    selections: list[tuple[str, list[bool]]] = [
        (f"kind {k}", [x == k for x in kinds]) for k in KINDS
    ]
    selections.append(
        (
            "cross, UN languages",
            [
                k == "cross" and a in un and b in un
                for k, a, b in zip(
                    kinds, pairs.languages_first, pairs.languages_second, strict=True
                )
            ],
        )
    )
    names = pairs.language_pairs()
    selections.extend((name, [n == name for n in names]) for name in sorted(set(names)))
    rows = []
    chosen = np.asarray(decisions)
    for name, mask in selections:
        keep = np.flatnonzero(np.array(mask, dtype=bool))
        if len(keep):
            rows.append((name, band_metrics(chosen[keep].tolist(), pairs.labels[keep])))
    return rows


def format_table(rows: Sequence[tuple[str, BandMetrics]]) -> str:
    """A plain-text table, one row per scorer."""
    header = (
        f"{'scorer':<22} {'pairs':>6} {'merge P':>8} {'merge R':>8} {'merge F1':>8} "
        f"{'flag R':>7} {'suggest %':>9} {'wrong merge %':>13}"
    )
    lines = [header, "-" * len(header)]
    for name, m in rows:
        lines.append(
            f"{name:<22} {m.pairs:>6} {m.merge_precision:>8.3f} {m.merge_recall:>8.3f} "
            f"{m.merge_f1:>8.3f} {m.flagged_recall:>7.3f} {100 * m.suggest_share:>8.1f}% "
            f"{100 * m.wrong_merge_share:>12.1f}%"
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
            *(
                ["", "per kind of pair and per language pair:", format_table(result.groups)]
                if result.groups
                else []
            ),
            "merge P/R: precision/recall of automatic merges; flag R: recall of merge or "
            "suggest; suggest %: share of all pairs shown to a moderator; wrong merge %: share "
            "of the non-duplicates merged.",
            "Precision in a live event is lower: far fewer pairs there are duplicates.",
        ]
    )
