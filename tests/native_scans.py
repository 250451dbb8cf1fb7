"""What the tests comparing a native scan with its `re` reference share: the texts at hand
and the mark that skips them where the extension is not built."""

from __future__ import annotations

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
