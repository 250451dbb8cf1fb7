"""Real-world artefacts cost little: every kind of ../shared/tools/perturb_docs.py keeps the
extractor's F1 on the shared corpus at 95% of its clean F1 or more, draw after draw.

The tool adds one artefact at a time to a copy of the corpus (traditional characters, pinyin
glosses, hard wraps, doubled bold glyphs, full-width forms, OCR spacing, page breaks, a mix)
and keeps the gold valid; the project's scorer then compares the facts.
"""

import subprocess
import sys
from pathlib import Path

import pytest

from tests.scoring import score_documents

KINDS = ("trad", "pinyin", "wrap", "bold", "fullwidth", "ocr", "pagebreak", "mix")
SEEDS = (1, 2, 3)
"""Three random draws per kind, so that no repair passes by one lucky draw."""
MIN_SHARE_OF_CLEAN = 0.95


def corpus_f1(shared: Path, docs: Path, tmp_path: Path) -> float:
    """The scorer's F1 of the facts extracted from `docs`, against the corpus's gold."""
    summary = score_documents(
        docs.glob("*.txt"),
        shared / "gold" / "seeds.jsonl",
        shared / "tools" / "score_facts.py",
        tmp_path,
    )
    return float(summary["f1"])


@pytest.fixture(scope="module")
def clean_f1(shared_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> float:
    return corpus_f1(shared_dir, shared_dir / "corpus", tmp_path_factory.mktemp("clean"))


@pytest.mark.parametrize("kind", KINDS)
def test_an_artefact_keeps_f1_near_the_clean_f1(
    kind: str, clean_f1: float, shared_dir: Path, tmp_path: Path
) -> None:
    for seed in SEEDS:
        perturbed = tmp_path / f"{kind}_{seed}"
        subprocess.run(
            [
                sys.executable,
                str(shared_dir / "tools" / "perturb_docs.py"),
                str(shared_dir / "corpus"),
                str(perturbed),
                *("--kind", kind, "--seed", str(seed)),
            ],
            capture_output=True,
            text=True,
            check=True,
        )
        f1 = corpus_f1(shared_dir, perturbed, tmp_path)
        assert f1 >= MIN_SHARE_OF_CLEAN * clean_f1, (kind, seed, f1, clean_f1)
