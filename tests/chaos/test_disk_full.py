"""A full disk: the run fails in one line, the warehouse keeps its last load, analysts keep a
whole publication (and are told which), and the next run with space again catches up.

The state folder is a small tmpfs, mounted in a user and mount namespace of the test's own
(`unshare --user --map-root-user --mount`: no privileges needed where the kernel allows
unprivileged user namespaces). Where it does not, the test is skipped, saying so.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.chaos.harness import Runs, checksum, facts
from tests.chaos.test_kills import chaos_env
from tests.conftest import REPO

pytestmark = [pytest.mark.slow, pytest.mark.chaos, pytest.mark.xdist_group("chaos")]
TMPFS_SIZE = "48m"
NAMESPACE = ["unshare", "--user", "--map-root-user", "--mount"]


def tmpfs_available(probe: Path) -> str | None:
    """None if a tmpfs can be mounted in a namespace of our own here, else why not."""
    if shutil.which("unshare") is None:
        return "the unshare command (util-linux) is not installed"
    probe.mkdir()
    try:
        tried = subprocess.run(
            [*NAMESPACE, "mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(probe)],
            capture_output=True, text=True, timeout=30, check=False,
        )  # fmt: skip
    except (OSError, subprocess.TimeoutExpired) as error:
        return f"unshare failed: {error}"
    if tried.returncode != 0:
        return f"unshare/mount refused: {tried.stderr.strip() or tried.returncode}"
    return None


def test_a_full_disk_fails_a_run_in_one_line_and_the_next_run_catches_up(
    prefect_url: str, tmp_path: Path
) -> None:
    why_not = tmpfs_available(tmp_path / "probe")
    if why_not:
        pytest.skip(f"no small tmpfs can be mounted here ({why_not}): disk-full cases skipped")
    root = tmp_path / "night"
    (root / "inbox").mkdir(parents=True)
    (root / "logs").mkdir()
    env = {**chaos_env(prefect_url), "PYTHONPATH": str(REPO)}
    driven = subprocess.run(
        [*NAMESPACE, sys.executable, "-m", "tests.chaos.disk_full_driver", str(root), TMPFS_SIZE],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=900, check=False,
    )  # fmt: skip
    assert driven.returncode == 0, driven.stdout + driven.stderr
    seen = json.loads(driven.stdout.strip().splitlines()[-1])
    print(json.dumps(seen, ensure_ascii=False, indent=1))  # the closing note quotes it

    full = seen["publish_full"]
    assert full["exit"] == 1 and not full["traceback"]
    (line,) = full["errors"]
    assert "No space left on device" in line
    assert f"analysts are still on load {seen['first_published']}" in line
    assert full["exported_load"] == seen["first_published"] != full["warehouse_load"]
    assert full["next_published"] == full["next_load"]

    early = seen["load_full"]
    assert early["exit"] == 1 and not early["traceback"]
    (line,) = early["errors"]
    assert "is full" in line and "the warehouse keeps its last committed load" in line
    assert early["unchanged"] and early["exported_load"] == early["warehouse_load"]
    assert early["next_read"] == 2 and early["next_published"] == early["next_load"]

    # The night that ran out of space twice ends where an uninterrupted one does.
    (tmp_path / "reference-logs").mkdir()
    reference = Runs(
        root / "inbox",
        tmp_path / "reference-var",
        chaos_env(prefect_url),
        tmp_path / "reference-logs",
    )
    reference.run()
    assert seen["final"] == checksum(facts(reference.var / "analyst.duckdb", current=True))
