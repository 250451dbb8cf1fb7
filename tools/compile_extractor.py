"""Compile the extractor's hot path with mypyc (`make install` runs it; about 30 s).

    .venv/bin/python tools/compile_extractor.py [--clean]

The modules of `transforms.native.NATIVE_MODULES` become extension modules beside their
sources, with the C code they share in `transforms/native_build__mypyc*.so` (inside the
package, so that it imports wherever `transforms` does, e.g. from the `zhibiao` script);
`transforms/native.json` records the hash of every source compiled, so an edit made later
falls back to the source until the next build. Without a C compiler the build fails, this
prints why, records an empty build and exits 0: the extractor runs as Python, only slower.
`--clean` removes the build.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ["ZHIBIAO_PURE_PYTHON"] = "1"  # never import a stale build while building

from transforms.native import (  # noqa: E402
    MANIFEST,
    NATIVE_MODULES,
    PACKAGE_DIR,
    source_path,
    write_manifest,
)

GROUP = "transforms.native_build"
"""The shared library's module: dotted, so it lands inside the package."""
BUILD_DIR = ROOT / "build" / "mypyc"


def built_files() -> list[Path]:
    """Every extension module of the package and its subpackages, also of modules no
    longer compiled; not the native word scanner (tools/build_scanner.py)."""
    return [p for p in PACKAGE_DIR.rglob("*.so") if not p.name.startswith("_fast_scan")]


def clean() -> None:
    for path in [*built_files(), MANIFEST]:
        path.unlink(missing_ok=True)


def compile_modules() -> None:
    from mypyc.build import mypycify
    from setuptools import setup

    sources = [str(source_path(m).relative_to(ROOT)) for m in NATIVE_MODULES]
    os.chdir(ROOT)
    setup(
        name=GROUP,
        ext_modules=mypycify(sources, opt_level="3", group_name=GROUP, target_dir=str(BUILD_DIR)),
        script_args=["-q", "build_ext", "--inplace", "--build-temp", str(BUILD_DIR / "temp")],
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--clean", action="store_true", help="remove the compiled build")
    args = parser.parse_args(argv)
    clean()
    if args.clean:
        return 0
    try:
        compile_modules()
    except (Exception, SystemExit) as error:  # no compiler, no mypy: the source still runs
        clean()
        write_manifest([])  # tried: `make` does not try again until a source changes
        print(f"compile_extractor: not compiled ({error}); the extractor runs as Python")
        return 0
    write_manifest(NATIVE_MODULES)
    print(f"compile_extractor: compiled {len(NATIVE_MODULES)} modules with mypyc")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
