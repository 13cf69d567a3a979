"""Calibrating the multilingual kinds (small made-up pairs, a deterministic embedder)."""

from __future__ import annotations

import csv
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from townhall.dedup.calibration import Bands
from townhall.dedup.evaluation import Pairs
from townhall.dedup.kind_calibration import (
    KindSettings,
    KindTargets,
    choose_kind_bands,
    text_groups,
)
from townhall.dedup.kind_report import format_kinds, run_kind_calibration
from townhall.dedup.routing import RoutingScorer
from townhall.dedup.scoring import PairScorer
from townhall.settings import ENGLISH_THRESHOLDS

TOPICS = ["agua", "escuelas", "salud", "energía", "vivienda", "transporte", "empleo", "bosques"]
ENGLISH = ["water", "schools", "health", "energy", "housing", "transport", "jobs", "forests"]
CHINESE = ["清洁用水", "学校", "医疗", "能源", "住房", "交通", "就业", "森林"]


def _rows() -> list[tuple[str, ...]]:
    rows: list[tuple[str, ...]] = []
    for i in range(40):
        es, en, zh = TOPICS[i % 8], ENGLISH[i % 8], CHINESE[i % 8]
        other = ENGLISH[(i + 3) % 8]
        rows.append(
            (
                f"c{i}p",
                f"¿Qué harán por {es} en la región {i}?",
                f"What will you do for {en} in region {i}?",
                "1",
                "es",
                "en",
            )
        )
        rows.append(
            (
                f"c{i}n",
                f"¿Qué harán por {es} en la región {i}?",
                f"Who pays for {other} in region {i}?",
                "0",
                "es",
                "en",
            )
        )
        rows.append(
            (f"z{i}p", f"第{i}区的{zh}计划是什么？", f"第{i}区有什么{zh}计划？", "1", "zh", "zh")
        )
        rows.append(
            (f"z{i}n", f"第{i}区的{zh}计划是什么？", f"谁负责第{i}区的选举？", "0", "zh", "zh")
        )
    return rows


def test_text_groups_connect_pairs_sharing_a_text() -> None:
    pairs = Pairs(
        ["1", "2", "3"], ["a", "b", "x"], ["b", "c", "y"], np.array([1, 0, 1], dtype=np.int8)
    )

    groups = text_groups(pairs).tolist()

    assert (groups[0] == groups[1], groups[0] == groups[2]) == (True, False)


def test_choose_kind_bands_caps_wrong_merges() -> None:
    # Precision alone would merge from 0.5; one non-duplicate in four may merge at most.
    scores = np.array([0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3, 0.2])
    labels = np.array([1, 0, 1, 1, 1, 0, 0, 0], dtype=np.int8)
    may_merge = np.ones(8, dtype=bool)

    uncapped = choose_kind_bands(scores, labels, may_merge, KindTargets(0.75, 1.0))
    capped = choose_kind_bands(scores, labels, may_merge, KindTargets(0.75, 1.0, 0.0))

    assert (uncapped, capped) == (
        Bands(merge=0.5, suggest=0.5),
        Bands(merge=float(np.nextafter(0.8, 2.0)), suggest=0.5),
    )


def test_run_kind_calibration_writes_a_loadable_config(
    tmp_path: Path, fake_encode: Callable[[int], Callable[[list[str]], Any]]
) -> None:
    path = tmp_path / "pairs.tsv"
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, delimiter="\t", lineterminator="\n")
        writer.writerow(["id", "question1", "question2", "is_duplicate", "lang1", "lang2"])
        writer.writerows(_rows())
    out = tmp_path / "dedup-multilingual.json"
    settings = KindSettings(folds=2, inner_folds=2, trees=10)

    config, reports = run_kind_calibration(
        [path], out, fake_encode(16), ENGLISH_THRESHOLDS, 0, settings=settings, progress=False
    )

    stored = json.loads(out.read_text(encoding="utf-8"))
    scorer = RoutingScorer(stored, PairScorer.from_file(ENGLISH_THRESHOLDS))
    assert (sorted(stored["kinds"]), [r.kind for r in reports], scorer.dimension) == (
        ["cross", "same"],
        ["same", "cross"],
        16,
    )
    assert list(stored["calibration"]["held_out"]["cross"]) == ["cross", "  en-es"]
    assert "  zh-zh" in format_kinds(config)
