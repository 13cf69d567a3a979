"""The model on its own, in a process of its own: the dedup ceiling, and embeddings to fill
databases with. Run as `python -m townhall.bench.encode JOB.json`; prints one JSON line.

The ceiling uses the embedder exactly as the server builds it (same thread count, batch 64),
and so does filling.
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path


def main(job_path: str) -> None:
    job = json.loads(Path(job_path).read_text())
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    import numpy as np

    from townhall.dedup.multilingual import load_embedder
    from townhall.dedup.routing import RoutingScorer, load_scorer
    from townhall.settings import DEFAULT_THRESHOLDS, Settings, default_model_path

    scorer = load_scorer(DEFAULT_THRESHOLDS)
    multilingual = scorer.encoder if isinstance(scorer, RoutingScorer) else None
    started = time.perf_counter()
    settings = Settings.from_env()
    model = load_embedder(
        default_model_path(),
        batch_size=64,
        multilingual=multilingual,
        runtime=settings.model_runtime,
        cache=settings.model_cache,
    )
    load_seconds = time.perf_counter() - started
    english = getattr(model, "english", model)  # the model's threads are the English model's
    report: dict[str, object] = {
        "load_seconds": round(load_seconds, 2),
        "threads": getattr(english, "threads", None),
    }
    ceiling = job.get("ceiling_texts") or []
    if ceiling:
        model.encode(ceiling[:64])  # warm up
        started = time.perf_counter()
        model.encode(ceiling)
        seconds = time.perf_counter() - started
        report.update(
            {
                "ceiling_texts": len(ceiling),
                "ceiling_seconds": round(seconds, 3),
                "questions_per_second": round(len(ceiling) / seconds, 1),
            }
        )
    fill = job.get("fill_texts") or []
    if fill:
        started = time.perf_counter()
        vectors = model.encode(fill)
        np.save(job["fill_out"], vectors.astype(np.float32))
        report["fill_seconds"] = round(time.perf_counter() - started, 2)
        report["fill_texts"] = len(fill)
    print(json.dumps(report))


if __name__ == "__main__":
    main(sys.argv[1])
