"""Shared fixtures. Tests use real components: DuckDB files in tmp_path, real GX, real Prefect."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from hypothesis import settings

# Property tests check behaviour, not speed (benchmarks do): on a loaded machine Hypothesis'
# 200 ms deadline per example failed tests whose code was right.
settings.register_profile("zhibiao", deadline=None)
settings.load_profile("zhibiao")

os.environ.setdefault("DO_NOT_TRACK", "1")
os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "120")
os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")

REPO = Path(__file__).resolve().parents[1]
SAMPLE_INBOX = REPO / "data" / "inbox"
SHARED = REPO.parent / "shared"


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    """../shared beside the checkout (the real corpus and gold); tests that need it skip without."""
    if not (SHARED / "corpus").is_dir():
        pytest.skip(f"{SHARED} is not here: the real-corpus checks are skipped")
    return SHARED


@pytest.fixture(scope="session")
def prefect_harness():
    """One Prefect test server for the session (it takes seconds to start)."""
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=120):
        yield


@pytest.fixture
def inbox(tmp_path: Path) -> Path:
    """A copy of the bundled sample inbox that a test may change."""
    target = tmp_path / "inbox"
    shutil.copytree(SAMPLE_INBOX, target)
    return target
