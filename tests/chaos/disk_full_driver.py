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
    checksum,
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
    documents = iter(sorted(SAMPLE_INBOX.glob("*.txt")))

    def arrive(count: int) -> None:
        for _ in range(count):
            shutil.copy(next(documents), runs.inbox)

    arrive(4)
    seen: dict = {"first_published": runs.run()["published_load_id"]}
    # 1. The disk fills after the load commits, while the publication is written.
    arrive(3)
    seen["publish_full"] = full_disk_at(runs, "load:committed")
    # 2. The disk fills before the load: nothing of the run may land.
    before = checksum(facts(runs.var / "warehouse.duckdb"))
    arrive(2)
    seen["load_full"] = full_disk_at(runs, "ingest:planned")
    seen["load_full"]["unchanged"] = seen["load_full"].pop("facts") == before
    seen["final"] = published_is_current(runs.var)
    return seen


def full_disk_at(runs: Runs, point: str) -> dict:
    """A run that finds the disk full from `point` on; what it said and left, and what the
    next run, with space again, did."""
    stopped = runs.stopped_at(point)
    filler = fill(runs.var)
    code, output = stopped.resume()
    warehouse_opens(runs.var)
    seen = {
        "exit": code,
        "errors": error_lines(output),
        "traceback": "Traceback" in output,
        "warehouse_load": warehouse_load(runs.var),
        "exported_load": publication_is_whole(runs.var),
        "facts": checksum(facts(runs.var / "warehouse.duckdb")),
    }
    filler.unlink()
    after = runs.run()
    seen["next_read"], seen["next_load"] = after["documents_read"], after["load_id"]
    seen["next_published"] = after["published_load_id"]
    seen["current"] = published_is_current(runs.var)
    return seen


if __name__ == "__main__":
    print(json.dumps(main(Path(sys.argv[1]), sys.argv[2]), ensure_ascii=False))
