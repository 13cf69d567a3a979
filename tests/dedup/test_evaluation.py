from __future__ import annotations

import csv
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from townhall.dedup.evaluation import (
    BandMetrics,
    band_metrics,
    format_result,
    read_pairs,
    run_evaluation,
)
from townhall.dedup.scoring import PairScorer

Rows = list[tuple[str, str, str, str]]

ROWS: Rows = [
    (
        "1",
        "Will you reform the Security Council soon?",
        "Will you reform the Security Council soon?",
        "1",
    ),
    (
        "2",
        "How will you fund climate adaptation?",
        "How will you fund climate adaptation work?",
        "1",
    ),
    ("3", "What is your view on nuclear disarmament?", "Where did you grow up as a child?", "0"),
    (
        "4",
        "Will you cut the budget by 10% next year?",
        "Will you cut the budget by 50% next year?",
        "0",
    ),
    ("5", "Why?", "Why?", "1"),
]


def scorer_config(**extra: Any) -> dict[str, Any]:
    return {
        "scorer": "cosine",
        "thresholds": {"merge": 0.95, "suggest": 0.6, "min_words_for_auto_merge": 4},
        "baselines": {
            "cosine": {"thresholds": {"merge": 0.95, "suggest": 0.6}},
            "pg_trgm": {"thresholds": {"merge": 0.9, "suggest": 0.5}},
        },
        **extra,
    }


def test_read_pairs_keeps_ids_texts_and_labels(write_pairs: Callable[[Rows], Path]) -> None:
    pairs = read_pairs(write_pairs(ROWS[:2]))

    assert (pairs.ids, pairs.second, pairs.labels.tolist()) == (
        ["1", "2"],
        [ROWS[0][2], ROWS[1][2]],
        [1, 1],
    )


def test_read_pairs_handles_quoted_tabs_and_quotes(write_pairs: Callable[[Rows], Path]) -> None:
    pairs = read_pairs(write_pairs([("7", 'He said "no"\tthen left?', "plain?", "0")]))

    assert pairs.first == ['He said "no"\tthen left?']


def test_read_pairs_missing_column_names_it(tmp_path: Path) -> None:
    path = tmp_path / "pairs.tsv"
    path.write_text("id\tquestion1\tquestion2\n1\ta\tb\n", encoding="utf-8")

    with pytest.raises(ValueError, match=r"line 1: missing column\(s\) is_duplicate"):
        read_pairs(path)


def test_read_pairs_bad_label_names_the_line(write_pairs: Callable[[Rows], Path]) -> None:
    path = write_pairs([ROWS[0], ("2", "a?", "b?", "yes")])

    with pytest.raises(ValueError, match="line 3: is_duplicate must be 0 or 1, not 'yes'"):
        read_pairs(path)


def test_read_pairs_short_row_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "pairs.tsv"
    path.write_text("id\tquestion1\tquestion2\tis_duplicate\n1\ta\n", encoding="utf-8")

    with pytest.raises(ValueError, match="line 2: too few fields"):
        read_pairs(path)


def test_read_pairs_empty_file_is_rejected(tmp_path: Path) -> None:
    path = tmp_path / "pairs.tsv"
    path.write_text("", encoding="utf-8")

    with pytest.raises(ValueError, match="the file is empty"):
        read_pairs(path)


def test_read_pairs_header_only_is_rejected(write_pairs: Callable[[Rows], Path]) -> None:
    with pytest.raises(ValueError, match="no pairs after the header"):
        read_pairs(write_pairs([]))


def test_band_metrics_counts_each_band() -> None:
    decisions = ["merge", "merge", "suggest", "distinct", "suggest", "distinct"]
    labels = np.array([1, 0, 1, 1, 0, 0])

    metrics = band_metrics(decisions, labels)

    assert metrics == BandMetrics(
        pairs=6,
        duplicates=3,
        merge_precision=0.5,
        merge_recall=1 / 3,
        merge_f1=0.4,
        flagged_recall=2 / 3,
        suggest_share=2 / 6,
        wrong_merge_share=1 / 3,
    )


def test_band_metrics_without_merges_has_zero_precision() -> None:
    metrics = band_metrics(["distinct", "suggest"], np.array([1, 0]))

    assert (metrics.merge_precision, metrics.merge_recall, metrics.merge_f1) == (0.0, 0.0, 0.0)


def test_run_evaluation_scores_decides_and_measures(
    write_pairs: Callable[[Rows], Path],
    fake_encode: Callable[[int], Callable[[list[str]], Any]],
    tmp_path: Path,
) -> None:
    out = tmp_path / "pred.tsv"

    result = run_evaluation(
        write_pairs(ROWS), out, fake_encode(32), PairScorer(scorer_config()), progress=False
    )

    # 1: identical -> merge; 4: numbers differ -> at most suggest; 5: "Why?" is short but
    # identical, so it may merge.
    assert result.decisions[0] == "merge"
    assert result.decisions[3] in ("suggest", "distinct")
    assert result.decisions[4] == "merge"
    assert result.model == band_metrics(result.decisions, np.array([1, 1, 0, 0, 1]))
    with out.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh, delimiter="\t"))
    assert rows[0] == ["id", "score", "decision"]
    assert [(r[0], r[2]) for r in rows[1:]] == list(
        zip(["1", "2", "3", "4", "5"], result.decisions, strict=True)
    )
    assert [float(r[1]) for r in rows[1:]] == pytest.approx(result.scores.tolist(), abs=1e-6)


def test_run_evaluation_reports_pg_trgm_baseline(
    write_pairs: Callable[[Rows], Path],
    fake_encode: Callable[[int], Callable[[list[str]], Any]],
) -> None:
    result = run_evaluation(
        write_pairs(ROWS), None, fake_encode(16), PairScorer(scorer_config()), progress=False
    )

    # pg_trgm similarity: 1 for the identical pairs 1 and 5, 0.902 for pair 2 (merge at 0.9).
    assert result.trigram is not None
    assert (result.trigram.merge_recall, result.trigram.merge_precision) == (1.0, 1.0)


def test_run_evaluation_without_baselines_reports_none(
    write_pairs: Callable[[Rows], Path],
    fake_encode: Callable[[int], Callable[[list[str]], Any]],
) -> None:
    config = scorer_config()
    del config["baselines"]

    result = run_evaluation(
        write_pairs(ROWS), None, fake_encode(16), PairScorer(config), progress=False
    )

    assert (result.trigram, result.cosine) == (None, None)


def test_format_result_has_a_row_per_scorer(
    write_pairs: Callable[[Rows], Path],
    fake_encode: Callable[[int], Callable[[list[str]], Any]],
) -> None:
    result = run_evaluation(
        write_pairs(ROWS), None, fake_encode(16), PairScorer(scorer_config()), progress=False
    )

    text = format_result(result)

    assert [line.split()[0] for line in text.splitlines()[3:5]] == ["cosine", "pg_trgm"]
    assert "5 pairs, 60.0% duplicates" in text


LANGUAGE_ROWS = [
    (
        "a",
        "How will you protect journalists?",
        "¿Cómo protegerán a los periodistas?",
        "1",
        "en",
        "es",
    ),
    (
        "b",
        "How will you protect journalists?",
        "Comment protégerez-vous les journalistes ?",
        "1",
        "en",
        "fr",
    ),
    ("c", "¿Cómo protegerán a los periodistas?", "¿Quién paga el agua?", "0", "es", "es"),
    ("d", "What is your plan for water?", "What is your plan for water?", "1", "en", "en"),
]


def _write_language_pairs(path: Path) -> Path:
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, delimiter="\t", lineterminator="\n")
        writer.writerow(["id", "question1", "question2", "is_duplicate", "lang1", "lang2"])
        writer.writerows(LANGUAGE_ROWS)
    return path


def test_read_pairs_keeps_language_columns(tmp_path: Path) -> None:
    pairs = read_pairs(_write_language_pairs(tmp_path / "pairs.tsv"))

    assert pairs.language_pairs() == ["en-es", "en-fr", "es-es", "en-en"]


def test_run_evaluation_table_per_kind_and_language_pair(
    tmp_path: Path, fake_encode: Callable[[int], Callable[[list[str]], Any]]
) -> None:
    path = _write_language_pairs(tmp_path / "pairs.tsv")
    # Identical texts score 1 (merge); the fake embedder keeps the others apart.
    config = scorer_config(
        thresholds={"merge": 0.95, "suggest": 0.9, "min_words_for_auto_merge": 4}
    )

    result = run_evaluation(path, None, fake_encode(16), PairScorer(config), progress=False)

    merged = BandMetrics(1, 1, 1.0, 1.0, 1.0, 1.0, 0.0, 0.0)
    missed = BandMetrics(2, 2, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0)
    assert [(name, m.pairs) for name, m in result.groups] == [
        ("kind english", 1),
        ("kind same", 1),
        ("kind cross", 2),
        ("cross, UN languages", 2),
        ("en-en", 1),
        ("en-es", 1),
        ("en-fr", 1),
        ("es-es", 1),
    ]
    groups = dict(result.groups)
    assert (groups["kind english"], groups["kind cross"]) == (merged, missed)
    assert "per kind of pair and per language pair:" in format_result(result)
