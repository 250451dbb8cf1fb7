"""The corpora the benchmarks read (tools/bench.py, tools/bench_extract.py), made once and
cached under a folder (`<dir>/inbox-<kind>-<n>`, complete when `.complete` is there).

- `real`: real-looking reports, `../shared/tools/make_corpus.py ../shared/corpus DIR N`: the
  real corpus with its numbers and years perturbed, about 13 KB each, with the artefacts of
  extracted PDF text. What the nightly run meets.
- `gen`: `zhibiao gen` (flows/synthetic.py): short, fact-dense reports, easier than the real
  thing, so they flatter the figures; kept as a second, labelled row.

Without ../shared beside the checkout the real-looking corpus cannot be made: the benchmark
says so and measures the generated one instead (`corpus_kinds`).
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
MAKE_CORPUS = SHARED / "tools" / "make_corpus.py"
SOURCE_CORPUS = SHARED / "corpus"
KINDS = {"real": "real-looking (make_corpus.py)", "gen": "generated (zhibiao gen)"}


def real_corpus_available() -> bool:
    return MAKE_CORPUS.is_file() and any(SOURCE_CORPUS.glob("*.txt"))


def corpus_kinds(asked: list[str]) -> list[str]:
    """The kinds to measure: those asked for, with `real` replaced by `gen` (said on stderr)
    when ../shared is not here."""
    unknown = sorted(set(asked) - set(KINDS))
    if unknown:
        raise SystemExit(f"unknown corpus {', '.join(unknown)}: expected {', '.join(KINDS)}")
    if "real" in asked and not real_corpus_available():
        print(
            f"{SOURCE_CORPUS} or {MAKE_CORPUS} is not here: the real-looking corpus cannot be "
            "made, so the generated one (zhibiao gen) is measured instead",
            file=sys.stderr,
        )
        asked = [kind if kind != "real" else "gen" for kind in asked]
    return list(dict.fromkeys(asked))


def corpus(kind: str, directory: Path, n: int, seed: int = 1) -> tuple[Path, float]:
    """The folder of `n` reports of this kind, and the seconds it took to make (0: cached)."""
    inbox = directory / (f"inbox-{n}-{seed}" if kind == "gen" else f"inbox-real-{n}")
    done = inbox / ".complete"
    if done.exists():
        return inbox, 0.0
    shutil.rmtree(inbox, ignore_errors=True)
    clock = time.perf_counter()
    if kind == "gen":
        from flows.synthetic import generate_reports, write_corpus

        write_corpus(inbox, generate_reports(n, seed))
    else:
        subprocess.run(
            [sys.executable, str(MAKE_CORPUS), str(SOURCE_CORPUS), str(inbox), str(n)],
            check=True,
            stdout=subprocess.DEVNULL,
        )
    done.touch()
    return inbox, time.perf_counter() - clock
