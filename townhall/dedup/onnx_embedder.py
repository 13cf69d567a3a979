"""The English model on ONNX Runtime: the vectors of sentence-transformers at a third of its CPU.

One question at a time, as they arrive at an event, all-MiniLM-L6-v2 cost 14.1 ms of CPU on
PyTorch (one thread) and 4.7 ms on ONNX Runtime, with the same vectors to 2e-7
(docs/performance.md). The model's transformer is exported to ONNX once, with torch, from the
installed weights, into a cache folder (`TOWNHALL_MODEL_CACHE`), and checked against PyTorch
on probe sentences before it is kept; afterwards a process loads only ONNX Runtime and the
tokenizer, not torch. Only folders of a transformer, mean pooling and normalisation (what
sentence-transformers' all-MiniLM models are) qualify; any other stays on PyTorch.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import tempfile
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from townhall.dedup.embedder import PADDED_CHARS_PER_CALL, Matrix, length_batches

log = logging.getLogger(__name__)

_MODULES = [
    "sentence_transformers.models.Transformer",
    "sentence_transformers.models.Pooling",
    "sentence_transformers.models.Normalize",
]
_INPUTS = ("input_ids", "attention_mask", "token_type_ids")
# Export format: change it to make every cache entry stale.
_EXPORT_VERSION = "1"
# Largest difference from PyTorch's vectors an export may show on the probes (float32 noise
# is about 1e-7).
_TOLERANCE = 1e-4
_PROBES = (
    "Will you reform the Security Council?",
    "How will you fund the United Nations when member states pay late?",
    "What is your plan for climate finance, and who decides how it is spent across regions?",
    "Why?",
)


def onnx_ready(path: Path) -> bool:
    """A sentence-transformers folder this module can run: transformer, mean pooling, norm."""
    try:
        modules = json.loads((path / "modules.json").read_text())
        pooling = json.loads((path / "1_Pooling" / "config.json").read_text())
    except (OSError, ValueError):
        return False
    kinds = [module.get("type") for module in modules]
    mean_only = pooling.get("pooling_mode_mean_tokens") is True and not any(
        value is True
        for key, value in pooling.items()
        if key.startswith("pooling_mode_") and key != "pooling_mode_mean_tokens"
    )
    return kinds == _MODULES and mean_only and (path / "tokenizer.json").is_file()


def _weights_key(path: Path) -> str:
    digest = hashlib.sha256(_EXPORT_VERSION.encode())
    for name in ("config.json", "model.safetensors", "pytorch_model.bin"):
        file = path / name
        if file.is_file():
            with file.open("rb") as handle:
                for block in iter(lambda: handle.read(1 << 20), b""):
                    digest.update(block)
    return digest.hexdigest()[:20]


def cached_path(path: Path, cache: Path) -> Path:
    """Where the export of the model in `path` is kept in `cache` (named after its weights)."""
    return cache / f"{path.name}-{_weights_key(path)}.onnx"


def exported(path: Path, cache: Path) -> Path:
    """The model's ONNX file in `cache`, exported and checked first if it is not there."""
    target = cached_path(path, cache)
    if target.is_file():
        return target
    cache.mkdir(parents=True, exist_ok=True)
    # Several workers may start at once: each writes its own file, the last rename wins.
    handle, temporary = tempfile.mkstemp(dir=cache, suffix=".onnx.part")
    os.close(handle)
    try:
        _export(path, Path(temporary))
        os.chmod(temporary, 0o644)
        os.replace(temporary, target)
    finally:
        Path(temporary).unlink(missing_ok=True)
    log.info("exported %s to %s", path, target)
    return target


def _export(path: Path, target: Path) -> None:
    import torch  # heavy: only to export, once per model and cache
    from sentence_transformers import SentenceTransformer

    model = SentenceTransformer(str(path), device="cpu", local_files_only=True)
    transformer: Any = model[0].auto_model
    transformer.eval()

    class LastHiddenState(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.transformer = transformer

        def forward(self, input_ids: Any, attention_mask: Any, token_type_ids: Any) -> Any:
            return self.transformer(
                input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids
            ).last_hidden_state

    sample = model.tokenizer(list(_PROBES[:2]), return_tensors="pt", padding=True)
    axes = {"batch": 0, "tokens": 1}
    # The tracer warns that shape checks become constants; the probes below check the result
    # at other lengths and padding, so the warnings would only alarm whoever reads the log.
    with torch.inference_mode(), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(
            LastHiddenState(),
            tuple(sample[name] for name in _INPUTS),
            str(target),
            input_names=list(_INPUTS),
            output_names=["hidden"],
            dynamic_axes={name: {v: k for k, v in axes.items()} for name in (*_INPUTS, "hidden")},
            opset_version=17,
            dynamo=False,
        )
    expected = model.encode(
        list(_PROBES), normalize_embeddings=True, convert_to_numpy=True, show_progress_bar=False
    )
    got = OnnxEmbedder(path, target, threads=1).encode(list(_PROBES))
    gap = float(np.abs(expected - got).max())
    if gap > _TOLERANCE:
        raise RuntimeError(f"the ONNX export of {path} differs from PyTorch by {gap:.2e}")


class OnnxEmbedder:
    """A sentence-transformers folder's tokenizer and pooling around its ONNX transformer."""

    def __init__(self, path: Path, onnx: Path, *, threads: int = 1, batch_size: int = 64) -> None:
        import onnxruntime
        from tokenizers import Tokenizer

        config = json.loads((path / "sentence_bert_config.json").read_text())
        self._tokenizer = Tokenizer.from_file(str(path / "tokenizer.json"))
        self._tokenizer.enable_truncation(int(config.get("max_seq_length", 256)))
        self._tokenizer.enable_padding()  # to the longest text of each call
        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        options.graph_optimization_level = onnxruntime.GraphOptimizationLevel.ORT_ENABLE_ALL
        self._session = onnxruntime.InferenceSession(
            str(onnx), options, providers=["CPUExecutionProvider"]
        )
        self._batch_size = batch_size
        self.threads = threads
        hidden = self._session.get_outputs()[0].shape[-1]
        self.dimension = int(hidden)
        self.path = path

    def encode(self, texts: Sequence[str]) -> Matrix:
        vectors = np.zeros((len(texts), self.dimension), dtype=np.float32)
        for batch in length_batches(texts, self._batch_size, PADDED_CHARS_PER_CALL):
            vectors[batch] = self._encode([texts[i] for i in batch])
        return vectors

    def _encode(self, texts: list[str]) -> Matrix:
        encodings = self._tokenizer.encode_batch(texts)
        inputs = {
            "input_ids": np.array([e.ids for e in encodings], dtype=np.int64),
            "attention_mask": np.array([e.attention_mask for e in encodings], dtype=np.int64),
            "token_type_ids": np.array([e.type_ids for e in encodings], dtype=np.int64),
        }
        hidden = self._session.run(None, inputs)[0]
        mask = inputs["attention_mask"][..., None].astype(np.float32)
        pooled = (hidden * mask).sum(axis=1) / np.maximum(mask.sum(axis=1), 1e-9)
        norms = np.linalg.norm(pooled, axis=1, keepdims=True)
        return np.asarray(pooled / np.maximum(norms, 1e-12), dtype=np.float32)
