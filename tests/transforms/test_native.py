"""The compiled extractor (mypyc) and its Python source give the same facts, and a build
older than its source is never run."""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from transforms import native

ROOT = Path(__file__).resolve().parents[2]
TEXTS = sorted((ROOT / "tests" / "fixtures" / "documents").glob("*.txt")) + sorted(
    (ROOT / "data" / "inbox").glob("*.txt")
)
CAN_COMPILE = shutil.which("cc") is not None and importlib.util.find_spec("mypyc") is not None

EXTRACT_ALL = """
import json, sys
from dataclasses import asdict
from pathlib import Path
import transforms.extract as extract
import transforms.extract.sentence as sentence
from transforms.catalog import load_catalog
from transforms.native import BUILD
out = {"build": BUILD, "files": [extract.__file__, sentence.__file__], "docs": {}}
catalog = load_catalog()
for path in sys.argv[1:]:
    found = extract.extract_document(
        Path(path).name, Path(path).read_text(encoding="utf-8"), catalog
    )
    out["docs"][Path(path).name] = [found.text, found.region, found.report_date,
                                    [asdict(f) for f in found.facts]]
print(json.dumps(out, ensure_ascii=False))
"""


def extract_in_subprocess(pure: bool, cwd: Path) -> dict:
    """From another folder, as the installed `zhibiao` script runs: the checkout is not on
    sys.path there, so the compiled build must import from inside the package."""
    env = {**os.environ, native.PURE_PYTHON_ENV: "1" if pure else "0"}
    done = subprocess.run(
        [sys.executable, "-c", EXTRACT_ALL, *map(str, TEXTS)],
        capture_output=True,
        text=True,
        env=env,
        cwd=cwd,
        check=True,
    )
    return json.loads(done.stdout)


def test_a_source_edited_after_the_build_is_stale() -> None:
    module = "transforms.numbers"
    current = native.source_digest(native.source_path(module))
    assert native.stale_modules({module: current}) == []
    assert native.stale_modules({module: "0" * 64}) == [module]
    assert native.stale_modules({"transforms.gone": current}) == ["transforms.gone"]


def test_the_extractor_package_is_compiled_module_by_module() -> None:
    package = native.source_path("transforms.extract")
    assert package == native.PACKAGE_DIR / "extract" / "__init__.py"
    assert native.source_path("transforms.extract.sentence") == package.with_name("sentence.py")
    modules = {m for m in native.NATIVE_MODULES if m.startswith("transforms.extract.")}
    assert {f"transforms.extract.{p.stem}" for p in package.parent.glob("[!_]*.py")} == modules


def test_manifest_round_trip(tmp_path: Path) -> None:
    manifest = tmp_path / "native.json"
    assert native.read_manifest(manifest) == {}  # nothing compiled
    native.write_manifest(["transforms.trie"], manifest)
    recorded = native.read_manifest(manifest)
    assert recorded == {
        "transforms.trie": native.source_digest(native.source_path("transforms.trie"))
    }
    manifest.write_text("{not json", encoding="utf-8")
    assert native.read_manifest(manifest) == {}


@pytest.mark.skipif(not CAN_COMPILE, reason="no C compiler or mypyc: the extractor runs as Python")
def test_compiled_and_source_builds_give_the_same_facts(tmp_path: Path) -> None:
    assert native.read_manifest(), (
        "make install compiles the extractor (tools/compile_extractor.py)"
    )
    compiled = extract_in_subprocess(pure=False, cwd=tmp_path)
    source = extract_in_subprocess(pure=True, cwd=tmp_path)
    assert compiled["build"] == "compiled (mypyc)"
    assert not any(file.endswith(".py") for file in compiled["files"])  # the package's too
    assert source["build"].startswith("source")
    assert source["files"][0].endswith("extract/__init__.py")
    assert source["files"][1].endswith("extract/sentence.py")
    assert sum(len(doc[3]) for doc in source["docs"].values()) > 300
    assert compiled["docs"] == source["docs"]
