import hashlib
import os
import time
from pathlib import Path

import polars as pl

from flows import hash_cache, inbox_files
from flows.hash_cache import HashCache
from flows.ingest import plan_inbox, plan_run, read_document, scan_ahead, scan_inbox
from flows.settings import Settings
from warehouse.store import Warehouse

NO_STATE = pl.DataFrame(
    schema={"source_path": pl.String, "content_sha256": pl.String, "status": pl.String,
            "is_present": pl.Boolean}
)  # fmt: skip


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_scan_hashes_files_and_rejects_with_reasons(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    write(inbox, "a.txt", "全市规上工业增加值100亿元")
    write(inbox, "sub dir/-b 报告.md", "全市规上工业增加值200亿元")
    write(inbox, "expected.jsonl", "{}")
    write(inbox, ".hidden.txt", "x")
    write(inbox, "table.xlsx", "not supported")
    write(inbox, "big.txt", "x" * 2000)
    outside = write(tmp_path, "outside.txt", "secret")
    (inbox / "link.txt").symlink_to(outside)

    files, rejections = scan_inbox(Settings(inbox=inbox, max_file_bytes=1000))

    assert [f.source_path for f in files] == ["a.txt", "sub dir/-b 报告.md"]
    assert all(len(f.content_sha256) == 64 for f in files)
    reasons = {r.source_path: r.reason_code for r in rejections}
    assert reasons == {
        "big.txt": "too_large",
        "link.txt": "symlink_outside_inbox",
        "table.xlsx": "unsupported_format",
    }
    too_large = next(r for r in rejections if r.reason_code == "too_large")
    assert too_large.content_sha256 is None, "a too-large file is rejected without reading it"


def test_plan_counts_new_changed_unchanged_removed(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    write(inbox, "same.txt", "unchanged text")
    write(inbox, "edited.txt", "new text")
    write(inbox, "fresh.txt", "a brand new report")
    write(inbox, "copy.txt", "unchanged text")  # same content under a second name
    files, rejections = scan_inbox(Settings(inbox=inbox))
    sha = {f.source_path: f.content_sha256 for f in files}
    state = pl.DataFrame(
        {
            "source_path": ["same.txt", "edited.txt", "gone.txt"],
            "content_sha256": [sha["same.txt"], "0" * 64, "1" * 64],
            "status": ["loaded"] * 3,
            "is_present": [True] * 3,
        }
    )
    plan = plan_run(files, rejections, state, known={sha["same.txt"]: "loaded", "0" * 64: "loaded"})

    assert plan.counts == {
        "documents_new": 2,
        "documents_changed": 1,
        "documents_unchanged": 1,
        "documents_removed": 1,
        "documents_seen": 4,
    }
    assert sorted(f.source_path for f in plan.to_read) == ["edited.txt", "fresh.txt"]


def test_same_content_twice_is_read_once(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    write(inbox, "one.txt", "identical")
    write(inbox, "two.txt", "identical")
    files, rejections = scan_inbox(Settings(inbox=inbox))
    plan = plan_run(files, rejections, NO_STATE, known={})
    assert [f.source_path for f in plan.to_read] == ["one.txt"]
    assert plan.counts["documents_new"] == 2


def test_hash_file_reads_every_chunk(tmp_path: Path) -> None:
    """Hashes of files shorter than, exactly as long as, and longer than one read chunk."""
    chunk = inbox_files.CHUNK
    for size in (0, 1, chunk - 1, chunk, chunk + 1, 2 * chunk + 5):
        data = bytes(i % 251 for i in range(size))
        path = tmp_path / f"{size}.bin"
        path.write_bytes(data)
        assert inbox_files.hash_file(path) == hashlib.sha256(data).hexdigest(), size


def test_no_ignore_globs_ignores_nothing(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    write(inbox, ".hidden.txt", "全市规上工业增加值100亿元")
    write(inbox, "expected.jsonl", "{}")

    files, rejections = scan_inbox(Settings(inbox=inbox, ignore_globs=()))

    assert [f.source_path for f in files] == [".hidden.txt"]
    assert [r.source_path for r in rejections] == ["expected.jsonl"]


def settled_cache(entries: dict | None = None) -> HashCache:
    """A cache whose scan starts a minute from now: the files just written count as settled."""
    return HashCache(entries=entries or {}, scan_started_ns=time.time_ns() + 60 * 10**9)


def test_unchanged_files_are_not_read_again(tmp_path: Path, monkeypatch) -> None:
    inbox = tmp_path / "inbox"
    write(inbox, "a.txt", "全市规上工业增加值100亿元")
    write(inbox, "sub/b.txt", "全市规上工业增加值200亿元")
    settings = Settings(inbox=inbox)
    first = settled_cache()
    files, _ = scan_inbox(settings, first)
    hash_cache.write_hash_cache(tmp_path / "hashes.parquet", first)

    reads: list[Path] = []
    real_hash = hash_cache.hash_file
    monkeypatch.setattr(
        hash_cache, "hash_file", lambda path, *rest: reads.append(path) or real_hash(path, *rest)
    )
    cached = settled_cache(hash_cache.read_hash_cache(tmp_path / "hashes.parquet").entries)
    again, _ = scan_inbox(settings, cached)

    assert reads == []
    assert [(f.source_path, f.content_sha256) for f in again] == [
        (f.source_path, f.content_sha256) for f in files
    ]
    assert set(cached.seen) == {"a.txt", "sub/b.txt"}


def test_a_scan_that_finds_nothing_new_leaves_the_cache_file_alone(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    write(inbox, "a.txt", "全市规上工业增加值100亿元")
    stored = tmp_path / "hashes.parquet"
    first = settled_cache()
    scan_inbox(Settings(inbox=inbox), first)
    hash_cache.write_hash_cache(stored, first)
    written = stored.stat()

    same = settled_cache(hash_cache.read_hash_cache(stored).entries)
    scan_inbox(Settings(inbox=inbox), same)
    hash_cache.write_hash_cache(stored, same)
    assert (stored.stat().st_ino, stored.stat().st_mtime_ns) == (
        written.st_ino,
        written.st_mtime_ns,
    )

    write(inbox, "b.txt", "全市规上工业增加值200亿元")
    more = settled_cache(hash_cache.read_hash_cache(stored).entries)
    scan_inbox(Settings(inbox=inbox), more)
    hash_cache.write_hash_cache(stored, more)
    assert set(hash_cache.read_hash_cache(stored).entries) == {"a.txt", "b.txt"}


def test_a_rewrite_keeping_size_and_mtime_is_still_read(tmp_path: Path) -> None:
    """Only the ctime tells: the same number of bytes, the old mtime put back."""
    inbox = tmp_path / "inbox"
    path = write(inbox, "a.txt", "全市规上工业增加值100亿元")
    cache = settled_cache()
    (before,), _ = scan_inbox(Settings(inbox=inbox), cache)
    status = path.stat()
    path.write_text("全市规上工业增加值900亿元", encoding="utf-8")
    os.utime(path, ns=(status.st_atime_ns, status.st_mtime_ns))
    assert path.stat().st_size == status.st_size

    (after,), _ = scan_inbox(Settings(inbox=inbox), settled_cache(cache.seen))

    assert after.content_sha256 != before.content_sha256


def test_files_changed_just_before_a_scan_are_not_remembered(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    write(inbox, "a.txt", "全市规上工业增加值100亿元")
    cache = HashCache()  # the scan starts now: the file was written within the last 2 s

    files, _ = scan_inbox(Settings(inbox=inbox), cache)

    assert len(files) == 1 and cache.seen == {}


def test_an_unreadable_cache_is_an_empty_one(tmp_path: Path) -> None:
    broken = tmp_path / "hashes.parquet"
    broken.write_bytes(b"not parquet")

    assert hash_cache.read_hash_cache(broken).entries == {}
    assert hash_cache.read_hash_cache(tmp_path / "missing.parquet").entries == {}


def test_the_plan_takes_the_scan_made_ahead_once(tmp_path: Path) -> None:
    """`zhibiao run` scans while Prefect's server boots; the flow's ingest plans from that
    scan (with the same settings), and only once: a retry or another run scans again."""
    inbox = tmp_path / "inbox"
    write(inbox, "a.txt", "全市规上工业增加值100亿元")
    gone = write(inbox, "b.txt", "全市规上工业增加值200亿元")
    settings = Settings(inbox=inbox, var=tmp_path / "var")
    settings.var.mkdir()
    scan_ahead(settings)
    write(inbox, "c.txt", "全市规上工业增加值300亿元")
    gone.unlink()

    with Warehouse(settings.warehouse_path) as warehouse:
        plan = plan_inbox(settings, warehouse)
        again = plan_inbox(settings, warehouse)

    assert [f.source_path for f in plan.to_read] == ["a.txt", "b.txt"]
    assert plan.scanned_ahead_seconds > 0
    # A file that went between the scan and its reading is rejected for the moment, unhashed.
    vanished = read_document(plan.to_read[1])
    assert (vanished.reason_code, vanished.content_sha256) == ("vanished", None)
    assert [f.source_path for f in again.to_read] == ["a.txt", "c.txt"]
    assert again.scanned_ahead_seconds == 0.0


def test_a_scan_made_with_other_settings_is_not_used(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    write(inbox, "a.txt", "全市规上工业增加值100亿元")
    write(inbox, "b.txt", "全市规上工业增加值200亿元")
    settings = Settings(inbox=inbox, var=tmp_path / "var")
    settings.var.mkdir()
    scan_ahead(settings.model_copy(update={"ignore_globs": ["b.txt"]}))

    with Warehouse(settings.warehouse_path) as warehouse:
        plan = plan_inbox(settings, warehouse)

    assert [f.source_path for f in plan.to_read] == ["a.txt", "b.txt"]
    assert plan.scanned_ahead_seconds == 0.0


class StageRecorder:
    def __init__(self) -> None:
        self.events: list[tuple[str, str]] = []

    def start(self, stage: str, total: int | None = None) -> None:
        self.events.append(("start", stage))

    def advance(self, stage: str, amount: int = 1) -> None:
        self.events.append(("advance", stage))

    def finish(self, stage: str) -> None:
        self.events.append(("finish", stage))


def test_the_scan_made_ahead_shows_its_progress_and_the_plan_adds_none(tmp_path: Path) -> None:
    """A person watching sees the files hashed as the scan goes, before the flow starts; the
    flow's ingest, taking that scan, starts no second (empty) scan bar."""
    from flows import progress

    inbox = tmp_path / "inbox"
    write(inbox, "a.txt", "全市规上工业增加值100亿元")
    write(inbox, "b.txt", "全市规上工业增加值200亿元")
    settings = Settings(inbox=inbox, var=tmp_path / "var")
    settings.var.mkdir()
    recorder = StageRecorder()

    with progress.reporting(recorder):
        scan_ahead(settings)
        scanned = list(recorder.events)
        with Warehouse(settings.warehouse_path) as warehouse:
            plan = plan_inbox(settings, warehouse)

    advance = ("advance", "scan")
    assert scanned == [("start", "scan"), advance, advance, ("finish", "scan")]
    assert plan.scanned_ahead_seconds > 0
    assert recorder.events == scanned
