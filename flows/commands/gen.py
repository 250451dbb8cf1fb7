"""`zhibiao gen`: a folder of synthetic reports and their expected facts (flows/synthetic.py)."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

console = Console(soft_wrap=True)


def gen(
    n: Annotated[int, typer.Argument(help="How many reports.", min=0)],
    directory: Annotated[Path, typer.Argument(help="Folder to write them to (an inbox).")],
    seed: Annotated[int, typer.Option(help="Random seed: the same seed, the same files.")] = 0,
    chars: Annotated[
        int, typer.Option(help="Average characters per report (3,500 is about 10 KB).", min=200)
    ] = 3_500,
) -> None:
    """Write N synthetic reports to DIRECTORY, with their expected facts in expected.jsonl.

    Areas, periods, indicators (names and aliases), phrasings and PDF artefacts (wrapped
    numbers, full-width digits, traditional characters) vary; the same seed gives the same
    bytes. The facts follow the fact contract, for `score_facts.py` and benchmarks.
    """
    from flows.synthetic import generate_reports, write_corpus

    clock = time.perf_counter()
    documents, facts, size = write_corpus(directory, generate_reports(n, seed, mean_chars=chars))
    console.print(
        f"{documents} reports, {facts} expected facts, {size / 1e6:.1f} MB in {directory} "
        f"({time.perf_counter() - clock:.1f} s)"
    )
