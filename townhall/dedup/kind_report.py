"""`townhall dedup-calibrate --english ...`: calibrate the multilingual kinds on labelled
files and write the by-language scorer config (models/dedup-multilingual.json)."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from townhall.dedup.calibration import _sha256
from townhall.dedup.evaluation import Encode, Pairs, encode_pairs, format_table, read_pairs
from townhall.dedup.kind_calibration import (
    KindReport,
    KindSettings,
    build_kind_data,
    calibrate_kind,
    kinds_of,
    metrics_of,
    text_groups,
)
from townhall.dedup.kinds import KINDS
from townhall.dedup.language import UN_LANGUAGES, routing_language
from townhall.dedup.multilingual import USE_NAME
from townhall.dedup.routing import SCORER_NAME

OUT_OF_SCOPE = "english"  # pairs of English questions keep the English scorer


def run_kind_calibration(
    pair_files: Sequence[Path],
    out_path: Path | None,
    encode: Encode,
    english_config: Path,
    english_dimension: int,
    *,
    settings: KindSettings | None = None,
    log: Callable[[str], None] | None = None,
    progress: bool = True,
) -> tuple[dict[str, Any], list[KindReport]]:
    """Fit each kind on its pairs of all `pair_files`; write the config to `out_path`.

    `encode` gives the split vectors (`SplitEmbedder`); only their multilingual half is used.
    """
    settings = settings or KindSettings()
    say = log or (lambda _message: None)
    started = time.monotonic()
    parts = [read_pairs(path) for path in pair_files]
    pairs = Pairs.concatenate(parts)
    sources = np.array(
        [path.stem for path, part in zip(pair_files, parts, strict=True) for _ in part.ids]
    )
    say(f"encoding {len(pairs)} pairs")
    first, second = encode_pairs(pairs, encode, progress=progress)
    first, second = first[:, english_dimension:], second[:, english_dimension:]
    groups = text_groups(pairs)
    kinds = np.array(kinds_of(pairs, routing_language))
    configs: dict[str, Any] = {}
    reports: list[KindReport] = []
    for kind in KINDS:
        if kind == OUT_OF_SCOPE:
            continue
        index = np.flatnonzero(kinds == kind)
        if len(index) < settings.folds * settings.inner_folds * 4:
            raise ValueError(f"too few pairs of kind {kind!r} ({len(index)}) to calibrate")
        sub = pairs.subset(index)
        data = build_kind_data(
            sub, first[index], second[index], groups[index], settings, _in_un_languages(sub)
        )
        config, folds = calibrate_kind(kind, data, settings, say)
        configs[kind] = config
        reports.append(
            KindReport(kind, config, folds, data, sub.language_pairs(), sources[index].tolist())
        )
    config = {
        "scorer": SCORER_NAME,
        "english": english_config.name,
        "encoders": {
            "english": "sentence-transformers/all-MiniLM-L6-v2",
            "english_dimension": english_dimension,
            "multilingual": USE_NAME,
            "multilingual_dimension": int(first.shape[1]),
        },
        "calibration": {
            "pairs_files": [{"file": path.name, "sha256": _sha256(path)} for path in pair_files],
            "pairs": len(pairs),
            "method": (
                f"per kind, {settings.folds}-fold cross-validation grouped by connected "
                "questions (a paragraph of XQuAD in every language lies in one fold) and "
                f"stratified; on each training part: fit, then bands from inner "
                f"{settings.inner_folds}-fold out-of-fold scores (merge: lowest threshold with "
                "precision >= target and, where set, at most max_wrong_merge of the "
                "non-duplicates merged; suggest: highest threshold with merge-or-suggest "
                "recall >= target); figures on the held-out folds. Shipped: fitted on all "
                "pairs of the kind, bands chosen on the pooled held-out scores."
            ),
            "settings": {k: v for k, v in asdict(settings).items() if k != "targets"},
            "command": (
                "townhall dedup-calibrate "
                + " ".join(f"--pairs {path.name}" for path in pair_files)
                + f" --english {english_config.name} --out models/dedup-multilingual.json"
            ),
            "seconds": round(time.monotonic() - started, 1),
            "held_out": {report.kind: dict(report.table_rows()) for report in reports},
        },
        "kinds": configs,
    }
    if out_path is not None:
        out_path.parent.mkdir(parents=True, exist_ok=True)
        out_path.write_text(dump_kinds_config(config), encoding="utf-8")
    return config, reports


def _in_un_languages(pairs: Pairs) -> npt.NDArray[np.bool_]:
    """Pairs whose two labelled languages are UN languages (all pairs when unlabelled)."""
    if pairs.languages_first is None or pairs.languages_second is None:
        return np.ones(len(pairs), dtype=bool)
    un = set(UN_LANGUAGES)
    return np.array(
        [
            a in un and b in un
            for a, b in zip(pairs.languages_first, pairs.languages_second, strict=True)
        ],
        dtype=bool,
    )


def dump_kinds_config(config: dict[str, Any]) -> str:
    """Indented JSON, with each fitted model on one line."""
    readable = json.loads(json.dumps(config))
    models = {}
    for kind, kind_config in readable["kinds"].items():
        models[kind] = kind_config["model"]
        kind_config["model"] = f"@model-{kind}@"
    text = json.dumps(readable, indent=1, ensure_ascii=False)
    for kind, model in models.items():
        compact = json.dumps(model, separators=(",", ":"), ensure_ascii=False)
        text = text.replace(f'"@model-{kind}@"', compact)
    return text + "\n"


def format_kinds(config: dict[str, Any]) -> str:
    """The held-out table stored in a by-language config (means over folds)."""
    rows = []
    for summaries in config["calibration"]["held_out"].values():
        for name, summary in summaries.items():
            if summary:
                rows.append((name, metrics_of(summary)))
    return format_table(rows)
