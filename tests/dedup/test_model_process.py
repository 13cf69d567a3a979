"""The model in a child process: same vectors as in the server's own process, and a new child
when the old one dies (one model load per start, so these share one embedder)."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from conftest import _free_port
from processes import ServerProcess, alive, children

from townhall.dedup.embedder import Embedder
from townhall.dedup.model_process import ProcessEmbedder
from townhall.dedup.multilingual import USE_NAME
from townhall.settings import default_model_path
from townhall.store.migrate import upgrade_async

TEXTS = ["Will you reform the Security Council?", "¿Cómo financiará la ONU el clima?"]


@pytest.fixture(scope="module")
def in_child() -> Iterator[ProcessEmbedder]:
    model = ProcessEmbedder(default_model_path(), threads=1, multilingual=USE_NAME)
    yield model
    model.close()


def test_the_child_encodes_like_the_model_in_this_process(
    in_child: ProcessEmbedder, embedder: Embedder
) -> None:
    assert in_child.pid != os.getpid()
    assert in_child.dimension == embedder.dimension

    vectors = in_child.encode(TEXTS)

    assert vectors.dtype == np.float32
    np.testing.assert_allclose(vectors, embedder.encode(TEXTS), atol=1e-5)


def test_nothing_to_encode_gives_no_rows(in_child: ProcessEmbedder) -> None:
    assert in_child.encode([]).shape == (0, in_child.dimension)


def test_a_child_that_died_is_replaced_and_the_call_still_answered(
    in_child: ProcessEmbedder, embedder: Embedder
) -> None:
    first = in_child.pid
    os.kill(first, signal.SIGKILL)

    vectors = in_child.encode(TEXTS[:1])

    assert in_child.pid != first
    np.testing.assert_allclose(vectors, embedder.encode(TEXTS[:1]), atol=1e-5)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
async def test_the_child_ends_with_a_server_killed_with_sigkill(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'townhall.db'}"
    await upgrade_async(url)
    server = ServerProcess(
        _free_port(),
        {"TOWNHALL_DATABASE_URL": url, "TOWNHALL_MODEL_PROCESS": "true"},
        tmp_path / "server.log",
    )
    server.start()
    try:
        await server.ready()  # the lifespan has loaded the model in its child by then
        models = [pid for pid, command in children(server.pid).items() if "spawn_main" in command]
        assert len(models) == 1, children(server.pid)

        server.kill()

        for _ in range(300):  # within 30 s
            if not alive(models[0]):
                break
            await asyncio.sleep(0.1)
        assert not alive(models[0]), "the model process outlived the server"
    finally:
        server.stop()
