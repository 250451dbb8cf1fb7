"""Runs on a small tmpfs that fills up: run by tests/chaos/test_disk_full.py inside a user
and mount namespace of its own (`unshare --user --map-root-user --mount`), where it may mount
a tmpfs without privileges. Prints one JSON object: what it saw.

python -m tests.chaos.disk_full_driver ROOT SIZE -- with ROOT/inbox, ROOT/var (the tmpfs
mount point), ROOT/logs, and the run environment in ZHIBIAO_* and PREFECT_* variables.
"""

from __future__ import annotations

import errno
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from tests.chaos.harness import (
    Runs,
    exported_load,
    facts,
    publication_is_whole,
    published_is_current,
    warehouse_load,
    warehouse_opens,
)
from tests.conftest import SAMPLE_INBOX


def fill(folder: Path) -> Path:
    """Write a file until the file system is full; the file (delete it to free the space)."""
    filler = folder / "filler"
    fd = os.open(filler, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        for size in (1 << 20, 1 << 12, 1):  # unbuffered: nothing is left to flush at close
            try:
                while os.write(fd, b"\0" * size):
                    pass
            except OSError as error:
                if error.errno != errno.ENOSPC:
                    raise
    finally:
        os.close(fd)
    return filler


def error_lines(output: str) -> list[str]:
    return [line for line in output.splitlines() if line.startswith("error:")]


def main(root: Path, size: str) -> dict:
    var = root / "var"
    var.mkdir()
    subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(var)], check=True)
    with Runs(root / "inbox", var, dict(os.environ), root / "logs") as runs:
        return night_of_full_disks(runs)


def night_of_full_disks(runs: Runs) -> dict:
    var = runs.var
    documents = iter(sorted(SAMPLE_INBOX.glob("*.txt")))
    seen: dict = {}
    for _ in range(4):
        shutil.copy(next(documents), runs.inbox)
    first = runs.run()
    seen["first_published"] = first["published_load_id"]

    # 1. The disk fills after the load commits, while the publication is written.
    for _ in range(3):
        shutil.copy(next(documents), runs.inbox)
    stopped = runs.stopped_at("load:committed")
    filler = fill(var)
    code, output = stopped.resume()
    warehouse_opens(var)
    seen["publish_full"] = {
        "exit": code,
        "errors": error_lines(output),
        "traceback": "Traceback" in output,
        "warehouse_load": warehouse_load(var),
        "exported_load": publication_is_whole(var),
    }
    filler.unlink()
    after = runs.run()
    seen["publish_full"]["next_published"] = after["published_load_id"]
    seen["publish_full"]["next_load"] = after["load_id"]
    seen["publish_full"]["current"] = published_is_current(var)

    # 2. The disk fills before the load: nothing of the run may land.
    before = facts(var / "warehouse.duckdb")
    for _ in range(2):
        shutil.copy(next(documents), runs.inbox)
    stopped = runs.stopped_at("ingest:planned")
    filler = fill(var)
    code, output = stopped.resume()
    warehouse_opens(var)
    seen["load_full"] = {
        "exit": code,
        "errors": error_lines(output),
        "traceback": "Traceback" in output,
        "unchanged": facts(var / "warehouse.duckdb") == before,
        "published_is_load": exported_load(var) == warehouse_load(var),
    }
    filler.unlink()
    last = runs.run()
    seen["load_full"]["next_read"] = last["documents_read"]
    seen["final"] = published_is_current(var)
    return seen


if __name__ == "__main__":
    print(json.dumps(main(Path(sys.argv[1]), sys.argv[2]), ensure_ascii=False))
