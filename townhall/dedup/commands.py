"""`townhall dedup-eval` and `townhall dedup-calibrate`: the model and scorer on labelled
pairs (docs/dedup.md; the Makefile's dedup-eval and dedup-calibrate targets)."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from townhall.dedup.embedder import Embedder
from townhall.settings import Settings


def _model(settings: Settings, multilingual: str | None = None) -> Embedder:
    """The embedder the settings name, loaded here (not in a model process)."""
    from townhall.dedup.multilingual import load_embedder

    return load_embedder(
        settings.resolved_model_path(),
        multilingual=multilingual,
        runtime=settings.model_runtime,
        cache=settings.model_cache,
    )


def _pairs_file(path: Path) -> Path | None:
    if not path.is_file():
        print(f"townhall: no pairs file at {path}", file=sys.stderr)
        return None
    return path


def cmd_dedup_eval(args: argparse.Namespace) -> int:
    """Score labelled pairs as the live app would, with the pg_trgm and cosine baselines."""
    from townhall.dedup.evaluation import format_result, run_evaluation
    from townhall.dedup.routing import RoutingScorer, load_scorer

    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    settings = Settings.from_env()
    pairs = _pairs_file(args.pairs)
    if pairs is None:
        return 2
    scorer = load_scorer(args.thresholds or settings.dedup_thresholds)
    multilingual = scorer.encoder if isinstance(scorer, RoutingScorer) else None
    try:
        encode = _model(settings, multilingual).encode
        result = run_evaluation(pairs, args.out, encode, scorer, progress=True)
    except ValueError as error:
        print(f"townhall: {error}", file=sys.stderr)
        return 2
    print(format_result(result))
    if args.out is not None:
        print(f"predictions written to {args.out}")
    return 0


def cmd_dedup_calibrate(args: argparse.Namespace) -> int:
    """Fit the second-stage scorer and choose the bands on held-out folds; write the JSON.

    With --english, fit the multilingual kinds on every --pairs file instead (the English
    pairs keep the scorer of that file)."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    settings = Settings.from_env()
    files = [_pairs_file(path) for path in args.pairs]
    if any(path is None for path in files):
        return 2
    paths = [path for path in files if path is not None]
    try:
        if args.english is not None:
            return _calibrate_kinds(settings, paths, args.english, args.out)
        if len(paths) != 1:
            print("townhall: one --pairs file for the English scorer", file=sys.stderr)
            return 2
        from townhall.dedup.calibration import run_calibration

        report = run_calibration(
            paths[0], args.out, _model(settings).encode, folds=args.folds, log=print
        )
    except ValueError as error:
        print(f"townhall: {error}", file=sys.stderr)
        return 2
    print(report.table())
    print(f"scorer and bands written to {args.out}")
    return 0


def _calibrate_kinds(settings: Settings, paths: list[Path], english: Path, out: Path) -> int:
    from townhall.dedup.kind_report import format_kinds, run_kind_calibration
    from townhall.dedup.multilingual import USE_NAME, SplitEmbedder
    from townhall.dedup.scoring import PairScorer

    PairScorer.from_file(english)  # fail early on a bad English config
    embedder = _model(settings, USE_NAME)
    assert isinstance(embedder, SplitEmbedder)
    config, _ = run_kind_calibration(
        paths, out, embedder.encode, english, embedder.english_dimension, log=print
    )
    print(format_kinds(config))
    print(f"scorer and bands written to {out}")
    return 0
