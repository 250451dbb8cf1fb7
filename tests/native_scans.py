"""What the tests comparing a native scan with its `re` reference share: the texts at hand
and the mark that skips them where the extension is not built."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from transforms import fast_scan

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
SHARED_FOLDERS = [SHARED / "corpus", SHARED / "devset" / "docs", SHARED / "devset2" / "docs"]
LOCAL_FOLDERS = [ROOT / "tests" / "fixtures" / "documents", ROOT / "data" / "inbox"]

native = pytest.mark.skipif(
    fast_scan.EXTENSION_MODULE is None, reason=f"word scans on {fast_scan.SCAN}"
)
"""Skips a test of native scans where the extension is not built."""


def documents(folders: list[Path]) -> list[Path]:
    return sorted(p for folder in folders if folder.is_dir() for p in folder.glob("*.txt"))


on_shared_documents = pytest.mark.skipif(
    not documents(SHARED_FOLDERS), reason="../shared is not here"
)
"""Skips a test of the real documents where ../shared is not beside the repository."""


def shared_texts() -> Iterator[tuple[str, str]]:
    """(name, text) of each real document of ../shared, raw and as the extractor normalises it:
    a native scan must read both as its reference does."""
    from transforms.catalog import load_catalog
    from transforms.normalise import normalise_text

    catalog = load_catalog()
    for path in documents(SHARED_FOLDERS):
        raw = path.read_text(encoding="utf-8")
        yield path.name, raw
        yield path.name, normalise_text(raw, catalog).text
