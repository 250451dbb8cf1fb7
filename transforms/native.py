"""The extractor's compiled build (mypyc), and when to run its Python source instead.

`tools/compile_extractor.py` (run by `make install`) compiles `NATIVE_MODULES` with mypyc into
extension modules beside their sources (the `transforms.extract` package's too, `__init__`
included) and records the hash of each source it compiled in `native.json`. Python imports
an extension module before a `.py` of the same name, so an edit made after the build would
silently run the old code; `use_source_when_stale` (called as the package is imported, in
every process, workers included) sends those imports back to the `.py` files when any
recorded source changed, or when `ZHIBIAO_PURE_PYTHON=1` asks for it.
Both builds give the same facts (tests/transforms/test_native.py); the compiled one is faster.
"""

from __future__ import annotations

import hashlib
import importlib.abc
import importlib.machinery
import importlib.util
import json
import os
import sys
import warnings
from collections.abc import Sequence
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
MANIFEST = PACKAGE_DIR / "native.json"
EXTRACT_DIR = PACKAGE_DIR / "extract"
"""The extractor's package: every module of it is compiled."""
NATIVE_MODULES = (
    "transforms.facts",
    "transforms.trie",
    "transforms.numbers",
    "transforms.periods",
    "transforms.normalise",
    "transforms.lexicon",
    "transforms.regions",
    "transforms.tables",
    "transforms.extract",
    *sorted(f"transforms.extract.{p.stem}" for p in EXTRACT_DIR.glob("[!_]*.py")),
)
"""The extractor's hot path: pure functions over text, fully typed (mypy-clean)."""
PURE_PYTHON_ENV = "ZHIBIAO_PURE_PYTHON"


def source_path(module: str) -> Path:
    """`transforms.numbers` -> transforms/numbers.py; a package's is its `__init__.py`."""
    path = PACKAGE_DIR.joinpath(*module.split(".")[1:])
    return path / "__init__.py" if path.is_dir() else path.with_suffix(".py")


def source_digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def read_manifest(manifest: Path = MANIFEST) -> dict[str, str]:
    """Module -> sha256 of the source it was compiled from; empty when nothing was compiled."""
    try:
        return dict(json.loads(manifest.read_text(encoding="utf-8"))["modules"])
    except (OSError, ValueError, KeyError, TypeError):
        return {}


def write_manifest(modules: Sequence[str], manifest: Path = MANIFEST) -> None:
    digests = {module: source_digest(source_path(module)) for module in modules}
    manifest.write_text(json.dumps({"modules": digests}, indent=2) + "\n", encoding="utf-8")


def stale_modules(compiled: dict[str, str]) -> list[str]:
    """Compiled modules whose source changed (or vanished) since they were compiled."""
    stale = []
    for module, digest in compiled.items():
        path = source_path(module)
        if not path.exists() or source_digest(path) != digest:
            stale.append(module)
    return stale


class _SourceFirst(importlib.abc.MetaPathFinder):
    """Finds `modules` as their `.py` sources, ahead of the extension modules beside them."""

    def __init__(self, modules: Sequence[str]) -> None:
        self.modules = frozenset(modules)

    def find_spec(self, fullname, path=None, target=None):  # type: ignore[no-untyped-def]
        if fullname not in self.modules:
            return None
        source = str(source_path(fullname))
        loader = importlib.machinery.SourceFileLoader(fullname, source)
        return importlib.util.spec_from_file_location(fullname, source, loader=loader)


def use_source_when_stale() -> str:
    """Decide, once per process, which build of the extractor runs; returns why."""
    compiled = read_manifest()
    if not compiled:
        return "source (not compiled)"
    if os.environ.get(PURE_PYTHON_ENV) == "1":
        reason = f"source ({PURE_PYTHON_ENV}=1)"
    elif stale := stale_modules(compiled):
        reason = f"source (compiled build older than {', '.join(stale)}: run `make compile`)"
        warnings.warn(f"zhibiao extractor: running the {reason}", stacklevel=2)
    else:
        return "compiled (mypyc)"
    if not any(isinstance(finder, _SourceFirst) for finder in sys.meta_path):
        sys.meta_path.insert(0, _SourceFirst(NATIVE_MODULES))
    return reason


BUILD = use_source_when_stale()
"""Which build of the extractor this process runs, and why (shown by `zhibiao --version`)."""
