"""The model alone: its batched encode ceiling, and the embeddings of the filled events."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

from townhall.bench.config import CACHE, BenchConfig, log


def model_phase(
    config: BenchConfig, ceiling_texts: list[str], fill_texts: list[str], workdir: Path
) -> tuple[dict[str, Any], Any]:
    import numpy as np

    from townhall.settings import DEFAULT_THRESHOLDS, default_model_path

    # The shipped scorer names the models (English alone, or with the multilingual encoder).
    models = str(default_model_path()) + DEFAULT_THRESHOLDS.name
    key = hashlib.sha256(("\n".join(fill_texts) + models).encode()).hexdigest()[:16]
    cached = CACHE / f"embeddings-{key}.npy"
    job: dict[str, Any] = {"ceiling_texts": ceiling_texts if config.ceiling else []}
    if fill_texts and not cached.exists():
        job.update({"fill_texts": fill_texts, "fill_out": str(workdir / "fill.npy")})
    report: dict[str, Any] = {}
    if job["ceiling_texts"] or job.get("fill_texts"):
        log(
            f"model: ceiling on {len(job['ceiling_texts'])} texts, embedding {len(job.get('fill_texts', []))} for filling"
        )
        (workdir / "encode.json").write_text(json.dumps(job))
        done = subprocess.run(
            [sys.executable, "-m", "townhall.bench.encode", str(workdir / "encode.json")],
            check=True,
            capture_output=True,
            text=True,
            env={**os.environ, "HF_HUB_OFFLINE": "1", "TOKENIZERS_PARALLELISM": "false"},
        )
        report = json.loads(done.stdout.strip().splitlines()[-1])
        if job.get("fill_texts"):
            CACHE.mkdir(parents=True, exist_ok=True)
            shutil.move(workdir / "fill.npy", cached)
    vectors = np.load(cached) if fill_texts else None
    report["fill_cached"] = "fill_texts" not in job and bool(fill_texts)
    return report, vectors
