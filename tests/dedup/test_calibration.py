from __future__ import annotations

import json
import random
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from townhall.dedup.calibration import (
    Bands,
    CalibrationSettings,
    choose_thresholds,
    format_calibration,
    run_calibration,
)
from townhall.dedup.evaluation import run_evaluation
from townhall.dedup.scoring import PairScorer

Rows = list[tuple[str, str, str, str]]

TOPICS = [
    "climate finance",
    "Security Council reform",
    "peacekeeping in Sudan",
    "gender parity",
    "refugee protection",
    "nuclear disarmament",
    "the UN budget",
    "vaccine access",
    "debt relief",
    "artificial intelligence rules",
    "ocean protection",
    "famine in Gaza",
]
OPENINGS = [
    ("How will you improve", "What is your plan to improve"),
    ("Why should we trust you on", "Why would anyone trust you on"),
    ("What will you change about", "What would you change regarding"),
]


def synthetic_rows(n: int, seed: int = 3) -> Rows:
    rng = random.Random(seed)
    rows: Rows = []
    for i in range(n):
        topic = rng.choice(TOPICS)
        first, paraphrase = rng.choice(OPENINGS)
        if i % 2 == 0:
            rows.append((str(i), f"{first} {topic}?", f"{paraphrase} {topic}?", "1"))
        else:
            other = rng.choice([t for t in TOPICS if t != topic])
            rows.append((str(i), f"{first} {topic}?", f"{first} {other}?", "0"))
    return rows


def test_choose_thresholds_picks_lowest_precise_and_highest_recalling() -> None:
    scores = np.array([0.95, 0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3])
    labels = np.array([1, 1, 0, 1, 1, 0, 1, 0], dtype=np.int8)
    may_merge = np.ones(8, dtype=bool)

    bands = choose_thresholds(scores, labels, may_merge, 0.75, 0.8)

    # merge at 0.6: 4 of 5 correct (0.8 >= 0.75); suggest at 0.6: 4 of 5 duplicates caught.
    assert bands == Bands(merge=0.6, suggest=0.6)


def test_choose_thresholds_ignores_pairs_that_may_not_merge() -> None:
    scores = np.array([0.95, 0.9, 0.8, 0.7])
    labels = np.array([0, 1, 1, 0], dtype=np.int8)
    may_merge = np.array([False, True, True, True])

    bands = choose_thresholds(scores, labels, may_merge, 1.0, 1.0)

    assert bands == Bands(merge=0.8, suggest=0.8)


def test_choose_thresholds_unreachable_precision_never_merges() -> None:
    bands = choose_thresholds(
        np.array([0.9, 0.8]), np.array([0, 1], dtype=np.int8), np.ones(2, dtype=bool), 0.9, 0.5
    )

    assert bands == Bands(merge=1.0, suggest=0.8)


def test_choose_thresholds_never_splits_tied_scores() -> None:
    bands = choose_thresholds(
        np.array([0.9, 0.9, 0.5]),
        np.array([1, 0, 1], dtype=np.int8),
        np.ones(3, dtype=bool),
        0.9,
        0.5,
    )

    assert bands == Bands(merge=1.0, suggest=0.9)


def test_run_calibration_writes_a_config_the_scorer_loads(
    write_pairs: Callable[[Rows], Path],
    fake_encode: Callable[[int], Callable[[list[str]], Any]],
    tmp_path: Path,
) -> None:
    pairs = write_pairs(synthetic_rows(240))
    out = tmp_path / "dedup.json"
    settings = CalibrationSettings(folds=3, inner_folds=3, trees=15, seed=7)

    report = run_calibration(
        pairs, out, fake_encode(16), settings=settings, progress=False, model_name="fake"
    )

    config = json.loads(out.read_text(encoding="utf-8"))
    scorer = PairScorer(config)
    result = run_evaluation(pairs, None, fake_encode(16), scorer, progress=False)
    assert (config["model"], config["scorer"], report.config == config) == ("fake", "stacked", True)
    assert [len(config["calibration"]["held_out"][n]["folds"]) for n in ("stacked", "cosine")] == [
        3,
        3,
    ]
    assert result.model.pairs == 240
    assert "second stage (mean)" in format_calibration(config)


def test_run_calibration_is_deterministic(
    write_pairs: Callable[[Rows], Path],
    fake_encode: Callable[[int], Callable[[list[str]], Any]],
) -> None:
    pairs = write_pairs(synthetic_rows(120))
    settings = CalibrationSettings(folds=2, inner_folds=2, trees=5, seed=11)

    first = run_calibration(pairs, None, fake_encode(8), settings=settings, progress=False)
    second = run_calibration(pairs, None, fake_encode(8), settings=settings, progress=False)

    del first.config["calibration"]["seconds"], second.config["calibration"]["seconds"]
    assert first.config == second.config
