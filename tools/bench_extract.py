"""Benchmark `extract_document` against a floor: one regex pass of the catalogue's aliases.

    .venv/bin/python tools/bench_extract.py [--docs 2000] [--corpus real|bundled] [--runs 5]
                                            [--seed 42] [--profile] [--dir var/bench]

The corpus (`--corpus`):

- `real` (the default): real-looking reports, `../shared/tools/make_corpus.py
  ../shared/corpus DIR N` (tools/bench_corpus.py, cached under `--dir`): the real corpus
  with its numbers and years perturbed, with the artefacts of extracted PDF text. Without
  ../shared, the benchmark says so and measures `bundled` instead.
- `bundled`: built, deterministically from `--seed`, out of the texts in `data/inbox/` and
  `tests/fixtures/documents/`: each document takes one source, shuffles the sentences inside
  its paragraphs, moves its years by the same offset, scales its figures, and names another
  area of the catalogue (of the same level) instead of its own.

Two timings, each the median of `--runs` passes over the same documents, made in pairs (an
extractor pass, then a floor pass):

- extractor: `extract_document` on every document (normalisation, tokens, facts);
- floor: `finditer` of one compiled `re` alternation of every indicator name, alias and
  phrase of the catalogue over the same texts, the least any extractor must do to see them.

It prints documents/s and MB/s (UTF-8) of both and the ratio extractor/floor (how many
times slower the extractor is): the median of each pair's own ratio, with their range.
`--profile` runs one extractor pass under cProfile and prints the top functions by
cumulative time. `ZHIBIAO_PURE_PYTHON=1` times the extractor's
Python source instead of its compiled build (transforms/native.py).
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import random
import re
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tools.bench_corpus import corpus, real_corpus_available
from transforms.catalog import Catalog, load_catalog
from transforms.extract import extract_document
from transforms.native import BUILD
from transforms.regions import find_region_mentions, infer_document_region, region_index

ROOT = Path(__file__).resolve().parents[1]
SOURCES = (ROOT / "data" / "inbox", ROOT / "tests" / "fixtures" / "documents")
SENTENCE = re.compile(r"[^。！？\n]*[。！？]?")
YEAR = re.compile(r"(?<!\d)(20[0-3]\d)(?=\s*年|[-/.]\d)")
FIGURE = re.compile(r"(?<![\d.])(\d+\.\d+)(?=\s*(?:亿元|万元|亿千瓦时|万千瓦时|万平方米))")


def read_sources() -> list[tuple[str, str]]:
    """(name, text) of every source text, in a stable order."""
    paths = sorted(p for folder in SOURCES for p in folder.glob("*.txt"))
    return [(p.name, p.read_text(encoding="utf-8")) for p in paths]


def shuffle_sentences(text: str, rng: random.Random) -> str:
    """Sentences change places inside their paragraph; paragraphs keep their order."""
    paragraphs = []
    for paragraph in text.split("\n"):
        sentences = [s for s in SENTENCE.findall(paragraph) if s]
        rng.shuffle(sentences)
        paragraphs.append("".join(sentences))
    return "\n".join(paragraphs)


def vary_document(text: str, own_area: str | None, areas: Sequence[str], rng: random.Random) -> str:
    """One variant of a source text: sentences shuffled, years moved, figures scaled, and
    another area of the same level named instead of the text's own."""
    text = shuffle_sentences(text, rng)
    shift = rng.randint(-3, 3)
    text = YEAR.sub(lambda m: str(int(m.group(1)) + shift), text)
    factor = rng.uniform(0.5, 2.0)
    text = FIGURE.sub(lambda m: f"{float(m.group(1)) * factor:.2f}", text)
    if own_area and areas:
        text = text.replace(own_area, rng.choice(areas))
    return text


def build_corpus(count: int, seed: int, catalog: Catalog) -> list[str]:
    rng = random.Random(seed)
    index = region_index(catalog)
    sources = read_sources()
    by_level: dict[str, list[str]] = {}
    for region in catalog.regions:
        if region.level != "country" and len(index.by_name.get(region.name, ())) == 1:
            by_level.setdefault(region.level, []).append(region.name)
    owned = []
    for _, text in sources:
        own = infer_document_region(text, index, find_region_mentions(text, index))
        owned.append((text, own.name if own else None, by_level.get(own.level, []) if own else []))
    return [vary_document(*owned[i % len(owned)], rng) for i in range(count)]


def alias_alternation(catalog: Catalog) -> re.Pattern[str]:
    """The floor: every indicator name, alias and phrase in one flat alternation."""
    words = {w for ind in catalog.indicators for w in (ind.name_zh, *ind.aliases)}
    words |= {p.phrase for p in catalog.phrases}
    return re.compile("|".join(map(re.escape, sorted(words, key=len, reverse=True))))


def time_pass(work: Callable[[str], object], docs: Sequence[str], runs: int) -> float:
    """Median seconds of `runs` passes of `work` over every document."""
    seconds = []
    for _ in range(runs):
        start = time.perf_counter()
        for doc in docs:
            work(doc)
        seconds.append(time.perf_counter() - start)
    return statistics.median(seconds)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--docs", type=int, default=2000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--corpus", choices=("real", "bundled"), default="real")
    parser.add_argument("--dir", type=Path, default=ROOT / "var" / "bench")
    args = parser.parse_args(argv)

    catalog = load_catalog()
    if args.corpus == "real" and not real_corpus_available():
        print("../shared is not here: the real-looking corpus cannot be made; measuring the "
              "bundled texts' variants instead", file=sys.stderr)  # fmt: skip
        args.corpus = "bundled"
    if args.corpus == "real":
        folder, _ = corpus("real", args.dir, args.docs)
        docs = [p.read_text(encoding="utf-8") for p in sorted(folder.glob("*.txt"))]
        label = f"real-looking (make_corpus.py, {folder})"
    else:
        docs = build_corpus(args.docs, args.seed, catalog)
        label = f"variants of the bundled texts, seed {args.seed}"
    megabytes = sum(len(d.encode("utf-8")) for d in docs) / 1e6
    pattern = alias_alternation(catalog)
    extract_document("warm-up", docs[0], catalog)  # compile the patterns once, outside timing

    if args.profile:
        profiler = cProfile.Profile()
        profiler.enable()
        for i, doc in enumerate(docs):
            extract_document(f"{i}.txt", doc, catalog)
        profiler.disable()
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(25)

    # Each run times the extractor's pass, then the floor's right after it: the machine's
    # speed drifts by tens of percent over seconds, and a ratio of two passes made together
    # holds where two medians made apart do not.
    pairs = [
        (
            time_pass(lambda d: extract_document("bench.txt", d, catalog), docs, 1),
            time_pass(lambda d: sum(1 for _ in pattern.finditer(d)), docs, 1),
        )
        for _ in range(args.runs)
    ]
    extractor = statistics.median(e for e, _ in pairs)
    floor = statistics.median(f for _, f in pairs)
    ratios = sorted(e / f for e, f in pairs)
    facts = sum(len(extract_document("bench.txt", d, catalog).facts) for d in docs)

    print(f"extractor build: {BUILD}")
    print(f"corpus: {label}")
    print(f"documents: {len(docs)} ({megabytes:.2f} MB); facts: {facts}")
    print(f"median of {args.runs} runs")
    for name, seconds in (("extractor", extractor), ("floor", floor)):
        print(
            f"  {name:<10} {len(docs) / seconds:10.1f} docs/s {megabytes / seconds:8.3f} MB/s"
            f"  ({seconds:.3f} s)"
        )
    print(
        f"  ratio extractor/floor: {statistics.median(ratios):.1f}x, median of the runs' own "
        f"ratios ({ratios[0]:.1f}-{ratios[-1]:.1f}x; target <= 10x, then 5x)"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
