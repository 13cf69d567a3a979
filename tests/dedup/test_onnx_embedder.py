"""The English model on ONNX Runtime: the same vectors as on PyTorch, exported once."""

from __future__ import annotations

import json
import logging
import shutil
from pathlib import Path

import numpy as np
import pytest

from townhall.dedup.embedder import SentenceTransformerEmbedder
from townhall.dedup.multilingual import english_embedder
from townhall.dedup.onnx_embedder import OnnxEmbedder, cached_path, exported, onnx_ready
from townhall.settings import Settings, SettingsError, default_model_cache, default_model_path

TEXTS = [
    "Will you reform the Security Council?",
    "Why?",
    "What will you do about climate finance for small island states, and by when? " * 8,
    "¿Cómo financiará las Naciones Unidas?",
    "How will the next Secretary-General make the selection process more transparent to the "
    "public, and will candidates take questions from civil society in open town halls?",
]


@pytest.fixture(scope="module")
def onnx_model() -> Path:
    """The export the server uses (the project's model cache; made once, reused after)."""
    return exported(default_model_path(), default_model_cache())


def test_onnx_gives_pytorchs_vectors_alone_and_in_padded_batches(onnx_model: Path) -> None:
    onnx = OnnxEmbedder(default_model_path(), onnx_model)
    torch = SentenceTransformerEmbedder(default_model_path(), threads=1)

    expected = torch.encode(TEXTS)
    np.testing.assert_allclose(onnx.encode(TEXTS), expected, atol=1e-5)
    alone = np.vstack([onnx.encode([text]) for text in TEXTS])
    np.testing.assert_allclose(alone, expected, atol=1e-5)
    assert onnx.dimension == torch.dimension == 384


def test_an_export_is_reused_not_made_again(onnx_model: Path) -> None:
    written = onnx_model.stat().st_mtime_ns

    assert exported(default_model_path(), default_model_cache()) == onnx_model
    assert onnx_model.stat().st_mtime_ns == written


def test_the_default_runtime_is_onnx(onnx_model: Path) -> None:
    model = english_embedder(
        default_model_path(), threads=1, batch_size=64, runtime=Settings().model_runtime, cache=None
    )

    assert isinstance(model, OnnxEmbedder)


def test_a_model_folder_with_other_pooling_stays_on_pytorch(tmp_path: Path) -> None:
    folder = tmp_path / "model"
    shutil.copytree(default_model_path(), folder)
    pooling = folder / "1_Pooling" / "config.json"
    config = json.loads(pooling.read_text())
    config.update(pooling_mode_mean_tokens=False, pooling_mode_cls_token=True)
    pooling.write_text(json.dumps(config))

    assert onnx_ready(default_model_path())
    assert not onnx_ready(folder)
    model = english_embedder(folder, threads=1, batch_size=8, runtime="onnx", cache=tmp_path)
    assert isinstance(model, SentenceTransformerEmbedder)


def test_an_export_that_cannot_be_written_leaves_the_model_on_pytorch(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    blocked = tmp_path / "cache"
    blocked.write_text("a file where the cache folder should be")

    with caplog.at_level(logging.ERROR, logger="townhall.dedup.multilingual"):
        model = english_embedder(
            default_model_path(), threads=1, batch_size=8, runtime="onnx", cache=blocked
        )

    assert isinstance(model, SentenceTransformerEmbedder)
    assert "running it on PyTorch" in caplog.text
    assert model.encode(["Why?"]).shape == (1, 384)


def test_a_damaged_export_in_the_cache_leaves_the_model_on_pytorch(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    damaged = cached_path(default_model_path(), tmp_path)
    damaged.write_bytes(b"not an ONNX model")

    with caplog.at_level(logging.ERROR, logger="townhall.dedup.multilingual"):
        model = english_embedder(
            default_model_path(), threads=1, batch_size=8, runtime="onnx", cache=tmp_path
        )

    assert isinstance(model, SentenceTransformerEmbedder)
    assert "running it on PyTorch" in caplog.text


def test_the_runtime_setting_accepts_onnx_and_torch_only() -> None:
    assert Settings.from_env({"TOWNHALL_MODEL_RUNTIME": "torch"}).model_runtime == "torch"
    assert Settings.from_env({"TOWNHALL_MODEL_CACHE": "/srv/cache"}).model_cache == Path(
        "/srv/cache"
    )
    with pytest.raises(SettingsError, match="TOWNHALL_MODEL_RUNTIME"):
        Settings.from_env({"TOWNHALL_MODEL_RUNTIME": "tensorflow"})
