"""Build the native word scanner (native/, Rust) offline (`make install` runs it; ~1 min).

    .venv/bin/python tools/build_scanner.py [--clean]

`cargo build --offline --release` against the crates Debian packages in
/usr/share/cargo/registry (native/.cargo/config.toml replaces crates-io with it; apt-get
install librust-pyo3-dev librust-aho-corasick-dev librust-regex-dev), for this interpreter
(PYO3_PYTHON). The library is copied beside transforms/fast_scan.py as `transforms._fast_scan`, and
`transforms/fast_scan.json` records the hash of every source it was built from, so that an
edit made later runs `re` until the next build. Without cargo, rustc or the crates this
prints one line why, records an empty build and exits 0: the scans run on `re`, only slower.
`--clean` removes the build.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ["ZHIBIAO_PURE_SCAN"] = "1"  # never load the extension being replaced

from transforms.fast_scan import MANIFEST, write_manifest  # noqa: E402

CRATE = ROOT / "native"
TARGET_DIR = ROOT / "build" / "cargo"
LIBRARY = TARGET_DIR / "release" / "lib_fast_scan.so"
EXTENSION = ROOT / "transforms" / f"_fast_scan{sysconfig.get_config_var('EXT_SUFFIX')}"


def built_files() -> list[Path]:
    return list((ROOT / "transforms").glob("_fast_scan*.so"))


def clean() -> None:
    for path in [*built_files(), MANIFEST]:
        path.unlink(missing_ok=True)


def cargo() -> str:
    found = shutil.which("cargo") or shutil.which("cargo", path=str(Path.home() / ".cargo/bin"))
    if found is None:
        raise RuntimeError("no cargo on PATH (apt-get install cargo)")
    return found


def build() -> None:
    env = {**os.environ, "PYO3_PYTHON": sys.executable, "CARGO_TARGET_DIR": str(TARGET_DIR)}
    done = subprocess.run(
        [cargo(), "build", "--offline", "--release", "--quiet"],
        cwd=CRATE,  # where .cargo/config.toml points crates-io at Debian's registry
        env=env,
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        errors = [line for line in done.stderr.splitlines() if line.startswith("error")]
        raise RuntimeError(errors[0] if errors else done.stderr.strip()[-200:])
    shutil.copyfile(LIBRARY, EXTENSION)
    check = [sys.executable, "-c", "import transforms._fast_scan"]
    loaded = subprocess.run(check, cwd=ROOT, capture_output=True, text=True)
    if loaded.returncode != 0:
        raise RuntimeError(f"built but does not load: {loaded.stderr.strip().splitlines()[-1]}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--clean", action="store_true", help="remove the native scanner")
    args = parser.parse_args(argv)
    clean()
    if args.clean:
        return 0
    try:
        build()
    except (OSError, RuntimeError) as error:
        clean()
        write_manifest(built=False)  # tried: `make` does not try again until a source changes
        print(f"build_scanner: not built ({error}); the word scans run on re")
        return 0
    write_manifest(built=True)
    print(f"build_scanner: built {EXTENSION.relative_to(ROOT)} (Rust, offline)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
