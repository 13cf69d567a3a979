"""Embedders: the real sentence-transformers model, behind a small protocol."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import Protocol

import numpy as np
import numpy.typing as npt

Matrix = npt.NDArray[np.float32]


class Embedder(Protocol):
    dimension: int

    def encode(self, texts: Sequence[str]) -> Matrix:
        """L2-normalised float32 rows, one per text. Blocking: call it off the event loop."""
        ...


# Padded characters per model call. A batch costs as much as its longest text times its size,
# so one long question among 63 short ones made sentence-transformers' own batches of 64 four
# times slower (docs/performance.md); batches of similar length within this budget do not.
PADDED_CHARS_PER_CALL = 4096


def length_batches(texts: Sequence[str], most: int, padded_chars: int) -> list[list[int]]:
    """Indices of `texts` in batches of similar length: at most `most` texts per batch, and
    (but for a batch of one) at most `padded_chars` when each is counted as long as the longest.
    """
    batches: list[list[int]] = []
    batch: list[int] = []
    for index in sorted(range(len(texts)), key=lambda i: len(texts[i])):
        # Sorted by length: this text is the longest of the batch if it joins.
        if batch and (len(batch) >= most or (len(batch) + 1) * len(texts[index]) > padded_chars):
            batches.append(batch)
            batch = []
        batch.append(index)
    if batch:
        batches.append(batch)
    return batches


def default_threads() -> int:
    """Threads for the model: every core but one, left to the event loop on small machines."""
    return max(1, (os.cpu_count() or 2) - 1)


class SentenceTransformerEmbedder:
    """Any local sentence-transformers folder; all-MiniLM-L6-v2 from its package by default."""

    def __init__(self, path: Path, *, threads: int | None = None, batch_size: int = 64) -> None:
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
        import torch  # heavy: only where the model is really loaded
        from sentence_transformers import SentenceTransformer

        if not path.is_dir():
            raise FileNotFoundError(f"no sentence-transformers model folder at {path}")
        self.threads = threads or default_threads()
        self._torch = torch
        torch.set_num_threads(self.threads)
        self._model = SentenceTransformer(str(path), device="cpu", local_files_only=True)
        self._batch_size = batch_size
        dimension = getattr(self._model, "get_embedding_dimension", None) or (
            self._model.get_sentence_embedding_dimension
        )
        self.dimension = int(dimension() or 0)
        self.path = path

    def encode(self, texts: Sequence[str]) -> Matrix:
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        # The thread count is kept per OS thread (OpenMP): a pool thread that encodes would
        # otherwise start with one per core and spin against the event loop for the CPU.
        if self._torch.get_num_threads() != self.threads:
            self._torch.set_num_threads(self.threads)
        vectors = np.zeros((len(texts), self.dimension), dtype=np.float32)
        for batch in length_batches(texts, self._batch_size, PADDED_CHARS_PER_CALL):
            vectors[batch] = self._model.encode(
                [texts[i] for i in batch],
                batch_size=len(batch),
                normalize_embeddings=True,
                convert_to_numpy=True,
                show_progress_bar=False,
            )
        return vectors


def to_bytes(vector: npt.NDArray[np.float32]) -> bytes:
    return np.asarray(vector, dtype="<f4").tobytes()


def from_bytes(blob: bytes) -> npt.NDArray[np.float32]:
    return np.frombuffer(blob, dtype="<f4").astype(np.float32)
